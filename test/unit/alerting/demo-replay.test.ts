/**
 * The demo stream through the detector and the alert state machine (pure, no services), with the
 * default detect and alerting config: each demo incident makes at most one alert, every incident the
 * detector catches on its category makes exactly one, with one firing and one resolved notification.
 */
import { describe, expect, it } from 'vitest';
import { compileAlerting } from '../../../src/alerting/compile.js';
import { evaluate, type NotificationIntent } from '../../../src/alerting/evaluate.js';
import { observationFromPoint, type Observation } from '../../../src/alerting/observation.js';
import { alertingConfigSchema } from '../../../src/config/alerting.js';
import { compileDetectorOptions, detectConfigSchema } from '../../../src/config/detect.js';
import { createDetector, type Detector } from '../../../src/detect/detector.js';
import type { Alert } from '../../../src/domain/alert.js';
import { SERIES } from '../../../src/series/counts.js';
import { createDemoGenerator } from '../../../src/sources/demo/index.js';

const MIN = 60_000;
const GRACE = 10 * MIN;

describe('demo stream → detector → alerts', () => {
  it('one alert per caught incident over 12 hours of demo time (after 2 days of warm-up)', () => {
    const demo = createDemoGenerator({ seed: 42, peakTrafficPerMinute: 60_000, complaintsPerMillionVisits: 40, incidentEveryMs: 6 * MIN, incidentLengthMs: 4 * MIN, stepMs: MIN });
    const detectConfig = detectConfigSchema.parse({});
    const runtime = compileAlerting(alertingConfigSchema.parse({}));
    const series = [SERIES.complaints, ...demo.categories.map(SERIES.complaintsByCategory), ...(['twitter', 'email', 'beta_form'] as const).map(SERIES.complaintsByChannel)];
    const detectors = new Map<string, Detector>(series.map((s) => [s, createDetector(compileDetectorOptions(detectConfig, s)?.options ?? {})]));
    const start = Date.UTC(2026, 10, 23, 0, 0);
    const from = start + 2 * 86_400_000 + 6 * 3_600_000;
    const to = from + 12 * 3_600_000;
    let open: Alert[] = [];
    const alerts = new Map<string, Alert>();
    const notifications: NotificationIntent[] = [];
    const detections: { t: number; series: string }[] = [];
    for (let t = start; t < to; t += MIN) {
      const minute = demo.minute(t);
      const counts = new Map<string, number>(series.map((s) => [s, 0]));
      const add = (s: string) => counts.set(s, (counts.get(s) ?? 0) + 1);
      for (const m of minute.messages) {
        const truth = (m.meta as { truth?: { complaint: boolean; category: string | null } } | undefined)?.truth;
        if (!truth?.complaint) continue;
        add(SERIES.complaints);
        if (truth.category) add(SERIES.complaintsByCategory(truth.category));
        add(SERIES.complaintsByChannel(m.channel));
      }
      const observations: Observation[] = [];
      for (const s of series) {
        const point = detectors.get(s)?.update(t, counts.get(s) ?? 0, minute.traffic);
        if (!point) continue;
        if (point.alert && t >= from) detections.push({ t, series: s });
        const obs = t >= from ? observationFromPoint(s, point) : null;
        if (obs) observations.push(obs);
      }
      const result = evaluate({ now: t, alerts: open, observations, silences: [] }, runtime);
      for (const a of result.alerts) alerts.set(a.id, a);
      notifications.push(...result.notifications);
      open = result.alerts.filter((a) => a.state === 'pending' || a.state === 'firing');
    }
    const fired = [...alerts.values()].filter((a) => a.firingAt !== null);
    const incidents = demo.incidentsBetween(from, to - GRACE);
    expect(incidents.length).toBeGreaterThan(50);
    for (const incident of incidents) {
      const key = SERIES.complaintsByCategory(incident.category);
      const inWindow = (t: number) => t >= incident.start && t < incident.end + GRACE;
      const hits = fired.filter((a) => a.groupKey === key && inWindow(a.firingAt ?? 0));
      const caught = detections.some((d) => d.series === key && inWindow(d.t));
      expect(hits.length, `${incident.id} ${incident.category}`).toBe(caught ? 1 : 0);
    }
    // Never more alerts than detections; each alert sends one firing and (once over) one resolved.
    expect(fired.length).toBeLessThanOrEqual(detections.length);
    for (const a of fired) {
      const kinds = notifications.filter((n) => n.alertId === a.id).map((n) => n.kind);
      expect(kinds.filter((k) => k === 'firing'), a.id).toEqual(['firing']);
      expect(kinds.filter((k) => k === 'resolved'), a.id).toEqual(a.state === 'resolved' ? ['resolved'] : []);
      expect(kinds.filter((k) => k !== 'firing' && k !== 'resolved'), a.id).toEqual([]);
    }
  });
});
