import { describe, expect, it } from 'vitest';
import { createDetector, detectSeries, restoreDetector, type DetectorOutput } from '../../../src/detect/detector.js';
import type { DetectorOptions } from '../../../src/detect/options.js';
import { parseSeries, seriesPoints } from '../../helpers/series-notation.js';
import { mulberry32, poisson } from '../../../src/sources/demo/prng.js';

const T0 = Date.UTC(2026, 0, 5);
const minute = (p: DetectorOutput) => (p.t - T0) / 60_000;
const alerts = (out: readonly DetectorOutput[]) => out.filter((p) => p.alert);

function run(series: string, reference: string | null, options: DetectorOptions) {
  return detectSeries(seriesPoints(series), reference === null ? null : parseSeries(reference), options);
}

describe('1. normalising by the reference (traffic)', () => {
  it.each([
    // complaints, traffic, alerts expected (minute, reason)
    ['5x299 15x29 5x59', '100x299 300x29 100x59', []],
    ['5x299 15x29 5x59', '100x389', [[300, 'level_shift']]],
    ['5x299 2x29 5x59', '100x299 40x29 100x59', []],
  ] as const)('complaints %s with traffic %s', (complaints, traffic, expected) => {
    const out = run(complaints, traffic, { model: 'counts', direction: 'up' });
    expect(alerts(out).map((p) => [minute(p), p.reason])).toEqual(expected.map(([m, r]) => [expect.any(Number), r]));
    for (const [i, [m]] of expected.entries()) expect(minute(alerts(out)[i] as DetectorOutput) - m).toBeLessThanOrEqual(3);
  });
});

describe('2. a level shift alerts once, at its onset', () => {
  it.each([
    ['counts', '5x199 15x199', 'counts'],
    ['continuous', '100x199 150x199', 'continuous'],
    ['noisy continuous', `${'100 102 99 101 98 103 100 97 101 102 '.repeat(20)}${'150 152 149 151 148 153 150 147 151 152 '.repeat(20)}`, 'auto'],
    ['counts drop', '40x199 10x199', 'counts'],
  ] as const)('%s', (_name, series, model) => {
    const out = run(series, null, { model });
    const fired = alerts(out);
    expect(fired).toHaveLength(1);
    expect(minute(fired[0] as DetectorOutput)).toBeGreaterThanOrEqual(200);
    expect(minute(fired[0] as DetectorOutput)).toBeLessThanOrEqual(205);
  });

  it('does not alert again when the level returns to normal', () => {
    expect(alerts(run('5x199 15x59 5x199', null, { model: 'counts' }))).toHaveLength(1);
  });
});

describe('3. correlation with the reference', () => {
  const wave = parseSeries('100+10x19 300-10x19 '.repeat(10));
  const points = (share: (i: number) => number) =>
    wave.map((v, i) => ({ t: T0 + i * 60_000, v: Math.round((v ?? 0) * share(i)) }));

  it('a metric that keeps following traffic does not alert', () => {
    expect(alerts(detectSeries(points(() => 0.5), wave, { model: 'counts' }))).toEqual([]);
  });

  it.each(['counts', 'continuous'] as const)('a %s metric that stops following traffic is a correlation break', (model) => {
    const out = detectSeries(points((i) => (i >= 300 && i < 340 ? 0.3 : 0.5)), wave, { model });
    const fired = alerts(out);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ direction: 'down', reason: 'correlation_break' });
    expect(minute(fired[0] as DetectorOutput)).toBeLessThanOrEqual(303);
    expect(out[290]?.correlation).toBeGreaterThan(0.9);
  });

  it('without a reference the same fall is a plain drop', () => {
    expect(alerts(run('100x199 20x50', null, {}))[0]).toMatchObject({ direction: 'down', reason: 'drop' });
  });
});

describe('4. low counts are judged as counts', () => {
  it.each([
    ['1 → 3 at night pages nobody (minCount 3)', '0x100 1 0x50 1 0x30 3 0x20', 0],
    ['a single stray complaint', '0x150 1 0x50', 0],
    ['a real burst at night', '0x100 1 0x50 1 0x30 8 9 7 0x20', 1],
    ['a steady 2 per minute that doubles', '2 1 3 2 2 1 2 3 '.repeat(25) + '4 5 3 4 5 4 4 6 '.repeat(5), 1],
  ])('%s', (_name, series, count) => {
    expect(alerts(run(series, null, {}))).toHaveLength(count);
  });

  it('minCount raises the bar', () => {
    expect(alerts(run('0x150 5 6 0x20', null, { minCount: 3 }))).toHaveLength(1);
    expect(alerts(run('0x150 5 6 0x20', null, { minCount: 20 }))).toHaveLength(0);
  });

  it('a count series at rest scores 0 (the CUSUMs\' evidence is a gain on their sum, not an offset)', () => {
    const out = run('2x400', null, { model: 'counts' });
    expect(out.slice(100).every((p) => p.score === 0 && p.direction === null)).toBe(true);
  });

  it('on Poisson noise the count tests page no more often than their alert level allows', () => {
    // 100,000 minutes at 3 a minute: four tests at p = 1e-5 per point allow about 4 pages; a CUSUM that paged more
    // often than its crossing rate does (a gain too large) would page far more.
    const rand = mulberry32(12);
    const points = Array.from({ length: 100_000 }, (_, i) => ({ t: T0 + i * 60_000, v: poisson(3, rand) }));
    expect(alerts(detectSeries(points, null, { model: 'counts', direction: 'both', rearmMinutes: 10 })).length).toBeLessThanOrEqual(4);
  });

  it('the band of a count is never negative', () => {
    const out = run('0 1 0 0 2 0 1 0 '.repeat(20), null, {});
    expect(out.every((p) => p.lower === null || p.lower >= 0)).toBe(true);
  });
});

