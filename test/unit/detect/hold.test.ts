import { describe, expect, it } from 'vitest';
import { detectSeries, type DetectorOutput } from '../../../src/detect/detector.js';
import type { DetectorOptions } from '../../../src/detect/options.js';

const T0 = Date.UTC(2026, 0, 5);
const MIN = 60_000;
const alertsAt = (out: readonly DetectorOutput[]) => out.flatMap((p, i) => (p.alert ? [i] : []));

/** Counts at 5/min for 400 min, with 15-minute incidents at 30/min starting at minutes 300 and 340. */
const series = Array.from({ length: 420 }, (_, i) => ({
  t: T0 + i * MIN,
  v: (i >= 300 && i < 315) || (i >= 340 && i < 355) ? 30 : 5 + ((i * 7) % 3) - 1,
}));

describe('hold and re-arm: one alert per incident, and the next incident alerts again', () => {
  const options = (rearmMinutes: number): DetectorOptions => ({ model: 'counts', direction: 'up', cooldownMinutes: 120, rearmMinutes });

  it.each([
    // rearm minutes, alerts expected near 300 and 340
    [0, 1],
    [10, 2],
  ] as const)('rearm %d min: %d alert(s)', (rearm, count) => {
    const fired = alertsAt(detectSeries(series, null, options(rearm)));
    expect(fired).toHaveLength(count);
    expect(fired[0]).toBeGreaterThanOrEqual(300);
    expect(fired[0]).toBeLessThanOrEqual(302);
    if (count === 2) {
      expect(fired[1]).toBeGreaterThanOrEqual(340);
      expect(fired[1]).toBeLessThanOrEqual(342);
    }
  });

  it('the baseline does not learn from the incident it alerted on', () => {
    const out = detectSeries(series, null, options(10));
    // After the first incident ends and the hold re-arms, the expected value is back near 5, not pulled up.
    expect(out[335]?.expected as number).toBeLessThan(7);
  });
});

describe('the band during an incident shows the baseline from before it', () => {
  it('a drop that lasts: expected stays near the old level while the alert is held', () => {
    // 40/min for 300 min, then 10/min for 100 min (an outage that outlasts the fast re-baselining).
    const points = Array.from({ length: 400 }, (_, i) => ({ t: T0 + i * MIN, v: i < 300 ? 40 + ((i * 7) % 5) - 2 : 10 }));
    const out = detectSeries(points, null, { model: 'counts', direction: 'down' });
    const fired = alertsAt(out);
    expect(fired[0]).toBeGreaterThanOrEqual(300);
    expect(fired[0]).toBeLessThanOrEqual(303);
    expect(out[390]?.expected as number).toBeGreaterThan(30);
  });
});
