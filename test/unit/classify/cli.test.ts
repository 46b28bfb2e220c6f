import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const radar = (...args: string[]) => {
  const r = spawnSync('node', ['bin/radar.js', 'classify', ...args], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('radar classify (CLI)', () => {
  it('prints the decision and why', () => {
    const r = radar("I can't log in, password not accepted 😡");
    expect(r.code).toBe(0);
    expect(r.out).toContain('complaint: yes');
    expect(r.out).toContain('language: en');
    expect(r.out).toMatch(/category login \([0-9.]+\): can not log in, log in, password not accepted, password/);
  });

  it('a negated message is not a complaint, and says what was negated', () => {
    const r = radar('no problems logging in today');
    expect(r.out).toContain('complaint: no');
    expect(r.out).toContain('negated (ignored): problem');
  });

  it('--json prints the explanation', () => {
    const r = radar('Почта тормозит', '--json');
    const json = JSON.parse(r.out) as { classification: { complaint: boolean; lang: string; categories: Array<{ name: string }> } };
    expect(json.classification.complaint).toBe(true);
    expect(json.classification.lang).toBe('ru');
    expect(json.classification.categories[0]?.name).toBe('slow');
  });

  it('eval --json prints exactly {n, complaint, categories, categoryMacroF1}', () => {
    const r = radar('eval', '--data', 'test/fixtures/labelled/webmail-ru.jsonl', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['n', 'complaint', 'categories', 'categoryMacroF1']);
    expect(json.n).toBe(137);
    expect(Object.keys(json.complaint as object)).toEqual(['precision', 'recall', 'f1']);
    expect(Object.keys((json.categories as Record<string, object>).login ?? {})).toEqual(['precision', 'recall', 'f1', 'support']);
  });

  it('eval without --json prints a table, a confusion matrix and mistakes', () => {
    const r = radar('eval', '--data', 'test/fixtures/labelled/webmail-mixed-hard.jsonl');
    expect(r.out).toContain('complaint gate: precision');
    expect(r.out).toContain('confusion matrix (rows: expected, columns: predicted)');
    expect(r.out).toContain('worst mistakes');
  });

  it('train writes a learned model that classify --learned uses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'radar-classify-'));
    const data = join(dir, 'labels.jsonl');
    const lines = [];
    for (const s of ['inbox', 'mail', 'folder', 'search', 'app', 'account']) {
      lines.push(JSON.stringify({ text: `my ${s} is zorbled`, complaint: true, category: 'slow' }));
      lines.push(JSON.stringify({ text: `the ${s} looks nice`, complaint: false }));
    }
    writeFileSync(data, `${lines.join('\n')}\n`);
    const model = join(dir, 'learned.json');
    const t = radar('train', '--data', data, '--out', model);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/trained on 12 labelled examples and \d+ examples of the keyword file/);
    expect(JSON.parse(readFileSync(model, 'utf8'))).toMatchObject({ kind: 'complaint-radar/learned', version: 2, charGrams: true });
    expect(radar('the calendar is zorbled', '--learned', model).out).toContain('complaint: yes');
  });

  it('a broken keyword file exits 1 with file:line: key: what', () => {
    const r = radar('eval', '--data', 'test/fixtures/labelled/webmail-ru.jsonl', '--keywords', 'test/unit/classify/fixtures/unknown-key.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toContain('test/unit/classify/fixtures/unknown-key.yaml:7: categories[0]: unknown key "term"');
  });
});
