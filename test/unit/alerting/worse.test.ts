import { describe, expect, it } from 'vitest';
import { compileAlerting } from '../../../src/alerting/compile.js';
import { evaluate } from '../../../src/alerting/evaluate.js';
import { worseMember, worseRatio } from '../../../src/alerting/worse.js';
import { newAlert, newMember } from '../../../src/alerting/new-alert.js';
import { buildNotification } from '../../../src/alerting/notification.js';
import { compileOncall } from '../../../src/alerting/oncall.js';
import { notificationParts } from '../../../src/notify/format.js';
import { alertingConfigSchema } from '../../../src/config/alerting.js';
import type { Alert } from '../../../src/domain/alert.js';
import { MIN, T0, runPoints } from './harness.js';

const config = (extra: Record<string, unknown> = {}) => ({
  rules: [{ name: 'complaints', match: ['complaints*'], directions: ['up', 'down'], for: 0, resolveHold: '3m', groupInterval: 0, ...extra }],
  oncall: { people: [{ id: 'anna', name: 'Anna' }], escalation: { after: 0 } },
});

describe('a burst inside an open alert: peak tracked, paged again when clearly worse', () => {
  const cases: {
    name: string;
    points: string;
    rule?: Record<string, unknown>;
    ackAt?: Record<number, string>;
    events: string[];
    notifications: string[];
  }[] = [
    {
      name: 'the issue: opened on 2 a minute, a burst of 18–29 four minutes later pages again',
      points: 'a2 o2 o2 o2 a18 o29 o25 .1 .1 .1 .1',
      events: ['0 pending', '0 firing', '4 worse 2>18', '10 resolved'],
      notifications: ['0 firing anna', '4 worse anna', '10 resolved anna'],
    },
    {
      name: 'at most every groupInterval: the page waits and carries the higher peak',
      points: 'a2 o2 o2 o2 a18 o29 o25 .1 .1 .1 .1',
      rule: { groupInterval: '5m' },
      events: ['0 pending', '0 firing', '5 worse 2>29', '10 resolved'],
      notifications: ['0 firing anna', '5 worse anna', '10 resolved anna'],
    },
    {
      name: 'an acknowledged alert is still paged when it gets clearly worse',
      points: 'a2 o2 o2 o2 a18 o29 o25 .1 .1 .1 .1',
      ackAt: { 2: 'anna' },
      events: ['0 pending', '0 firing', '4 worse 2>18', '10 resolved'],
      notifications: ['0 firing anna', '4 worse anna', '10 resolved anna'],
    },
    {
      name: 'worseFactor 0 never pages again',
      points: 'a2 o2 o2 o2 a18 o29 o25 .1 .1 .1 .1',
      rule: { worseFactor: 0 },
      events: ['0 pending', '0 firing', '10 resolved'],
      notifications: ['0 firing anna', '10 resolved anna'],
    },
    {
      name: 'less than twice as far from normal (9 → 17 above 1) is not news',
      points: 'a10 o12 o15 o18 .1 .1 .1 .1',
      events: ['0 pending', '0 firing', '7 resolved'],
      notifications: ['0 firing anna', '7 resolved anna'],
    },
    {
      name: 'exactly twice as far (9 → 18 above 1) is',
      points: 'a10 o19 .1 .1 .1 .1',
      events: ['0 pending', '0 firing', '1 worse 10>19', '5 resolved'],
      notifications: ['0 firing anna', '1 worse anna', '5 resolved anna'],
    },
    {
      name: 'each page is the new reference: a doubling every minute pages each time',
      points: 'a3 o5 o9 o17 .1 .1 .1 .1',
      events: ['0 pending', '0 firing', '1 worse 3>5', '2 worse 5>9', '3 worse 9>17', '7 resolved'],
      notifications: ['0 firing anna', '1 worse anna', '2 worse anna', '3 worse anna', '7 resolved anna'],
    },
    {
      name: 'a peak already back in band by the time the interval allows is not paged on its own',
      points: 'a3 o5 o9 o17 .1 .1 .1 .1',
      rule: { groupInterval: '2m' },
      events: ['0 pending', '0 firing', '2 worse 3>9', '7 resolved'],
      notifications: ['0 firing anna', '2 worse anna', '7 resolved anna'],
    },
    {
      name: 'a drop: twice as far below normal (5 → 10 below 10)',
      points: 'd5/10 o4/10 o0/10 .10/10 .10/10 .10/10 .10/10',
      events: ['0 pending', '0 firing', '2 worse 5>0', '6 resolved'],
      notifications: ['0 firing anna', '2 worse anna', '6 resolved anna'],
    },
    {
      name: 'a detector that re-learnt its baseline calls the burst "in band"; the alert still sees it',
      points: 'a3 .3/3 .8/3 .1 .1 .1 .1',
      events: ['0 pending', '0 firing', '2 worse 3>8', '6 resolved'],
      notifications: ['0 firing anna', '2 worse anna', '6 resolved anna'],
    },
    {
      name: 'a page sent at the band edge is measured from the band, not from noise (0.2 above 1, band ±1)',
      points: 'a1.2 o1.5 o2 o2.9 o3 .1 .1 .1 .1',
      events: ['0 pending', '0 firing', '4 worse 1.2>3', '8 resolved'],
      notifications: ['0 firing anna', '4 worse anna', '8 resolved anna'],
    },
  ];
  it.each(cases)('$name', ({ points, rule, ackAt, events, notifications }) => {
    const r = runPoints('complaints.login', points, { config: config(rule), ...(ackAt ? { ackAt } : {}) });
    expect(r.events.map((e) => e.replace(/ complaints\.login$| anna$/, ''))).toEqual(events);
    expect(r.notifications).toEqual(notifications);
  });

  it('keeps the peak (value, expected, time) of the episode and says what was paged, with deterministic keys', () => {
    const r = runPoints('complaints.login', 'a2 o2 o2 o2 a18 o29 o25 .1 .1 .1 .1', { config: config() });
    const alert = [...r.alerts.values()][0];
    const id = `complaints-${T0.toString(36)}`;
    expect(alert?.members[0]?.worst).toEqual({ t: T0 + 5 * MIN, value: 29, expected: 1 });
    expect(alert?.members[0]?.worstPaged).toEqual({ t: T0 + 4 * MIN, value: 18, expected: 1 });
    expect(r.intents.map((n) => n.key)).toEqual([`${id}-firing-0`, `${id}-worse-1`, `${id}-resolved-2`]);
    expect(r.intents[1]?.worse).toEqual({ series: 'complaints.login', peak: { t: T0 + 4 * MIN, value: 18, expected: 1 }, paged: { t: T0, value: 2, expected: 1 } });
  });

  it('a retried tick gives the same intent; the next tick from the saved alert does not repeat it', () => {
    const runtime = compileAlerting(alertingConfigSchema.parse(config()));
    const s = 'complaints.login';
    const anomaly = (t: number, value: number) => ({ series: s, t, value, expected: 1, lower: 0, upper: 2, score: 0.9, direction: 'up' as const, reason: 'spike' as const });
    const first = evaluate({ now: T0, alerts: [], observations: [{ series: s, t: T0, status: 'anomaly', anomaly: anomaly(T0, 2), value: 2 }], silences: [] }, runtime);
    const burst = { now: T0 + MIN, alerts: first.alerts, observations: [{ series: s, t: T0 + MIN, status: 'anomaly' as const, anomaly: anomaly(T0 + MIN, 20), value: 20 }], silences: [] };
    const once = evaluate(burst, runtime);
    const again = evaluate(burst, runtime);
    expect(once.notifications.map((n) => n.key)).toEqual([`complaints-${T0.toString(36)}-worse-1`]);
    expect(again.notifications).toEqual(once.notifications);
    const next = evaluate({ ...burst, now: T0 + 2 * MIN, alerts: once.alerts, observations: [{ series: s, t: T0 + 2 * MIN, status: 'out', anomaly: anomaly(T0 + 2 * MIN, 21), value: 21 }] }, runtime);
    expect(next.notifications).toEqual([]);
  });

  it('an alert saved before peaks were tracked starts tracking, and is compared only after its next page', () => {
    const runtime = compileAlerting(alertingConfigSchema.parse(config()));
    const s = 'complaints.login';
    const opened = runPoints(s, 'a2', { config: config() });
    const legacy = [...opened.alerts.values()].map((a) => ({ ...a, members: a.members.map(({ worst: _w, worstPaged: _p, ...m }) => m) })) as unknown as Alert[];
    const r = evaluate(
      { now: T0 + MIN, alerts: legacy, observations: [{ series: s, t: T0 + MIN, status: 'out', value: 20, anomaly: { series: s, t: T0 + MIN, value: 20, expected: 1, lower: 0, upper: 2, score: 0.5, direction: 'up', reason: 'spike' } }], silences: [] },
      runtime,
    );
    expect(r.notifications).toEqual([]);
    expect(r.alerts[0]?.members[0]?.worst).toEqual({ t: T0 + MIN, value: 20, expected: 1 });
    expect(r.alerts[0]?.members[0]?.worstPaged).toBeNull();
  });
});

