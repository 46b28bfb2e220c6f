import { describe, expect, it } from 'vitest';
import { detectSeries, type DetectorOutput } from '../../../src/detect/detector.js';
import type { DetectorOptions } from '../../../src/detect/options.js';
import { seriesPoints } from '../../helpers/series-notation.js';
import { log10PoissonUpper } from '../../../src/detect/tail-probability.js';

const T0 = Date.UTC(2026, 0, 5);
const FIVE_MIN = 300_000;
const alerts = (out: readonly DetectorOutput[]) => out.filter((p) => p.alert);
const index = (p: DetectorOutput, step = 60_000) => (p.t - T0) / step;
/** A small deterministic wiggle (no randomness in tests). */
const wiggle = (i: number) => [0, 1.5, -1, 2, -2, 0.5, -0.5, 1, -1.5, 0][i % 10] as number;

describe('one huge burst does not deafen a metric (winsorised calibration)', () => {
  // 400 ordinary points, one burst of 1000, 400 ordinary points, then a shift from 100 to 110.
  const values = [
    ...Array.from({ length: 400 }, (_, i) => 100 + wiggle(i)),
    1000,
    ...Array.from({ length: 400 }, (_, i) => 100 + wiggle(i)),
    ...Array.from({ length: 100 }, (_, i) => 110 + wiggle(i)),
  ];
  const points = values.map((v, i) => ({ t: T0 + i * 60_000, v }));
  it.each([
    ['winsorised (default)', {}, [400, 801]],
    ['plain mean/variance', { calibrationWinsor: 0 }, [400]],
  ] as const)('%s', (_name, tuning, expected) => {
    const out = detectSeries(points, null, { model: 'continuous', tuning });
    expect(alerts(out).map((p) => index(p))).toEqual(expected);
  });
});

describe('evidence piled up during warm-up does not fire at the first verdict', () => {
  it.each([
    // A burst 5 points before the warm-up ends: its CUSUM evidence must not alert when verdicts start.
    ['5x115 60 5x300', { model: 'counts', warmupMinutes: 120 }],
  ] as const)('%s', (series, options: DetectorOptions) => {
    expect(alerts(detectSeries(seriesPoints(series), null, options))).toEqual([]);
  });
});

describe('a daily square wave is a pattern, not an incident', () => {
  // 5-minute points, 20 at night and 70 from 09:00 to 17:00, for 10 days; on day 8 the day-time jump is missing.
  const day = 288;
  const points = (missingDay: number | null) =>
    Array.from({ length: 10 * day }, (_, i) => {
      const slot = i % day;
      const high = slot >= 108 && slot < 204 && Math.floor(i / day) !== missingDay;
      return { t: T0 + i * FIVE_MIN, v: (high ? 70 : 20) + wiggle(i) };
    });
  const options: DetectorOptions = { model: 'continuous', warmupMinutes: 2160, cooldownMinutes: 1080, memoryMinutes: 100 };

  it.each([
    // (6 with one predictor choice for the whole day; 4 with profiles that learn clipped residuals only)
    ['profile chosen per time of day, learning large residuals', {}, 0],
  ] as const)('%s: alerts at the daily jumps from day 3 on', (_name, tuning, expected) => {
    const out = detectSeries(points(null), null, { ...options, tuning });
    expect(alerts(out).filter((p) => index(p, FIVE_MIN) >= 2 * day)).toHaveLength(expected);
  });

  it('but a missing jump is an anomaly', () => {
    const out = detectSeries(points(7), null, options);
    const fired = alerts(out).filter((p) => index(p, FIVE_MIN) >= 3 * day);
    expect(fired.length).toBeGreaterThan(0);
    expect(fired.map((p) => [index(p, FIVE_MIN), p.direction])).toEqual([[7 * day + 108, 'down']]);
  });
});

describe('counts: the calibration discounts the exact tails of a bursty series (calibratedLog10P)', () => {
  const points = (value: (i: number) => number) => Array.from({ length: 3000 }, (_, i) => ({ t: T0 + i * 60_000, v: value(i) }));

  it('a burst of 40 every 40 points (routine for this series) stops alerting once it is routine', () => {
    const series = points((i) => (i % 40 === 39 ? 40 : 5 + (i % 3) - 1));
    const out = detectSeries(series, null, { model: 'counts', cooldownMinutes: 30 });
    // The exact Poisson tail of 40 against about 5 is p < 1e-15: raw score 15 / (15 + 5) = 0.75 or more; calibrated,
    // clearly less (measured 0.57).
    expect(log10PoissonUpper(40, 5)).toBeLessThan(-15);
    expect((out[2999] as DetectorOutput).rawScore).toBeLessThan(0.7);
  });

  it('a steady count series keeps its alert', () => {
    const series = points((i) => (i >= 2000 && i < 2100 ? 15 : 5) + (i % 3) - 1);
    const at = alerts(detectSeries(series, null, { model: 'counts' })).map((p) => index(p));
    expect(at).toHaveLength(1);
    expect(at[0]).toBeGreaterThanOrEqual(2000);
    expect(at[0]).toBeLessThanOrEqual(2003);
  });
});
