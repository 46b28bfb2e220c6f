import { describe, expect, it } from 'vitest';
import type { Silence } from '../../../src/domain/alert.js';
import { MIN, T0, run } from './harness.js';

const people = [
  { id: 'anna', name: 'Anna' },
  { id: 'boris', name: 'Boris' },
  { id: 'carl', name: 'Carl' },
];
const base = (extra: { rule?: Record<string, unknown>; escalation?: Record<string, unknown> } = {}) => ({
  rules: [
    { name: 'complaints', match: ['complaints', 'complaints.*'], directions: ['up'], for: '2m', resolveHold: '3m', ...extra.rule },
    { name: 'metrics', match: ['*'], group: 'series', for: '2m', resolveHold: '3m' },
  ],
  oncall: { timezone: 'UTC', people, rotation: { start: '2026-11-23', handover: '10:00' }, escalation: { after: 0, ...extra.escalation } },
});

describe('grouping and dedup', () => {
  it('related complaint series at the same time are one incident with one owner', () => {
    const r = run({ 'complaints.login': 'aaaa.......', 'complaints.channel.twitter': '_aaaa......', complaints: '__aaa......' }, { config: base() });
    expect(r.events).toEqual([
      '0 pending complaints.login',
      '1 series_added complaints.channel.twitter',
      '2 series_added complaints',
      '2 firing anna',
      '8 resolved',
    ]);
    expect(r.notifications).toEqual(['2 firing anna', '8 resolved anna']);
    const alert = [...r.alerts.values()][0];
    expect(alert?.members.map((m) => m.series)).toEqual(['complaints.login', 'complaints.channel.twitter', 'complaints']);
  });

  it('group: series keeps one alert per series', () => {
    const r = run({ traffic: 'aaa......', 'errors.5xx': 'aaa......' }, { config: base() });
    expect(r.events.filter((e) => e.includes('firing'))).toEqual(['2 firing anna', '2 firing anna']);
    expect(r.alerts.size).toBe(2);
  });

  it('a series that fires later in an open incident sends one update, after the group interval', () => {
    const r = run(
      { 'complaints.login': 'aoooooooooooooo....', 'complaints.payment': '____aoooooooooo....' },
      { config: base({ rule: { groupInterval: '5m' } }) },
    );
    expect(r.notifications).toEqual(['2 firing anna', '7 updated anna', '18 resolved anna']);
  });

  it('repeats an unacknowledged alert every repeat interval, not more often', () => {
    const r = run({ 'complaints.login': `a${'o'.repeat(30)}` }, { config: base({ rule: { repeatInterval: '10m' } }) });
    expect(r.notifications).toEqual(['2 firing anna', '12 repeat anna', '22 repeat anna']);
  });

  it('stops repeating once acknowledged; resolved is still sent', () => {
    const r = run({ 'complaints.login': `a${'o'.repeat(25)}....` }, { config: base({ rule: { repeatInterval: '10m' } }), ackAt: { 5: 'anna' }, tail: 1 });
    expect(r.notifications).toEqual(['2 firing anna', '29 resolved anna']);
    const alert = [...r.alerts.values()][0];
    expect(alert?.acknowledgedBy).toBe('anna');
    expect(alert?.acknowledgedAt).toBe(T0 + 5 * MIN);
  });
});

describe('escalation', () => {
  it('passes an unacknowledged alert down the rotation, one person at a time, then stops', () => {
    const r = run({ 'complaints.login': `a${'o'.repeat(40)}` }, { config: base({ escalation: { after: '15m' } }) });
    expect(r.notifications).toEqual(['2 firing anna', '17 escalated boris', '32 escalated carl']);
    expect(r.events.filter((e) => e.includes('escalated'))).toEqual(['17 escalated anna>boris', '32 escalated boris>carl']);
    const alert = [...r.alerts.values()][0];
    expect(alert?.owner).toBe('carl');
    expect(alert?.escalations.map((e) => e.level)).toEqual([1, 2]);
  });

  it('does not escalate once acknowledged', () => {
    const r = run({ 'complaints.login': `a${'o'.repeat(40)}` }, { config: base({ escalation: { after: '15m' } }), ackAt: { 10: 'anna' } });
    expect(r.notifications).toEqual(['2 firing anna']);
  });

  it('follows an explicit chain and maxSteps', () => {
    const r = run({ 'complaints.login': `a${'o'.repeat(40)}` }, { config: base({ escalation: { after: '10m', to: ['carl', 'boris'], maxSteps: 1 } }) });
    expect(r.notifications).toEqual(['2 firing anna', '12 escalated carl']);
  });

  it('a resolved notification goes to the current (escalated) owner', () => {
    const r = run({ 'complaints.login': `a${'o'.repeat(16)}....` }, { config: base({ escalation: { after: '10m' } }) });
    expect(r.notifications).toEqual(['2 firing anna', '12 escalated boris', '20 resolved boris']);
  });
});

