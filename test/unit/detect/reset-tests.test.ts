import { describe, expect, it } from 'vitest';
import { resetTests } from '../../../src/detect/reset-tests.js';
import { initialState } from '../../../src/detect/state.js';

describe('resetTests', () => {
  it('zeroes every test statistic and leaves the baseline and the rank sample alone', () => {
    const s = initialState();
    Object.assign(s, { ez: 1.5, cusUp: 4, cusDown: 2, cusSpike: 7, upX: 9, upMu: 3, downX: 1, downMu: 5, ringLen: 12, rankAvg: 0.2 });
    Object.assign(s, { level: 42, rankLen: 10 });
    resetTests(s);
    expect(s).toMatchObject({ ez: 0, cusUp: 0, cusDown: 0, cusSpike: 0, upX: 0, upMu: 0, downX: 0, downMu: 0, ringLen: 0, rankAvg: 0 });
    expect([s.level, s.rankLen]).toEqual([42, 10]);
  });
});
