import { describe, expect, it } from 'vitest';
import { addCount, countWindowState, windowSums } from '../../../src/detect/count-window.js';
import { RING } from '../../../src/detect/state.js';

describe('count window (adaptive aggregation)', () => {
  it('sums back from the newest point until the expected sum reaches the minimum', () => {
    const w = countWindowState();
    // Expected 0.5 a point: a minimum of 2 takes the last four points.
    for (const count of [9, 0, 1, 0, 3, 2]) addCount(w, count, 0.5);
    expect(windowSums(w, 2)).toEqual({ observed: 6, expected: 2 });
    expect(windowSums(w, 0.5)).toEqual({ observed: 2, expected: 0.5 });
  });

  it('takes what it has when the window is short of the minimum', () => {
    const w = countWindowState();
    addCount(w, 1, 0.1);
    addCount(w, 2, 0.1);
    expect(windowSums(w, 5)).toEqual({ observed: 3, expected: expect.closeTo(0.2, 12) as number });
    expect(windowSums(countWindowState(), 5)).toEqual({ observed: 0, expected: 0 });
  });

  it('keeps only the last RING points', () => {
    const w = countWindowState();
    addCount(w, 1000, 1);
    for (let i = 0; i < RING; i++) addCount(w, 1, 0.01);
    expect(windowSums(w, 100)).toEqual({ observed: RING, expected: expect.closeTo(RING * 0.01, 12) as number });
  });
});