describe('silences', () => {
  const silence = (s: Partial<Silence>): Silence => ({
    id: 's1',
    startsAt: T0 - MIN,
    endsAt: T0 + 60 * MIN,
    createdBy: 'ops',
    comment: 'maintenance',
    ...s,
  });

  it('a silenced alert is recorded (events) but nothing is sent, not even resolved', () => {
    const r = run({ 'complaints.login': 'aaaa.......' }, { config: base(), silences: [silence({ series: 'complaints.login' })] });
    expect(r.events).toEqual(['0 pending complaints.login', '2 firing anna', '2 silenced s1', '7 resolved']);
    expect(r.notifications).toEqual([]);
    expect([...r.alerts.values()][0]?.silencedBy).toEqual(['s1']);
  });

  it('matches by category pattern', () => {
    const r = run({ 'complaints.login': 'aaaa.......' }, { config: base(), silences: [silence({ category: 'log*' })] });
    expect(r.notifications).toEqual([]);
  });

  it('when the silence ends while still firing, the alert is sent then', () => {
    const r = run({ 'complaints.login': `a${'o'.repeat(12)}....` }, { config: base(), silences: [silence({ series: 'complaints.*', endsAt: T0 + 6 * MIN })] });
    expect(r.events).toContain('6 unsilenced');
    expect(r.notifications).toEqual(['6 firing anna', '16 resolved anna']);
  });

  it('does not mute an incident when one of its series is not covered', () => {
    const r = run(
      { 'complaints.login': 'aaaa.......', 'complaints.payment': 'aaaa.......' },
      { config: base(), silences: [silence({ series: 'complaints.login' })] },
    );
    expect(r.notifications).toEqual(['2 firing anna', '7 resolved anna']);
  });

  it('ignores silences outside their time range', () => {
    const r = run({ 'complaints.login': 'aaaa.......' }, { config: base(), silences: [silence({ series: '*', startsAt: T0 + 30 * MIN, endsAt: T0 + 40 * MIN })] });
    expect(r.notifications).toEqual(['2 firing anna', '7 resolved anna']);
  });
});

describe('grouping by category', () => {
  const config = { ...base({ rule: { group: 'category' } }) };
  it('two categories at the same time are two incidents; the channel series joins the latest', () => {
    const r = run({ 'complaints.login': 'aaaa.......', 'complaints.payment': '_aaaa......', 'complaints.twitter': '__aaa......' }, { config });
    const alerts = [...r.alerts.values()];
    expect(alerts.map((a) => [a.groupKey, a.members.map((m) => m.series)])).toEqual([
      ['complaints.login', ['complaints.login']],
      ['complaints.payment', ['complaints.payment', 'complaints.twitter']],
    ]);
    expect(r.notifications).toEqual(['2 firing anna', '3 firing anna', '7 resolved anna', '8 resolved anna']);
  });

  it('an incident first seen on a channel takes the category that joins it', () => {
    const r = run({ 'complaints.channel.twitter': 'aaaa.......', complaints: '_aaa.......', 'complaints.login': '__aaa......' }, { config });
    const alerts = [...r.alerts.values()];
    expect(alerts.map((a) => [a.groupKey, a.members.map((m) => m.series)])).toEqual([
      ['complaints.login', ['complaints.channel.twitter', 'complaints', 'complaints.login']],
    ]);
    expect(r.events).toEqual([
      '0 pending complaints.channel.twitter',
      '1 series_added complaints',
      '2 series_added complaints.login',
      '2 firing anna',
      '8 resolved',
    ]);
  });

  it('the same category again after resolving is a new incident', () => {
    const r = run({ 'complaints.login': 'aaa.....aaa........' }, { config });
    expect([...r.alerts.values()].map((a) => a.groupKey)).toEqual(['complaints.login', 'complaints.login']);
  });
});