describe('direction', () => {
  it.each([
    ['up', 0],
    ['down', 1],
    ['both', 1],
  ] as const)('a drop with direction %s', (direction, count) => {
    expect(alerts(run('100x199 20x50', null, { direction }))).toHaveLength(count);
  });
  it.each([
    ['up', 1],
    ['down', 0],
  ] as const)('a rise with direction %s', (direction, count) => {
    expect(alerts(run('100x199 300x50', null, { direction }))).toHaveLength(count);
  });
});

describe('gaps and odd input', () => {
  it('missing points score 0, keep their place and do not alert', () => {
    const out = run('5x100 _x10 5x50', null, { model: 'counts' });
    expect(out).toHaveLength(162);
    expect(out[105]).toMatchObject({ value: null, score: 0, alert: false });
    expect(alerts(out)).toEqual([]);
  });

  it('a hole in the timestamps is a gap, not an error', () => {
    const pts = seriesPoints('5x200').filter((_, i) => i < 100 || i > 130);
    expect(alerts(detectSeries(pts, null, { model: 'counts' }))).toEqual([]);
  });

  it('duplicate and out-of-order timestamps are ignored', () => {
    const d = createDetector();
    d.update(T0, 5);
    d.update(T0 + 60_000, 5);
    expect(d.update(T0 + 60_000, 500)).toMatchObject({ score: 0, alert: false });
    expect(d.update(T0, 500)).toMatchObject({ score: 0, alert: false });
  });

  it('gives no verdict during warm-up', () => {
    const out = run('5x10 500', null, { warmupMinutes: 60 });
    expect(out.every((p) => p.score === 0 && !p.alert)).toBe(true);
  });
});

describe('state', () => {
  const wavy = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ t: T0 + i * 60_000, v: Math.round(50 + 30 * Math.sin(i / 200) + ((i * 7919) % 13)) }));

  it('is bounded: its size does not grow with the series', () => {
    const size = (n: number) => {
      const d = createDetector();
      for (const p of wavy(n)) d.update(p.t, p.v);
      return JSON.stringify(d.snapshot()).length;
    };
    const small = size(20000);
    const large = size(60000);
    // Same arrays, same fields: only the digits of the numbers differ (the rank test's reference sample holds floats).
    expect(large).toBeLessThan(small * 1.1);
    // About 31 KB for a continuous series: most of it the seasonal median's 288 bins × 7 days.
    expect(large).toBeLessThan(40000);
  });

  it.each([
    ['counts', {}],
    ['continuous', { model: 'continuous' }],
  ] as const)('snapshot → JSON → restore continues exactly (%s)', (_name, options: DetectorOptions) => {
    const points = wavy(4000);
    const whole = detectSeries(points, null, options);
    const first = createDetector(options);
    for (const p of points.slice(0, 2500)) first.update(p.t, p.v);
    const restored = restoreDetector(options, JSON.parse(JSON.stringify(first.snapshot())));
    const rest = points.slice(2500).map((p) => restored.update(p.t, p.v));
    expect(rest).toEqual(whole.slice(2500));
  });

  it('restores a snapshot taken before the recurring peaks existed (same version, fields missing)', () => {
    const options: DetectorOptions = { model: 'continuous' };
    const points = wavy(4000);
    const first = createDetector(options);
    for (const p of points.slice(0, 2500)) first.update(p.t, p.v);
    const saved = JSON.parse(JSON.stringify(first.snapshot())) as Record<string, unknown>;
    for (const key of ['peakUp', 'peakDown', 'todayUp', 'todayDown', 'daysUp', 'daysDown', 'peakDay']) delete saved[key];
    const restored = restoreDetector(options, saved as unknown as ReturnType<typeof first.snapshot>);
    const rest = points.slice(2500).map((p) => restored.update(p.t, p.v));
    expect(rest.every((o) => Number.isFinite(o.score))).toBe(true);
    expect(restored.snapshot().peakUp).toEqual([]);
  });

  it('starts afresh from a snapshot of another version (no crash, no stale baseline)', () => {
    const d = createDetector({ model: 'counts' });
    for (let i = 0; i < 200; i++) d.update(T0 + i * 60_000, 5);
    const old = { ...d.snapshot(), version: 1 };
    const restored = restoreDetector({ model: 'counts' }, old);
    expect(restored.snapshot()).toEqual(createDetector({ model: 'counts' }).snapshot());
    expect(restored.update(T0 + 200 * 60_000, 500)).toMatchObject({ score: 0, alert: false });
  });
});

