/**
 * The model-version commands as an operator runs them (real child processes, an SQLite store):
 * `radar classify versions` lists them with the active one marked, `radar classify activate` rolls back
 * (an unknown id is an error naming it), and `radar classify replay --from <version> --to <version|file>`
 * compares two versions on stored history without writing anything.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileKeywords, createClassifier } from '../../../src/classify/index.js';
import { keywordsHash, modelVersion } from '../../../src/classify/model-version.js';
import { loadKeywords, parseKeywords } from '../../../src/config/keywords.js';
import type { Message } from '../../../src/domain/message.js';
import { Store } from '../../../src/store/store.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/radar.js');

function radar(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

const ZORBLAX = 'Skymail: the zorblax keeps failing again';

describe('radar classify versions / activate / replay --from --to', () => {
  let dir: string;
  let configFile: string;
  let candidateFile: string;
  let v1: string;
  let v2: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'radar-cli-versions-'));
    configFile = join(dir, 'radar.yaml');
    writeFileSync(configFile, `dataDir: ${dir}\ndatabase: { url: "sqlite:${join(dir, 'radar.db')}" }\n`);
    const shipped = loadKeywords();
    const yaml = readFileSync(new URL('../../../config/keywords.yaml', import.meta.url), 'utf8').replace(/(\n {2}- name: login\n[^\n]*\n {4}terms:\n {6}en:\n)/, '$1        - zorblax\n');
    candidateFile = join(dir, 'candidate.yaml');
    writeFileSync(candidateFile, yaml);
    // The candidate as a stored version (its cues and training file as the shipped file has them).
    const edited = { ...parseKeywords(yaml), ...(shipped.cues ? { cues: shipped.cues } : {}), ...(shipped.training ? { training: shipped.training } : {}) };
    v1 = modelVersion(shipped, null);
    v2 = modelVersion(edited, null);
    const store = await Store.open({ url: `sqlite:${join(dir, 'radar.db')}` });
    try {
      const base = { learned: null, labels: null, createdBy: 'test', note: null } as const;
      await store.modelVersions.publish({ ...base, id: v1, keywordsHash: keywordsHash(shipped), keywords: shipped, createdVia: 'keyword-file' }, Date.UTC(2026, 0, 1));
      await store.modelVersions.publish({ ...base, id: v2, keywordsHash: keywordsHash(edited), keywords: edited, createdVia: 'cli' }, Date.UTC(2026, 0, 2));
      const classifier = createClassifier({ keywords: compileKeywords(shipped) });
      const messages: Message[] = [0, 1, 2].map((i) => ({ id: `api:z-${i}`, channel: 'api', source: 'test', author: null, text: ZORBLAX, lang: 'en', createdAt: new Date(Date.UTC(2026, 0, 1, 12, i)).toISOString(), link: null }));
      await store.messages.insertNew(messages.map((m) => ({ message: m, classification: classifier.classify(m.text, m.lang, m.channel) })), Date.UTC(2026, 0, 1, 13));
    } finally {
      await store.close();
    }
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('versions lists newest first with the active one marked; activate rolls back', async () => {
    const [list, unknown] = await Promise.all([radar(['classify', 'versions', '-c', configFile]), radar(['classify', 'activate', 'k000000000000', '-c', configFile])]);
    expect(list.status).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^\\* ${v2} .* cli +keywords$`));
    expect(lines[1]).toMatch(new RegExp(`^  ${v1} .* keyword-file +keywords$`));

    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe('error: no stored model version "k000000000000" (radar classify versions lists them)\n');

    const back = await radar(['classify', 'activate', v1, '-c', configFile]);
    expect(back.status).toBe(0);
    expect(back.stdout).toContain(`${v1} is now the active model version`);
    const json = await radar(['classify', 'versions', '--json', '-c', configFile]);
    const versions = JSON.parse(json.stdout) as Array<{ id: string; active: boolean; activatedBy: string | null }>;
    expect(versions.map((v) => [v.id, v.active])).toEqual([
      [v2, false],
      [v1, true],
    ]);
    expect(versions[1]?.activatedBy).toMatch(/^cli/);
    const again = await radar(['classify', 'activate', v1, '-c', configFile]);
    expect(again.stdout).toBe(`${v1} was already the active model version\n`);
  });

  it('replay compares two stored versions, or a stored version and a file, on stored history', async () => {
    const range = ['--since', '2026-01-01T00:00:00Z', '--until', '2026-01-02T00:00:00Z'];
    // Four read-only replays, side by side.
    const [stored, file, reverse, unknown] = await Promise.all([
      radar(['classify', 'replay', '--from', v1, '--to', v2, '--json', ...range, '-c', configFile]),
      radar(['classify', 'replay', '--from', v1, '--to', candidateFile, '--json', ...range, '-c', configFile]),
      radar(['classify', 'replay', '--from', v2, '--to', v1, '--json', ...range, '-c', configFile]),
      radar(['classify', 'replay', '--from', 'k111111111111', '--to', v2, '-c', configFile]),
    ]);
    expect(stored.stderr).toBe('');
    expect(stored.status).toBe(0);
    const report = JSON.parse(stored.stdout) as { n: number; flipCount: number; versions: { before: string; after: string; stored: Record<string, number> }; categories: Record<string, { before: number; after: number }> };
    expect(report).toMatchObject({ n: 3, flipCount: 3, versions: { before: v1, after: v2, stored: { [v1]: 3 } } });
    expect(report.categories.login).toEqual({ before: 0, after: 3 });
    // The same candidate as a file, from the active version (v1 after the rollback above, or v2 before it).
    expect(file.status).toBe(0);
    expect(JSON.parse(file.stdout)).toMatchObject({ n: 3, flipCount: 3, versions: { before: v1, after: v2 } });
    // Reversed: nothing is a login complaint any more.
    expect((JSON.parse(reverse.stdout) as typeof report).categories.login).toEqual({ before: 3, after: 0 });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no stored model version "k111111111111"');
  });
});
