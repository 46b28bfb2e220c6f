import { describe, expect, it } from 'vitest';
import { log10NormalTail, log10NormalTailBound, log10PoissonLower, log10PoissonUpper, logFactorial } from '../../../src/detect/tail-probability.js';

describe('tail probabilities (log10)', () => {
  it.each([
    [0, Math.log10(0.5)],
    [1, Math.log10(0.158655)],
    [3, Math.log10(0.0013499)],
    [6, Math.log10(9.8659e-10)],
    [10, Math.log10(7.6199e-24)],
  ])('normal Q(%d)', (z, expected) => expect(log10NormalTail(z)).toBeCloseTo(expected, 3));

  it.each([
    // x, mu, P(X >= x)
    [10, 2, 4.6498e-5],
    [1, 0.1, 0.0951626],
    [3, 0.1, 1.5465e-4],
    [30, 10, 2.50995e-7],
  ])('Poisson P(X ≥ %d | %d)', (x, mu, p) => expect(log10PoissonUpper(x, mu)).toBeCloseTo(Math.log10(p), 3));

  it.each([
    [0, 5, Math.exp(-5)],
    [2, 10, 0.0027694],
  ])('Poisson P(X ≤ %d | %d)', (x, mu, p) => expect(log10PoissonLower(x, mu)).toBeCloseTo(Math.log10(p), 3));

  it('is 0 on the wrong side', () => {
    expect(log10PoissonUpper(1, 5)).toBe(0);
    expect(log10PoissonLower(9, 5)).toBe(0);
  });

  it('logFactorial matches the table and Stirling', () => {
    expect(logFactorial(10)).toBeCloseTo(Math.log(3628800), 9);
    expect(logFactorial(100)).toBeCloseTo(363.73937555556347, 6);
    expect(logFactorial(2.5)).toBeCloseTo(Math.log(3.32335097), 6);
  });
});

describe('normal tail lower bound', () => {
  it('is never above the tail it bounds, and close to it on its range', () => {
    const zs: number[] = [];
    for (let z = -10; z <= 7; z += 1 / 997) zs.push(z);
    // Grid points and their neighbours, where the bound is tightest.
    for (let i = 0; i <= 432; i++) {
      const g = -8 + i / 32;
      zs.push(g, g - 1e-12, g + 1e-12, g - 1e-6, g + 1e-6);
    }
    zs.push(0, -0, -1e-300, 1e-300, 5.5, 5.5 - 1e-9, 6 - 1e-9, 6, -8, -8.000001, -1e300, 1e300);
    let worst = 0;
    for (const z of zs) {
      const bound = log10NormalTailBound(z);
      const exact = log10NormalTail(z);
      expect(bound).toBeLessThanOrEqual(exact);
      if (z > -8 && z < 5.5) worst = Math.max(worst, exact - bound);
    }
    // Useful: within a grid step's fall of the tail (at most ~0.2 below z = 5.5).
    expect(worst).toBeLessThan(0.2);
    expect(log10NormalTailBound(Number.NaN)).toBe(Number.NEGATIVE_INFINITY);
    expect(log10NormalTailBound(5.5)).toBe(Number.NEGATIVE_INFINITY);
  });
});
