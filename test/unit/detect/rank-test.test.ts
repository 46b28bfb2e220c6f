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
