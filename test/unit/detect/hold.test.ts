import { describe, expect, it } from 'vitest';
import { createDetector, detectSeries, restoreDetector, type DetectorOutput } from '../../../src/detect/detector.js';
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

describe('re-arm on a sparse count series (pooled evidence, not a run of quiet points)', () => {
  /** About 0.6 complaints a minute (0, 1 or 2, never ten zeros in a row), with 10-minute incidents at 8/min. */
  const sparse = (starts: readonly number[], length: number, level: number) =>
    Array.from({ length: 480 }, (_, i) => ({
      t: T0 + i * MIN,
      v: starts.some((s) => i >= s && i < s + length) ? level : [0, 1, 0, 2, 1, 0, 1][i % 7] as number,
    }));
  const options: DetectorOptions = { model: 'counts', direction: 'up', cooldownMinutes: 120, rearmMinutes: 10 };

  it('two incidents an hour apart alert twice (the first one ended well within the cooldown)', () => {
    const fired = alertsAt(detectSeries(sparse([300, 370], 10, 8), null, options));
    expect(fired).toHaveLength(2);
    expect(fired[0]).toBeGreaterThanOrEqual(300);
    expect(fired[0]).toBeLessThanOrEqual(303);
    expect(fired[1]).toBeGreaterThanOrEqual(370);
    expect(fired[1]).toBeLessThanOrEqual(373);
  });

  it('a snapshot saved before the re-arm evidence existed restores with none gathered and still re-arms', () => {
    const points = sparse([300, 370], 10, 8);
    const detector = createDetector(options);
    for (const p of points.slice(0, 305)) detector.update(p.t, p.v);
    const saved = detector.snapshot() as unknown as Record<string, unknown>;
    expect(saved.holdLeft as number).toBeGreaterThan(0);
    delete saved.returnEvidence;
    const restored = restoreDetector(options, saved as unknown as ReturnType<typeof detector.snapshot>);
    expect(restored.snapshot().returnEvidence).toBe(0);
    const fired = points.slice(305).flatMap((p, i) => (restored.update(p.t, p.v).alert ? [305 + i] : []));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(370);
  });

  it('an incident that goes on at almost three times the old rate for two hours alerts once (no re-arm while it lasts)', () => {
    const normal = [0, 1, 0, 2, 1, 0, 1]; // 0.71 a minute
    const raised = [2, 3, 1, 2, 2, 3, 1, 2, 2, 2]; // 2 a minute
    const points = Array.from({ length: 480 }, (_, i) => ({ t: T0 + i * MIN, v: (i >= 300 && i < 420 ? raised[i % 10] : normal[i % 7]) as number }));
    const fired = alertsAt(detectSeries(points, null, options));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(300);
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
