/**
 * Complaint alerts and metric alerts about the same incident become one incident with one owner: the
 * second alert joins the first (an event in both histories) instead of paging. Driven minute by minute
 * like the detect worker does: each series' stored detector points, and an observation per minute.
 */
import { describe, expect, it } from 'vitest';
import { compileAlerting } from '../../../src/alerting/compile.js';
import { absorbedBy, correlatedWith, leadText, type CorrelationPoint } from '../../../src/alerting/correlation.js';
import { newMember } from '../../../src/alerting/new-alert.js';
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
  return { alerts: [...all.values()], events, pages, points };
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

describe('an incident still under way absorbs its later signals', () => {
  // errors.auth ×9 from minute 10 to 80: a long outage.
  const long: Series = { values: [...repeat(10, 10), ...repeat(90, 70), ...repeat(10, 40)], expected: 10, half: 6, direction: 'up' };
  // Login complaints ×6 from minute 44: 34 minutes after the errors rose, outside the ±15 min window.
  const lateComplaints: Series = { values: [...repeat(1, 44), ...repeat(7, 30), ...repeat(1, 46)], expected: 1, half: 2, direction: 'up' };

  it('joins when the incident is still under way at its onset, however long ago it began, and names its true lead', () => {
    const { alerts, events, pages, points } = drive({ 'errors.auth': long, 'complaints.login': lateComplaints, 'errors.smtp': quiet }, 120);
    const parent = alerts.find((a) => a.members[0]?.series === 'errors.auth') as Alert;
    const child = alerts.find((a) => a.members[0]?.series === 'complaints.login') as Alert;
    expect(child.attachedTo).toBe(parent.id);
    expect(pages.filter((p) => p.kind === 'firing').map((p) => p.alertId)).toEqual([parent.id]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'correlated', alertId: parent.id, related: child.id, series: 'complaints.login' }));
    // Its evidence, with the incident it joined, names the errors with their true lead.
    const evidence = correlatedWith(child, points, T0 + 60 * MIN, { windowMs: 15 * MIN, limit: 3 }, [parent]);
    const auth = evidence.find((c) => c.series === 'errors.auth');
    expect(auth?.leadMs).toBe(-34 * MIN);
    expect(leadText(auth?.leadMs ?? 0)).toBe('started 34 min earlier');
    // Without the incident, the ±15 min rule leaves that earlier move out.
    expect(correlatedWith(child, points, T0 + 60 * MIN, { windowMs: 15 * MIN, limit: 3 }).map((c) => c.series)).not.toContain('errors.auth');
  });

  it('does not join when the incident is still open but its series is back in band at the onset', () => {
    // errors.auth back in band at minute 30; the incident is still firing (resolve hold) when the complaints
    // rise at minute 33, 23 minutes after the errors.
    const after: Series = { values: [...repeat(1, 33), ...repeat(7, 20), ...repeat(1, 37)], expected: 1, half: 2, direction: 'up' };
    const { alerts, pages, events } = drive({ 'errors.auth': errors, 'complaints.login': after }, 90);
    const parent = alerts.find((a) => a.members[0]?.series === 'errors.auth') as Alert;
    const child = alerts.find((a) => a.members[0]?.series === 'complaints.login') as Alert;
    expect(child.firingAt).not.toBeNull();
    const parentResolved = events.find((e) => e.type === 'resolved' && e.alertId === parent.id)?.at ?? 0;
    // The complaint alert fired while the errors' incident was still open.
    expect(child.firingAt as number).toBeLessThan(parentResolved);
    expect(child.attachedTo ?? null).toBeNull();
    expect(pages.filter((p) => p.kind === 'firing').map((p) => p.alertId).sort()).toEqual([child.id, parent.id].sort());
  });

  it('joins a complaint alert raised during the incident even when its onset, anchored back along weak evidence, is earlier', () => {
    // errors.smtp ×9 from minute 20; delivery complaints in band but leaning up (the detector scoring a little)
    // from minute 17, out of band from minute 30, the alert raised at minute 33.
    const pts = (f: (i: number) => Partial<CorrelationPoint> & { value: number }, expected: number, half: number): CorrelationPoint[] =>
      Array.from({ length: 40 }, (_, i) => ({ t: T0 + i * MIN, expected, lower: Math.max(0, expected - half), upper: expected + half, alert: false, ...f(i) }));
    const points = new Map<string, CorrelationPoint[]>([
      ['errors.smtp', pts((i) => ({ value: i < 20 ? 10 : 90, alert: i === 20, direction: i < 20 ? null : 'up' }), 10, 6)],
      ['complaints.delivery', pts((i) => ({ value: i < 17 ? 1 : i < 30 ? 2 : 5, direction: i < 17 ? null : 'up', score: i < 17 ? 0 : 0.1 }), 1, 2)],
    ]);
    const up = (series: string, t: number, value: number, expected: number, half: number) => ({ series, t, value, expected, lower: expected - half, upper: expected + half, score: 0.9, direction: 'up' as const, reason: 'spike' as const });
    const onset = up('errors.smtp', T0 + 20 * MIN, 90, 10, 6);
    const incident = { startsAt: T0 + 20 * MIN, members: [newMember({ series: 'errors.smtp', state: 'firing', since: T0 + 20 * MIN, onset, peak: onset })] };
    const raised = up('complaints.delivery', T0 + 33 * MIN, 5, 1, 2);
    const alert = { startsAt: T0 + 33 * MIN, members: [newMember({ series: 'complaints.delivery', state: 'pending', since: T0 + 33 * MIN, onset: raised, peak: raised })] };
    const settings = { windowMs: 15 * MIN, limit: 3 };
    // Its evidence names the errors as starting after its (anchored) onset…
    expect(correlatedWith(alert, points, T0 + 34 * MIN, settings).find((c) => c.series === 'errors.smtp')?.leadMs).toBe(3 * MIN);
    // …yet it was raised 13 minutes into the errors' incident, still under way: it joins.
    expect(absorbedBy(alert, [incident], points, T0 + 34 * MIN, settings)).toBe(true);
    // Raised before the errors moved, it does not.
    const early = { startsAt: T0 + 19 * MIN, members: [newMember({ series: 'complaints.delivery', state: 'pending', since: T0 + 19 * MIN, onset: raised, peak: raised })] };
    expect(absorbedBy(early, [incident], points, T0 + 34 * MIN, settings)).toBe(false);
  });

  it('does not join across unrelated series: a metric moving during another incident is an incident of its own', () => {
    // errors.smtp out of band from minute 10 to 100; errors.auth rises at minute 40 and login complaints at 43.
    const smtp: Series = { values: [...repeat(10, 10), ...repeat(90, 90), ...repeat(10, 20)], expected: 10, half: 6, direction: 'up' };
    const auth: Series = { values: [...repeat(10, 40), ...repeat(90, 25), ...repeat(10, 55)], expected: 10, half: 6, direction: 'up' };
    const login: Series = { values: [...repeat(1, 43), ...repeat(7, 20), ...repeat(1, 57)], expected: 1, half: 2, direction: 'up' };
    const { alerts, pages } = drive({ 'errors.smtp': smtp, 'errors.auth': auth, 'complaints.login': login }, 120);
    const bySeries = (s: string) => alerts.find((a) => a.members[0]?.series === s) as Alert;
    // errors.auth pages on its own; the login complaints join it (they moved with it), not the smtp incident.
    expect(bySeries('errors.auth').attachedTo ?? null).toBeNull();
    expect(bySeries('complaints.login').attachedTo).toBe(bySeries('errors.auth').id);
    expect(pages.filter((p) => p.kind === 'firing').map((p) => p.alertId).sort()).toEqual([bySeries('errors.smtp').id, bySeries('errors.auth').id].sort());
  });
});
