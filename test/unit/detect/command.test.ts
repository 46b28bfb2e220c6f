import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSeries } from '../../helpers/series-notation.js';

const dir = mkdtempSync(join(tmpdir(), 'radar-detect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, series: string, stamp: (i: number) => string): string {
  const rows = parseSeries(series).map((v, i) => `${stamp(i)},${v ?? ''}`);
  const file = join(dir, name);
  writeFileSync(file, `timestamp,value\n${rows.join('\n')}`); // no final newline, like some NAB files
  return file;
}

const nab = (i: number) => new Date(Date.UTC(2015, 1, 26, 21, 40) + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');

function radar(...args: string[]) {
  return spawnSync(process.execPath, ['bin/radar.js', 'detect', ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('radar detect (CLI contract)', () => {
  it('writes one row per input row with the contract columns', () => {
    const input = csv('series.csv', '5x199 40x10 5x30', nab);
    const out = join(dir, 'scores.csv');
    const r = radar('--in', input, '--out', out, '--probation-rows', '36');
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score,alert,expected,lower,upper,reason,raw_score');
    expect(lines).toHaveLength(1 + 242);
    expect(lines[1]?.startsWith(`${nab(0)},5,`)).toBe(true);
    const rows = lines.slice(1).map((l) => l.split(','));
    for (const row of rows) {
      const score = Number(row[2]);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
      expect(['0', '1']).toContain(row[3]);
    }
    expect(rows.filter((row) => row[3] === '1')).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('takes a reference series, a direction and ISO or epoch timestamps', () => {
    const input = csv('c.csv', '5x99 15x20', (i) => String(1_767_571_200 + i * 60));
    const traffic = csv('t.csv', '100x99 300x20', (i) => String(1_767_571_200 + i * 60));
    const out = join(dir, 'c-scores.csv');
    const r = radar('--in', input, '--reference', traffic, '--direction', 'up', '--out', out, '--probation-rows', '30');
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1);
    expect(rows).toHaveLength(121);
    expect(rows.filter((l) => l.split(',')[3] === '1')).toEqual([]);
  });

  it.each([
    [['--direction', 'sideways'], /--direction/],
    [['--probation-rows', 'many'], /--probation-rows/],
  ])('fails clearly on bad flags %j', (extra, message) => {
    const input = csv('bad.csv', '1 2 3', nab);
    const r = radar('--in', input, '--out', join(dir, 'bad-out.csv'), ...extra);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it('fails clearly on a bad row', () => {
    const file = join(dir, 'broken.csv');
    writeFileSync(file, 'timestamp,value\n2015-01-01 00:00:00,1\nyesterday,2\n');
    const r = radar('--in', file, '--out', join(dir, 'broken-out.csv'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/line 3: bad timestamp/);
  });

  it('names the file, line and key of a setting that is not an option (a former tuning constant)', () => {
    const input = csv('k.csv', '1 2 3', nab);
    const params = join(dir, 'params.json');
    writeFileSync(params, '{\n  "sensitivity": 1,\n  "tuning": { "rankWindow": 30 }\n}\n');
    const r = radar('--in', input, '--out', join(dir, 'k-scores.csv'), '--config', params);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${params}:3: tuning: unknown key "rankWindow"`);
    writeFileSync(params, '{ "tuning": { "clipZ": 5 } }');
    expect(radar('--in', input, '--out', join(dir, 'k-scores.csv'), '--config', params).status).toBe(0);
  });
});