describe('worseRatio / worseMember', () => {
  const onset = { series: 's', t: 0, value: 3, expected: 1, lower: 0, upper: 2, score: 0.9, direction: 'up' as const, reason: 'spike' as const };
  const cases: { name: string; worst: [number, number] | null; paged: [number, number] | null; ratio: number | null }[] = [
    { name: 'never paged: nothing to compare', worst: [9, 1], paged: null, ratio: null },
    { name: 'no peak yet', worst: null, paged: [3, 1], ratio: null },
    { name: 'deviation over the paged deviation', worst: [9, 1], paged: [3, 1], ratio: 4 },
    { name: 'the paged deviation is floored at the onset band half-width', worst: [3, 1], paged: [1.5, 1], ratio: 2 },
    { name: 'expected moved up: measured from the expected at each point', worst: [13, 9], paged: [3, 1], ratio: 2 },
  ];
  it.each(cases)('$name', ({ worst, paged, ratio }) => {
    const m = newMember({
      series: 's',
      state: 'firing',
      since: 0,
      onset,
      worst: worst && { t: 1, value: worst[0], expected: worst[1] },
      worstPaged: paged && { t: 0, value: paged[0], expected: paged[1] },
    });
    expect(worseRatio(m)).toBe(ratio);
    expect(worseMember([m], 2) !== null).toBe(ratio !== null && ratio >= 2);
    expect(worseMember([m], 0)).toBeNull();
  });
  it('the largest ratio wins; on a tie the category series names the page, not the total it is part of', () => {
    const member = (series: string, value: number) =>
      newMember({ series, state: 'firing', since: 0, onset, worst: { t: 1, value, expected: 1 }, worstPaged: { t: 0, value: 3, expected: 1 } });
    expect(worseMember([member('complaints', 9), member('complaints.login', 9)], 2)?.series).toBe('complaints.login');
    expect(worseMember([member('complaints', 11), member('complaints.login', 9)], 2)?.series).toBe('complaints');
    expect(worseMember([member('complaints.login', 9), member('complaints', 9)], 2)?.series).toBe('complaints.login');
    expect(worseMember([{ ...member('complaints.login', 99), inBandSince: 1 }], 2)).toBeNull();
  });
});

