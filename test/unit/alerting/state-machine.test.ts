import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/alerting/evaluate.js';
import { compileAlerting } from '../../../src/alerting/compile.js';
import { alertingConfigSchema } from '../../../src/config/alerting.js';
import { MIN, T0, anomaly, run } from './harness.js';
import { observationFromPoint, type Observation } from '../../../src/alerting/observation.js';
import type { Alert } from '../../../src/domain/alert.js';

const rule = (extra: Record<string, unknown> = {}) => ({
  rules: [{ name: 'complaints', match: ['complaints*'], directions: ['up'], for: '2m', resolveHold: '3m', ...extra }],
  oncall: { people: [{ id: 'anna', name: 'Anna' }], escalation: { after: 0 } },
});

describe('state machine: one series, literal tracks', () => {
  const cases: { name: string; track: string; config?: Record<string, unknown>; events: string[]; notifications: string[] }[] = [
    {
      name: 'a single spike never fires (for 2m) and is cancelled after the resolve hold',
      track: 'a.......',
      events: ['0 pending complaints.login', '4 cancelled'],
      notifications: [],
    },
    {
      name: 'an anomaly that holds 2 minutes fires, then resolves 3 minutes after returning to band',
      track: 'aooo........',
      events: ['0 pending complaints.login', '2 firing anna', '7 resolved'],
      notifications: ['2 firing anna', '7 resolved anna'],
    },
    {
      name: 'for: 0 fires on the first anomaly',
      track: 'a.......',
      config: { for: 0 },
      events: ['0 pending complaints.login', '0 firing anna', '4 resolved'],
      notifications: ['0 firing anna', '4 resolved anna'],
    },
    {
      name: 'a flapping series stays one alert: one firing, one resolved',
      track: 'aa.a.a..a.aa.a..........',
      events: ['0 pending complaints.login', '3 firing anna', '17 resolved'],
      notifications: ['3 firing anna', '17 resolved anna'],
    },
    {
      name: 'a gap longer than the resolve hold makes two alerts',
      track: 'aaa.....aaa........',
      events: ['0 pending complaints.login', '2 firing anna', '6 resolved', '8 pending complaints.login', '10 firing anna', '14 resolved'],
      notifications: ['2 firing anna', '6 resolved anna', '10 firing anna', '14 resolved anna'],
    },
    {
      name: 'sparse detector output: silence means in band once the hold has passed',
      track: 'a_a_a__________',
      events: ['0 pending complaints.login', '2 firing anna', '8 resolved'],
      notifications: ['2 firing anna', '8 resolved anna'],
    },
    {
      name: '"out" keeps an alert going but never starts one',
      track: 'ooooo....',
      events: [],
      notifications: [],
    },
    {
      name: 'a drop does not count for an up-only rule',
      track: 'dddddd....',
      events: [],
      notifications: [],
    },
    {
      name: 'a dip inside the pending period does not reset "for" (flap protection)',
      track: 'a.a.......',
      events: ['0 pending complaints.login', '2 firing anna', '6 resolved'],
      notifications: ['2 firing anna', '6 resolved anna'],
    },
  ];
  it.each(cases)('$name', ({ track, config, events, notifications }) => {
    const result = run({ 'complaints.login': track }, { config: rule(config) });
    expect(result.events).toEqual(events);
    expect(result.notifications).toEqual(notifications);
  });

  it('keeps the peak and the latest anomaly of each member', () => {
    const runtime = compileAlerting(alertingConfigSchema.parse(rule({ for: 0 })));
    const first = evaluate({ now: T0, alerts: [], observations: [{ series: 'complaints.login', t: T0, status: 'anomaly', anomaly: anomaly('complaints.login', T0, 'up', 0.7) }], silences: [] }, runtime);
    const second = evaluate(
      { now: T0 + MIN, alerts: first.alerts, observations: [{ series: 'complaints.login', t: T0 + MIN, status: 'anomaly', anomaly: anomaly('complaints.login', T0 + MIN, 'up', 0.95) }], silences: [] },
      runtime,
    );
    const third = evaluate(
      { now: T0 + 2 * MIN, alerts: second.alerts, observations: [{ series: 'complaints.login', t: T0 + 2 * MIN, status: 'anomaly', anomaly: anomaly('complaints.login', T0 + 2 * MIN, 'up', 0.8) }], silences: [] },
      runtime,
    );
    const member = third.alerts[0]?.members[0];
    expect(member?.peak?.score).toBe(0.95);
    expect(member?.latest?.score).toBe(0.8);
    expect(member?.anomalies).toBe(3);
    expect(third.alerts[0]?.id).toBe(`complaints-${T0.toString(36)}`);
  });

  it('ignores anomalies under the rule\'s minScore', () => {
    const runtime = compileAlerting(alertingConfigSchema.parse(rule({ for: 0, minScore: 0.95 })));
    const r = evaluate({ now: T0, alerts: [], observations: [{ series: 'complaints.login', t: T0, status: 'anomaly', anomaly: anomaly('complaints.login', T0, 'up', 0.9) }], silences: [] }, runtime);
    expect(r.alerts).toEqual([]);
  });

  it('processes a catch-up batch of several minutes in time order, same as tick by tick', () => {
    const runtime = compileAlerting(alertingConfigSchema.parse(rule()));
    const track = 'aooo........';
    const observations = [...track].map((c, i) => ({
      series: 'complaints.login',
      t: T0 + i * MIN,
      status: c === 'a' ? ('anomaly' as const) : c === 'o' ? ('out' as const) : ('in' as const),
    }));
    const batch = evaluate({ now: T0 + (track.length - 1) * MIN, alerts: [], observations, silences: [] }, runtime);
    expect(batch.events.map((e) => `${(e.at - T0) / MIN} ${e.type}`)).toEqual(['0 pending', '2 firing', '7 resolved']);
    expect(batch.notifications.map((n) => n.key)).toEqual([`complaints-${T0.toString(36)}-firing-0`, `complaints-${T0.toString(36)}-resolved-1`]);
  });

  it('a detector that re-learns its baseline after firing: values still beyond the onset band keep the alert', () => {
    const runtime = compileAlerting(alertingConfigSchema.parse(rule({ for: 0 })));
    // Onset band upper = 9 (see anomaly()); afterwards the detector calls every point "in band".
    const values = [20, 15, 12, 11, 10, 4, 3, 5, 2, 4, 3, 4];
    let alerts: readonly Alert[] = [];
    const events: string[] = [];
    values.forEach((value, i) => {
      const t = T0 + i * MIN;
      const obs: Observation = i === 0 ? { series: 'complaints.login', t, status: 'anomaly', anomaly: anomaly('complaints.login', t), value } : { series: 'complaints.login', t, status: 'in', value };
      const r = evaluate({ now: t, alerts, observations: [obs], silences: [] }, runtime);
      events.push(...r.events.map((e) => `${i} ${e.type}`));
      alerts = r.alerts.filter((a) => a.state === 'pending' || a.state === 'firing');
    });
    // Last value beyond 9 at minute 4; in band from 5; resolve hold 3 minutes → resolved at 8.
    expect(events).toEqual(['0 pending', '0 firing', '8 resolved']);
  });

  it('observationFromPoint: alert → anomaly, outside the band → out, else in; null during warm-up', () => {
    const p = { t: T0, value: 12, score: 0.9, expected: 5, lower: 2, upper: 9, direction: 'up' as const, reason: 'spike' as const, alert: true };
    expect(observationFromPoint('s', p)?.status).toBe('anomaly');
    expect(observationFromPoint('s', { ...p, alert: false, score: 0.1 })?.status).toBe('out');
    expect(observationFromPoint('s', { ...p, alert: false, value: 6, direction: null, reason: null })).toEqual({ series: 's', t: T0, status: 'in', value: 6, expected: 5 });
    expect(observationFromPoint('s', { ...p, alert: false, value: 6, expected: null, lower: null, upper: null, direction: null, reason: null })).toBeNull();
    expect(observationFromPoint('s', { ...p, value: null })).toBeNull();
  });

  it('ignores series no rule matches', () => {
    const r = run({ traffic: 'aaaaaa' }, { config: rule({ for: 0 }) });
    expect(r.events).toEqual([]);
  });
});

describe('default rules', () => {
  it('complaints alert on a rise only, at once; other series one alert each, both directions', () => {
    const r = run(
      { 'complaints.login': 'aaaa.........', 'complaints.payment': 'dddd.........', traffic: 'dddd.........', 'errors.5xx': 'aaaa.........' },
      { config: {}, tail: 3 },
    );
    expect(r.events).toEqual([
      '0 pending complaints.login',
      '0 pending errors.5xx',
      '0 pending traffic',
      '0 firing oncall',
      '0 firing oncall',
      '0 firing oncall',
      '14 resolved',
      '14 resolved',
      '14 resolved',
    ]);
    expect([...r.alerts.values()].map((a) => a.groupKey).sort()).toEqual(['complaints.login', 'metrics.errors.5xx', 'metrics.traffic']);
  });
});
