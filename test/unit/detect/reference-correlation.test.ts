import { describe, expect, it } from 'vitest';
import { addToMoments, correlationOf, FOLLOWS_REFERENCE, followsReference, learnCorrelation, type CorrelationState } from '../../../src/detect/reference-correlation.js';

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

describe('followsReference (does a series normally follow its reference?)', () => {
  it.each([
    [[0.9, 0.8, null, 0.4], true],
    [[0.9, 0.2, 0.3], false],
    [[0.5, 0.5], false],
    [[0.4, 0.7], true],
    [[null, undefined], false],
    [[], false],
  ])('%j → %s (median of the known values above FOLLOWS_REFERENCE)', (usual, follows) => {
    expect(followsReference(usual)).toBe(follows);
  });

  it('a decoupling in part of the range does not hide the lane', () => {
    const usual = [...Array.from({ length: 300 }, () => 0.9), ...Array.from({ length: 100 }, () => 0.3)];
    expect(followsReference(usual)).toBe(true);
    expect(FOLLOWS_REFERENCE).toBe(0.5);
  });
});
