import { describe, expect, it } from 'vitest';
import { addToMoments, correlationOf, learnCorrelation, type CorrelationState } from '../../../src/detect/reference-correlation.js';

const zeros = (): number[] => [0, 0, 0, 0, 0];

describe('reference correlation (EWMA moments)', () => {
  it('is +1 for a series that follows its reference and −1 for one that mirrors it', () => {
    const follows = zeros();
    const mirrors = zeros();
    const reference = [10, 12, 9, 15, 11, 14, 8, 13];
    reference.forEach((y, i) => {
      addToMoments(follows, 2 * y + 1, y, 1 / (i + 1));
      addToMoments(mirrors, 100 - y, y, 1 / (i + 1));
    });
    expect(correlationOf(follows)).toBeCloseTo(1, 9);
    expect(correlationOf(mirrors)).toBeCloseTo(-1, 9);
  });

  it('is null when either side is flat', () => {
    const m = zeros();
    [1, 5, 2, 8].forEach((y, i) => addToMoments(m, 7, y, 1 / (i + 1)));
    expect(correlationOf(m)).toBeNull();
    expect(correlationOf(zeros())).toBeNull();
  });

  it('keeps a long and a short view: a recent break shows in the short one first', () => {
    const state: CorrelationState = { corrLong: zeros(), corrShort: zeros() };
    // 300 points moving together, then 60 points where the value no longer follows the reference.
    for (let i = 0; i < 300; i++) learnCorrelation(state, 10 + (i % 7), 100 + 10 * (i % 7), 1 / 400);
    expect(correlationOf(state.corrShort)).toBeCloseTo(1, 6);
    for (let i = 0; i < 60; i++) learnCorrelation(state, 10 + ((i * 3) % 5), 100 + 10 * (i % 7), 1 / 400);
    const short = correlationOf(state.corrShort) as number;
    const long = correlationOf(state.corrLong) as number;
    expect(short).toBeLessThan(0.5);
    expect(long).toBeGreaterThan(short);
  });
});