describe('recurring daily spikes (a pattern, not a new extreme each day)', () => {
  // A calm 5-minute metric with a spike of 1.3 every night at about 03:30 (jittering by up to 20 minutes).
  const series = (days: number, spikeOnLastDay: number) => {
    const points: { t: number; v: number }[] = [];
    for (let i = 0; i < days * 288; i++) {
      const day = Math.floor(i / 288);
      const slotInDay = i % 288;
      const spikeAt = 42 + ((day * 5) % 4);
      let v = 0.07 + 0.002 * ((i * 7919) % 7);
      if (slotInDay === spikeAt) v = day === days - 1 ? spikeOnLastDay : 1.3 + 0.05 * (day % 3);
      points.push({ t: T0 + i * 300_000, v });
    }
    return points;
  };
  const alertsOnDay = (out: DetectorOutput[], day: number) => out.slice(day * 288, (day + 1) * 288).filter((o) => o.alert).length;

  it('stops alerting on the nightly spike once it has recurred, but still alerts on a much larger one', () => {
    const usual = detectSeries(series(8, 1.35), null, { model: 'continuous', probationRows: 288 });
    expect(alertsOnDay(usual, 1)).toBe(1);
    expect(alertsOnDay(usual, 5) + alertsOnDay(usual, 6) + alertsOnDay(usual, 7)).toBe(0);
    const bigger = detectSeries(series(8, 6), null, { model: 'continuous', probationRows: 288 });
    expect(alertsOnDay(bigger, 7)).toBe(1);
  });
});

describe('bursty metrics (calibration has learnt large surprises)', () => {
  // About 10 with a burst of up to e^4.5 ≈ 90 on 8% of the points (a seeded generator: the same series every run).
  function bursty(n: number, extra: (i: number) => number): { t: number; v: number }[] {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    return Array.from({ length: n }, (_, i) => {
      const u = rand();
      const burst = rand() < 0.08 ? Math.exp(4.5 * rand()) : 0;
      return { t: T0 + i * 60_000, v: Math.round(10 + 4 * u + burst) + extra(i) };
    });
  }
  const options = (tuning: DetectorOptions['tuning']): DetectorOptions => ({ model: 'continuous', warmupMinutes: 300, cooldownMinutes: 150, memoryMinutes: 20, tuning });
  const peak = (out: readonly DetectorOutput[], from: number, to: number) => Math.max(...out.slice(from, to).map((p) => p.rawScore));

  it.each([
    // tuning, least and most raw score of the point at 2500 (a new maximum, 30% above the old one)
    [{}, 0.6, 1],
  ] as const)('a new extreme scores high whatever the calibration (%j)', (tuning, low, high) => {
    const out = detectSeries(bursty(2600, (i) => (i === 2500 ? 200 : 0)), null, options(tuning));
    const raw = (out[2500] as DetectorOutput).rawScore;
    expect(raw).toBeGreaterThanOrEqual(low);
    expect(raw).toBeLessThanOrEqual(high);
  });

  it.each([
    // tuning, least and most peak raw score over the 200 points after a shift of +3 (smaller than the noise)
    [{}, 0.35, 1],
  ] as const)('the rank test sees a small sustained shift among bursts (%j)', (tuning, low, high) => {
    const out = detectSeries(bursty(2700, (i) => (i >= 2500 ? 3 : 0)), null, options(tuning));
    expect(peak(out, 2500, 2700)).toBeGreaterThanOrEqual(low);
    expect(peak(out, 2500, 2700)).toBeLessThanOrEqual(high);
  });
});

describe('per-time-of-day spread (whole-number series judged as metrics)', () => {
  // Ten-minute points: a busy day (200–240) and a quiet night (50–54), seeded, five days then one more.
  function daily(offset: number): { t: number; v: number }[] {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    return Array.from({ length: 6 * 144 }, (_, i) => {
      const hour = (i / 6) % 24;
      const v = hour >= 8 && hour < 20 ? 200 + 40 * rand() : 50 + 4 * rand();
      return { t: T0 + i * 600_000, v: Math.round(v) + offset };
    });
  }
  const widths = (offset: number) => {
    const out = detectSeries(daily(offset), null, { model: 'continuous', warmupMinutes: 1440, cooldownMinutes: 720, memoryMinutes: 200 });
    return [5 * 144 + 42, 5 * 144 + 72].map((i) => (out[i]?.upper ?? 0) - (out[i]?.lower ?? 0));
  };

  it('whole numbers are judged on their time of day\'s own error, not one σ for the day', () => {
    // The same series off by 0.5 (not whole numbers) has one σ for the day (measured: 24.8 at 07:00, 55.5 at noon);
    // whole numbers get each slot's error within 0.7–1.5 × that σ (35.6 and 85.9).
    const [night, noon] = widths(0) as [number, number];
    const [flatNight, flatNoon] = widths(0.5) as [number, number];
    expect(night).toBeGreaterThan(1.2 * flatNight);
    expect(noon).toBeGreaterThan(flatNoon);
  });
});
