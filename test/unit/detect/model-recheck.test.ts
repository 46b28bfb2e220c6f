import { describe, expect, it } from 'vitest';
import { detectSeries, type DetectorOutput } from '../../../src/detect/detector.js';

const T0 = Date.UTC(2026, 0, 5);
const MIN = 60_000;

/** 40 zeros (looks like counts), then about 24 ± 1 for a day, then a jump to 40 at point 1500. */
function zerosThenFlat(jumpAt: number): { t: number; v: number }[] {
  let seed = 3;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  return Array.from({ length: 1600 }, (_, i) => ({
    t: T0 + i * MIN,
    v: i < 40 ? 0 : i >= jumpAt ? 40 : 23 + Math.round(2 * rand()),
  }));
}

describe('the noise model is re-checked after the warm-up (auto model)', () => {
  it('a series that began with zeros but is far less noisy than Poisson gets a tight band and alerts on a jump', () => {
    const out = detectSeries(zerosThenFlat(1500), null, {});
    const before = out[1490] as DetectorOutput;
    // Poisson at 24 would give ± 3·√24 ≈ ± 15; the real noise is about ± 1.
    expect((before.upper as number) - (before.lower as number)).toBeLessThan(10);
    expect(out.slice(1500, 1505).some((p) => p.alert)).toBe(true);
  });

  it('an explicit counts model is kept (the band stays Poisson-wide)', () => {
    const out = detectSeries(zerosThenFlat(1500), null, { model: 'counts' });
    const before = out[1490] as DetectorOutput;
    expect((before.upper as number) - (before.lower as number)).toBeGreaterThan(20);
  });

  it('a Poisson series stays counts', () => {
    let seed = 5;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const poisson = (mu: number) => {
      let k = 0;
      let p = 1;
      const l = Math.exp(-mu);
      do {
        k += 1;
        p *= rand();
      } while (p > l);
      return k - 1;
    };
    const out = detectSeries(Array.from({ length: 1500 }, (_, i) => ({ t: T0 + i * MIN, v: poisson(9) })), null, {});
    const last = out[1499] as DetectorOutput;
    // 3·√9 = 9 either side of about 9.
    expect((last.upper as number) - (last.lower as number)).toBeGreaterThan(14);
    expect(out.filter((p) => p.alert).length).toBeLessThanOrEqual(1);
  });
});
