/**
 * The `radar` command as an operator meets its errors (real child processes): a missing file is one
 * line on stderr and a non-zero exit, never a stack trace; `config check` lists every problem of a
 * file in one run, literal secrets included.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/radar.js');
const FIXTURES = 'test/fixtures/config';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI in a child process (asynchronously, so the cases of a describe.concurrent overlap). */
function radar(args: string[], env: NodeJS.ProcessEnv = { ...process.env }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...env, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'radar-cli-errors-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.concurrent('a missing file is one line, not a stack trace', () => {
  it.each([
    [['config', 'check', 'missing.yaml'], 'error: missing.yaml: file not found'],
    [['start', '-c', 'missing.yaml'], 'error: missing.yaml: file not found'],
    [['ingest', 'missing.jsonl'], 'error: missing.jsonl: file not found'],
    [['classify', 'eval', '--data', 'missing.jsonl'], 'error: missing.jsonl: file not found'],
    [['classify', 'some text', '--keywords', 'missing.yaml'], 'error: missing.yaml: file not found'],
    [['detect', '--in', 'missing.csv', '--out', 'never-written.csv'], 'radar detect: missing.csv: file not found'],
    [['imap', 'parse', 'missing.eml'], 'error: missing.eml: file not found'],
    [['alerts', 'test-route', 'complaints', '--config', 'missing.yaml'], 'radar alerts: missing.yaml: file not found'],
  ])('radar %j', async (args, line) => {
    const res = await radar(args);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toBe(`${line}\n`);
  });

  it('a service config naming a missing keyword file: the config is fine, the keyword file is one line', async () => {
    const file = join(dir, 'radar.yaml');
    writeFileSync(file, `classify:\n  keywords: ${join(dir, 'none.yaml')}\n`);
    const res = await radar(['config', 'check', file]);
    expect(res.status).toBe(1);
    expect(res.stdout).toBe(`${file}: ok (service config)\n`);
    expect(res.stderr).toBe(`error: ${join(dir, 'none.yaml')}: file not found\n`);
  });
});

describe.concurrent('radar config check', () => {
  it('reports every problem of a file in one run, in file order', async () => {
    const res = await radar(['config', 'check', `${FIXTURES}/many-problems.yaml`], { ...process.env, RADAR_TEST_UNSET_VAR: 'redis://127.0.0.1:6379', RADAR_TEST_OTHER_UNSET_VAR: 'sqlite:./data/x.db' });
    expect(res.status).toBe(1);
    expect(res.stderr.trimEnd().split('\n')).toEqual([
      `error: ${FIXTURES}/many-problems.yaml:3: server: unknown key "colour"`,
      `error: ${FIXTURES}/many-problems.yaml:7: series.step: "soon" is not a duration (use e.g. 500ms, 15s, 5m, 2h, 1d)`,
      `error: ${FIXTURES}/many-problems.yaml:13: sources.imap[0].password: a secret written in the file: set it in the environment and write \${SUPPORT_IMAP_PASSWORD} here`,
    ]);
  });

  it('names unset variables next to the other problems (a missing variable does not hide the rest)', async () => {
    const env = { ...process.env };
    delete env.RADAR_TEST_UNSET_VAR;
    delete env.RADAR_TEST_OTHER_UNSET_VAR;
    const res = await radar(['config', 'check', `${FIXTURES}/many-problems.yaml`], env);
    expect(res.status).toBe(1);
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe(`error: ${FIXTURES}/many-problems.yaml:5: redis.url: environment variable RADAR_TEST_UNSET_VAR is not set`);
    expect(lines[4]).toBe(`error: ${FIXTURES}/many-problems.yaml:15: database.url: environment variable RADAR_TEST_OTHER_UNSET_VAR is not set`);
  });

  it('a broken service config and the broken keyword file it names: both in one run', async () => {
    const keywords = join(dir, 'keywords.yaml');
    writeFileSync(keywords, 'categories:\n  - name: login\n    colour: red\n');
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, `server:\n  port: eighty\nclassify:\n  keywords: ${keywords}\n`);
    const res = await radar(['config', 'check', file]);
    expect(res.status).toBe(1);
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`error: ${file}:2: server.port: Expected number, received string`);
    expect(lines.some((l) => l.startsWith(`error: ${keywords}:3: categories[0]: unknown key "colour"`))).toBe(true);
  });

  it('rejects a literal token and accepts the same config with ${VAR}', async () => {
    const literal = await radar(['config', 'check', `${FIXTURES}/literal-secret.yaml`]);
    expect(literal.status).toBe(1);
    expect(literal.stderr).toBe(`error: ${FIXTURES}/literal-secret.yaml:4: auth.tokens[0].token: a secret written in the file: set it in the environment and write \${RADAR_API_TOKEN} here\n`);
    const file = join(dir, 'env-token.yaml');
    writeFileSync(file, 'auth:\n  tokens:\n    - name: ci\n      token: ${RADAR_TEST_API_TOKEN}\n');
    const fromEnv = await radar(['config', 'check', file], { ...process.env, RADAR_TEST_API_TOKEN: 'radar_0123456789abcdef0123' });
    expect(fromEnv.stderr).toBe('');
    expect(fromEnv.status).toBe(0);
    expect(fromEnv.stdout).toContain(`${file}: ok (service config)`);
  });
});
