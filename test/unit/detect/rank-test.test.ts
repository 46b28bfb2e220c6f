import { describe, expect, it } from 'vitest';
import { forgetRankSample, rankState, rankTest, type RankSettings } from '../../../src/detect/rank-test.js';

const settings: RankSettings = { window: 5, varMemory: 1000, minRef: 8, weight: 0.5, stride: 1, up: true, down: true };

describe('rank test (centred ranks against a sample of past values)', () => {
  it('stays silent until the sample holds minRef values, and keeps one value per stride', () => {
    const state = rankState();
    const strided = rankState();
    const results = [3, 1, 4, 1, 5, 9, 2, 6].map((y) => rankTest(state, settings, y));
    for (const y of [3, 1, 4, 1, 5, 9, 2, 6]) rankTest(strided, { ...settings, stride: 3 }, y);
    expect(results.every((r) => r === null)).toBe(true);
    expect(state.rankLen).toBe(8);
    expect(strided.rankLen).toBe(2);
    expect(strided.rankRef.slice(0, 2)).toEqual([4, 9]);
  });

  it('finds a shift up after a stable stretch, with the weighted evidence', () => {
    const state = rankState();
    for (let i = 0; i < 40; i++) rankTest(state, settings, i % 5);
    let last = null;
    for (let i = 0; i < 6; i++) last = rankTest(state, settings, 20);
    expect(last?.direction).toBe('up');
    expect(last?.log10P).toBeLessThan(-1);
    const unweighted = rankState();
    for (let i = 0; i < 40; i++) rankTest(unweighted, { ...settings, weight: 1 }, i % 5);
    let full = null;
    for (let i = 0; i < 6; i++) full = rankTest(unweighted, { ...settings, weight: 1 }, 20);
    expect(last?.log10P).toBeCloseTo(0.5 * (full?.log10P as number), 12);
  });

  it('reports a shift down, and nothing in a direction that is not watched', () => {
    const down = rankState();
    const upOnly = rankState();
    for (let i = 0; i < 40; i++) {
      rankTest(down, settings, 10 + (i % 5));
      rankTest(upOnly, { ...settings, down: false }, 10 + (i % 5));
    }
    let seen = null;
    let unwatched = null;
    for (let i = 0; i < 6; i++) {
      seen = rankTest(down, settings, 0);
      unwatched = rankTest(upOnly, { ...settings, down: false }, 0);
    }
    expect(seen?.direction).toBe('down');
    expect(unwatched).toBeNull();
  });

  it('forgets its sample after a change and waits to refill it', () => {
    const state = rankState();
    for (let i = 0; i < 20; i++) rankTest(state, settings, i % 5);
    forgetRankSample(state);
    expect(state.rankLen).toBe(0);
    expect(rankTest(state, settings, 100)).toBeNull();
  });
});

describe('rank test: ranking by binary search over a sorted copy of the sample', () => {
  /** The definition: values below count 1, equal ones 1/2, over the ring as it stands. */
  function naiveAverage(values: readonly number[], window: number): number {
    const ring: number[] = [];
    let pos = 0;
    let avg = 0;
    for (const y of values) {
      if (ring.length > 0) {
        let below = 0;
        for (const past of ring) below += past < y ? 1 : past === y ? 0.5 : 0;
        avg += (1 / window) * (below / ring.length - 0.5 - avg);
      }
      if (ring.length < 64) ring.push(y);
      else ring[pos] = y;
      pos = (pos + 1) % 64;
    }
    return avg;
  }

  it('gives the same average as the pass over the ring, with ties, once the ring wraps', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    // Few distinct values: many ties; 500 values: the ring of 64 wraps many times.
    const values = Array.from({ length: 500 }, () => Math.floor(rand() * 6) - 2);
    const state = rankState();
    for (const y of values) rankTest(state, settings, y);
    expect(state.rankAvg).toBe(naiveAverage(values, settings.window));
  });

  it('a state restored from JSON mid-stream, or one whose sample was forgotten, ranks as the original does', () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const values = Array.from({ length: 300 }, () => Math.round(rand() * 20) / 2);
    const original = rankState();
    for (const y of values.slice(0, 150)) rankTest(original, settings, y);
    const restored = JSON.parse(JSON.stringify(original)) as typeof original;
    for (const y of values.slice(150)) {
      const a = rankTest(original, settings, y);
      const b = rankTest(restored, settings, y);
      expect(b).toEqual(a);
    }
    forgetRankSample(original);
    const fresh = rankState();
    for (const y of values.slice(0, 80)) {
      rankTest(original, settings, y);
      rankTest(fresh, settings, y);
    }
    expect(original.rankRef.slice(0, original.rankLen)).toEqual(fresh.rankRef.slice(0, fresh.rankLen));
    const next = { ...settings };
    const y = 4.5;
    const before = original.rankAvg - fresh.rankAvg;
    rankTest(original, next, y);
    rankTest(fresh, next, y);
    // Same sample, same rank of y: the averages move by the same amount.
    expect(original.rankAvg - fresh.rankAvg).toBeCloseTo(before * (1 - 1 / settings.window), 12);
  });
});
