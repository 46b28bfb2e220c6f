/**
 * Complaint alerts and metric alerts about the same incident become one incident with one owner: the
 * second alert joins the first (an event in both histories) instead of paging. Driven minute by minute
 * like the detect worker does: each series' stored detector points, and an observation per minute.
 */
import { describe, expect, it } from 'vitest';
import { compileAlerting } from '../../../src/alerting/compile.js';
import type { CorrelationPoint } from '../../../src/alerting/correlation.js';
import { evaluate, type AlertEvent, type NotificationIntent } from '../../../src/alerting/evaluate.js';
import type { Observation } from '../../../src/alerting/observation.js';
import { alertingConfigSchema } from '../../../src/config/alerting.js';
import type { Alert } from '../../../src/domain/alert.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 26, 14, 0);

interface Series {
  /** One value per minute from T0. */
  readonly values: readonly number[];
  readonly expected: number;
  readonly half: number;
  readonly direction: 'up' | 'down';
}

const repeat = (v: number, n: number): number[] => Array.from({ length: n }, () => v);

/** Runs evaluate minute by minute; the first out-of-band minute of a run is the detector's `alert`. */
function drive(series: Readonly<Record<string, Series>>, minutes: number, config: unknown = {}) {
  const runtime = compileAlerting(alertingConfigSchema.parse(config));
  const points = new Map<string, CorrelationPoint[]>();
  let open: Alert[] = [];
  const all = new Map<string, Alert>();
  const events: AlertEvent[] = [];
  const pages: NotificationIntent[] = [];
  for (let i = 0; i < minutes; i++) {
    const t = T0 + i * MIN;
    const observations: Observation[] = [];
    for (const [key, s] of Object.entries(series)) {
      const value = s.values[i] ?? s.expected;
      const out = s.direction === 'up' ? value > s.expected + s.half : value < s.expected - s.half;
      const prev = points.get(key)?.at(-1);
      const first = out && !(prev?.alert || (prev && (s.direction === 'up' ? (prev.value ?? 0) > s.expected + s.half : (prev.value ?? 0) < s.expected - s.half)));
      const p: CorrelationPoint = { t, value, expected: s.expected, lower: s.expected - s.half, upper: s.expected + s.half, alert: first, direction: out ? s.direction : null };
      points.set(key, [...(points.get(key) ?? []), p]);
      const anomaly = { series: key, t, value, expected: s.expected, lower: s.expected - s.half, upper: s.expected + s.half, score: 0.9, direction: s.direction, reason: s.direction === 'up' ? ('spike' as const) : ('drop' as const) };
      observations.push(first ? { series: key, t, status: 'anomaly', anomaly, value } : out ? { series: key, t, status: 'out', anomaly, value } : { series: key, t, status: 'in', value, expected: s.expected });
    }
    const result = evaluate({ now: t, alerts: open, observations, silences: [], points }, runtime);
    events.push(...result.events);
    pages.push(...result.notifications);
    for (const a of result.alerts) all.set(a.id, a);
    open = result.alerts.filter((a) => a.state === 'pending' || a.state === 'firing');
  }
  return { alerts: [...all.values()], events, pages };
}

// errors.auth ×9 from minute 10 to 30; login complaints ×6 from minute 14 to 34; logins −40% from minute 14 to 30.
const errors: Series = { values: [...repeat(10, 10), ...repeat(90, 20), ...repeat(10, 40)], expected: 10, half: 6, direction: 'up' };
const complaints: Series = { values: [...repeat(1, 14), ...repeat(7, 20), ...repeat(1, 36)], expected: 1, half: 2, direction: 'up' };
const logins: Series = { values: [...repeat(1000, 14), ...repeat(600, 16), ...repeat(1000, 40)], expected: 1000, half: 60, direction: 'down' };
const quiet: Series = { values: repeat(4, 70), expected: 4, half: 5, direction: 'up' };

describe('one incident across signals', () => {
  it('pages once: the metric that moved first pages, the complaints and the product metric join it', () => {
    const { alerts, events, pages } = drive({ 'errors.auth': errors, 'complaints.login': complaints, logins, 'errors.smtp': quiet }, 70);
    const fired = alerts.filter((a) => a.firingAt !== null);
    expect(fired.map((a) => a.members[0]?.series).sort()).toEqual(['complaints.login', 'errors.auth', 'logins']);
    const parent = fired.find((a) => a.members[0]?.series === 'errors.auth') as Alert;
    const children = fired.filter((a) => a !== parent);
    // One page (and its resolution), from the alert that opened the incident.
    expect(pages.filter((p) => p.kind === 'firing').map((p) => p.alertId)).toEqual([parent.id]);
    expect(new Set(pages.map((p) => p.alertId))).toEqual(new Set([parent.id]));
    for (const c of children) {
      expect(c.attachedTo).toBe(parent.id);
      expect(c.owner).toBe(parent.owner);
      expect(c.notifiedFiring).toBe(false);
      expect(events).toContainEqual(expect.objectContaining({ type: 'attached', alertId: c.id, related: parent.id }));
      expect(events).toContainEqual(expect.objectContaining({ type: 'correlated', alertId: parent.id, related: c.id, series: c.members[0]?.series }));
    }
  });

  it('closes the alerts that joined the incident when it resolves (they never page, not even resolved)', () => {
    const { alerts, events, pages } = drive({ 'errors.auth': errors, 'complaints.login': complaints }, 70);
    const parent = alerts.find((a) => a.members[0]?.series === 'errors.auth') as Alert;
    const child = alerts.find((a) => a.members[0]?.series === 'complaints.login') as Alert;
    expect(child.attachedTo).toBe(parent.id);
    const resolved = (id: string) => events.find((e) => e.type === 'resolved' && e.alertId === id);
    // errors.auth was back in band at minute 30, the complaints at 34: the incident resolved with its own series,
    // and the complaint alert closed with it.
    expect(resolved(parent.id)?.at).toBe(T0 + 40 * MIN);
    expect(resolved(child.id)).toMatchObject({ at: T0 + 40 * MIN, related: parent.id });
    expect(child.state).toBe('resolved');
    expect(child.members.every((m) => m.state === 'ended')).toBe(true);
    expect(pages.map((p) => `${p.kind} ${p.alertId}`)).toEqual([`firing ${parent.id}`, `resolved ${parent.id}`]);
  });

  it('pages twice when the two signals did not move together', () => {
    // The complaints rise 25 minutes after the errors: outside the ±15 min window.
    const late: Series = { values: [...repeat(1, 35), ...repeat(7, 15), ...repeat(1, 20)], expected: 1, half: 2, direction: 'up' };
    const { pages, alerts } = drive({ 'errors.auth': errors, 'complaints.login': late }, 70);
    expect(pages.filter((p) => p.kind === 'firing')).toHaveLength(2);
    expect(alerts.every((a) => (a.attachedTo ?? null) === null)).toBe(true);
  });

  it('keeps two complaint categories apart (one incident per category), even when they rise together', () => {
    const slow: Series = { values: [...repeat(1, 14), ...repeat(7, 20), ...repeat(1, 36)], expected: 1, half: 2, direction: 'up' };
    const { pages } = drive({ 'complaints.login': complaints, 'complaints.slow': slow }, 70);
    expect(pages.filter((p) => p.kind === 'firing')).toHaveLength(2);
  });

  it('pages for each alert when correlation is off (evidence.correlated: 0)', () => {
    const { pages } = drive({ 'errors.auth': errors, 'complaints.login': complaints }, 70, { evidence: { correlated: 0 } });
    expect(pages.filter((p) => p.kind === 'firing')).toHaveLength(2);
  });
});
