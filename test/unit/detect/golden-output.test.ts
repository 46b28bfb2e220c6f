/**
 * The detector's verdicts are bit-identical to the reference ones in test/fixtures/detect-golden/golden.json (made by
 * generate.ts there from the detector before its speed-ups): every output column of every point, and the state
 * snapshots, over generated NAB-like metrics and complaint counts. A change that is meant to move a verdict
 * regenerates the file (and says so); a speed-up must leave it alone. Also: a detector restored from a mid-series
 * snapshot (JSON round trip) continues exactly as the one that kept running.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDetector, restoreDetector } from '../../../src/detect/detector.js';
import { CHUNK, COLUMNS, digestOutputs, digestSnapshot, goldenCases, runCase } from '../../fixtures/detect-golden/series.js';
import type { GoldenEntry } from '../../fixtures/detect-golden/generate.js';

const golden = JSON.parse(readFileSync(new URL('../../fixtures/detect-golden/golden.json', import.meta.url), 'utf8')) as Record<string, GoldenEntry>;
const cases = goldenCases();

describe('detector golden outputs', () => {
  it('covers every generated case', () => {
    expect(Object.keys(golden).sort()).toEqual(cases.map((c) => c.name).sort());
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: every column of every point as the reference', (name, c) => {
    const want = golden[name] as GoldenEntry;
    expect(c.t.length).toBe(want.points);
    const d = createDetector(c.options);
    const half = Math.floor(c.t.length / 2);
    const first = runCase(c, d.update, 0, half);
    const snapshotHalf = digestSnapshot(d.snapshot());
    const rest = runCase(c, d.update, half);
    const got = digestOutputs([...first, ...rest]);
    const mismatches: string[] = [];
    for (const column of COLUMNS) {
      const chunks = got[column] ?? [];
      chunks.forEach((h, i) => {
        if (h !== want.outputs[column]?.[i]) mismatches.push(`${column} in points ${i * CHUNK}–${(i + 1) * CHUNK - 1}`);
      });
    }
    expect(mismatches).toEqual([]);
    expect(snapshotHalf).toBe(want.snapshotHalf);
    expect(digestSnapshot(d.snapshot())).toBe(want.snapshotEnd);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: restored from a mid-series snapshot, continues identically', (_name, c) => {
    const whole = createDetector(c.options);
    const cut = Math.floor(c.t.length / 3);
    runCase(c, whole.update, 0, cut);
    const saved = JSON.parse(JSON.stringify(whole.snapshot()));
    const restored = restoreDetector(c.options, saved);
    const a = runCase(c, whole.update, cut);
    const b = runCase(c, restored.update, cut);
    expect(digestOutputs(b)).toEqual(digestOutputs(a));
    expect(digestSnapshot(restored.snapshot())).toBe(digestSnapshot(whole.snapshot()));
  });
});