describe('the worse notification', () => {
  const oncall = compileOncall(alertingConfigSchema.parse({ oncall: { timezone: 'Europe/Moscow', people: [{ id: 'anna', name: 'Anna' }] } }).oncall);
  const T = Date.UTC(2026, 10, 26, 11, 7); // 14:07 in Moscow
  const alert = newAlert({
    id: 'complaints-x1',
    rule: 'complaints',
    groupKey: 'complaints',
    severity: 'warning',
    state: 'firing',
    members: [newMember({ series: 'complaints.login', state: 'firing', since: T - 6 * MIN, firingSince: T - 6 * MIN })],
    startsAt: T - 6 * MIN,
    owner: 'anna',
  });
  const worse = { series: 'complaints.login', peak: { t: T, value: 29, expected: 1 }, paged: { t: T - 6 * MIN, value: 2, expected: 1 } };
  const cases: { name: string; worse: typeof worse; line: string }[] = [
    { name: 'a rise', worse, line: 'worse: Login complaints peaked at 29 at 14:07 (expected 1), 28× further from normal than the 2 (expected 1) paged at 14:01' },
    {
      name: 'a drop',
      worse: { series: 'traffic', peak: { t: T, value: 0, expected: 10 }, paged: { t: T - 6 * MIN, value: 5, expected: 10 } },
      line: 'worse: traffic fell at 0 at 14:07 (expected 10), 2× further from normal than the 5 (expected 10) paged at 14:01',
    },
  ];
  it.each(cases)('says how much worse: $name', ({ worse: w, line }) => {
    const n = buildNotification({ intent: { key: 'complaints-x1-worse-1', kind: 'worse', at: T, owner: 'anna', worse: w }, alert, evidence: null, oncall, ack: null });
    expect(n.title).toMatch(/^\[FIRING, WORSE\] /);
    expect(n.summary.split('; ')).toContain(line);
    expect(n.worse).toEqual(w);
    expect(notificationParts(n).facts).toContain(`W${line.slice(1)}`);
  });
  it('other kinds carry no worse line', () => {
    const n = buildNotification({ intent: { key: 'k', kind: 'firing', at: T, owner: 'anna' }, alert, evidence: null, oncall, ack: null });
    expect(n.summary).not.toContain('worse');
    expect(notificationParts(n).facts.some((f) => f.startsWith('Worse'))).toBe(false);
  });
});
