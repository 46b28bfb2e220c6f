/**
 * The detector and the alert state machine together on simulated complaint streams (pure, no
 * services): one incident must make at most one alert, and every incident the detector catches must
 * make exactly one, which resolves within about the resolve hold after the incident ends.
 */
import { describe, expect, it } from 'vitest';
import { compileAlerting } from '../../../src/alerting/compile.js';
import { evaluate } from '../../../src/alerting/evaluate.js';
import { observationFromPoint } from '../../../src/alerting/observation.js';
import { alertingConfigSchema } from '../../../src/config/alerting.js';
import { compileDetectorOptions, detectConfigSchema } from '../../../src/config/detect.js';
import { createDetector } from '../../../src/detect/detector.js';
import type { Alert } from '../../../src/domain/alert.js';
import { simulate } from '../../helpers/complaint-sim.js';

const GRACE = 30;

describe('detector + alerting on simulated complaint streams (default config)', () => {
  const runtime = compileAlerting(alertingConfigSchema.parse({}));
  const detectorOptions = compileDetectorOptions(detectConfigSchema.parse({}), 'complaints.payments')?.options ?? {};
  it.each([1, 2, 3])('seed %i: one alert per caught incident, resolved near its end', (seed) => {
    const sim = simulate({ seed: 7000 + seed, days: 21, quietDays: 7 });
    const detector = createDetector(detectorOptions);
    let open: Alert[] = [];
    const alerts = new Map<string, Alert>();
    const detections: number[] = [];
    sim.complaints.forEach((value, i) => {
      const t = sim.t0 + i * sim.step;
      const point = detector.update(t, value, sim.traffic[i] ?? null);
      if (point.alert) detections.push(i);
      const obs = observationFromPoint('complaints.payments', point);
      const result = evaluate({ now: t, alerts: open, observations: obs ? [obs] : [], silences: [] }, runtime);
      for (const a of result.alerts) alerts.set(a.id, a);
      open = result.alerts.filter((a) => a.state === 'pending' || a.state === 'firing');
    });
    const index = (t: number) => Math.round((t - sim.t0) / sim.step);
    const fired = [...alerts.values()].filter((a) => a.firingAt !== null);
    for (const incident of sim.incidents.filter((x) => x.kind !== 'drop')) {
      const inWindow = (i: number) => i >= incident.start && i < incident.end + GRACE;
      const hits = fired.filter((a) => inWindow(index(a.firingAt ?? 0)));
      const caught = detections.some(inWindow);
      expect(hits.length, `incident at ${incident.start}`).toBe(caught ? 1 : 0);
      const end = hits[0]?.endedAt;
      if (end != null) expect(index(end) - incident.end).toBeLessThanOrEqual(GRACE);
    }
    expect(fired.length).toBeLessThanOrEqual(detections.length);
  });
});
