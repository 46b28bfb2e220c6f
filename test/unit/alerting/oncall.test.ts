import { describe, expect, it } from 'vitest';
import { alertingConfigSchema } from '../../../src/config/alerting.js';
import { compileOncall, escalationChain, whoIsOnCall } from '../../../src/alerting/oncall.js';
import { parseLocalDateTime, zonedToEpoch } from '../../../src/alerting/time-zone.js';

const people = [
  { id: 'anna', name: 'Anna' },
  { id: 'boris', name: 'Boris' },
  { id: 'carl', name: 'Carl' },
];
const compile = (oncall: Record<string, unknown>) => compileOncall(alertingConfigSchema.parse({ oncall: { people, ...oncall } }).oncall);
const at = (iso: string) => Date.parse(iso);

describe('rotation with hand-over times (Europe/Berlin, weekly, Monday 10:00 from 2026-01-05)', () => {
  const oncall = compile({ timezone: 'Europe/Berlin', rotation: { start: '2026-01-05', handover: '10:00', shiftDays: 7 } });
  it.each([
    ['2026-01-05T08:59:59Z', 'carl', 'one second before the first hand-over (09:59:59 CET): the previous shift'],
    ['2026-01-05T09:00:00Z', 'anna', 'at the hand-over, 10:00 CET'],
    ['2026-01-11T23:00:00Z', 'anna', 'Monday 00:00 local, before the hand-over'],
    ['2026-01-12T08:59:59Z', 'anna', 'just before the next hand-over'],
    ['2026-01-12T09:00:00Z', 'boris', 'next week'],
    ['2026-01-19T09:00:00Z', 'carl', 'third week'],
    ['2026-01-26T09:00:00Z', 'anna', 'wraps around'],
    ['2026-03-30T07:59:59Z', 'carl', 'after the switch to summer time: 09:59:59 CEST'],
    ['2026-03-30T08:00:00Z', 'anna', '10:00 CEST is 08:00 UTC'],
    ['2025-12-29T09:00:00Z', 'carl', 'before the start date, counting backwards'],
  ])('%s → %s (%s)', (time, person) => {
    expect(whoIsOnCall(oncall, at(time)).person).toBe(person);
  });
});

describe('daily rotation (Europe/Moscow, 09:00)', () => {
  const oncall = compile({ timezone: 'Europe/Moscow', rotation: { people: ['boris', 'anna'], start: '2026-11-26', handover: '09:00', shiftDays: 1 } });
  it.each([
    ['2026-11-26T05:59:00Z', 'anna'],
    ['2026-11-26T06:00:00Z', 'boris'],
    ['2026-11-27T05:59:59Z', 'boris'],
    ['2026-11-27T06:00:00Z', 'anna'],
    ['2026-11-28T06:00:00Z', 'boris'],
  ])('%s → %s', (time, person) => {
    expect(whoIsOnCall(oncall, at(time)).person).toBe(person);
  });
});

describe('overrides and schedule slots', () => {
  const oncall = compile({
    timezone: 'Europe/Berlin',
    rotation: { start: '2026-01-05', handover: '10:00' },
    schedule: [{ person: 'carl', from: '22:00', to: '06:00' }],
    overrides: [
      { person: 'boris', from: '2026-01-07T18:00', to: '2026-01-08T09:00', reason: 'swap' },
      { person: 'anna', from: '2026-01-07T20:00:00+01:00', to: '2026-01-07T21:00:00+01:00' },
    ],
  });
  it.each([
    ['2026-01-07T16:59:59Z', 'anna', 'rotation'],
    ['2026-01-07T17:00:00Z', 'boris', 'override'],
    ['2026-01-07T19:30:00Z', 'anna', 'override'],
    ['2026-01-07T20:00:00Z', 'boris', 'override'],
    ['2026-01-08T07:59:59Z', 'boris', 'override'],
    ['2026-01-08T08:00:00Z', 'anna', 'rotation'],
    ['2026-01-08T21:00:00Z', 'carl', 'schedule'],
    ['2026-01-09T04:59:59Z', 'carl', 'schedule'],
    ['2026-01-09T05:00:00Z', 'anna', 'rotation'],
  ])('%s → %s by %s', (time, person, why) => {
    const answer = whoIsOnCall(oncall, at(time));
    expect([answer.person, answer.why]).toEqual([person, why]);
  });
});

describe('the default on-call', () => {
  it('is one person, always', () => {
    const oncall = compileOncall(alertingConfigSchema.parse({}).oncall);
    expect(whoIsOnCall(oncall, at('2026-11-26T14:00:00Z')).person).toBe('oncall');
    expect(escalationChain(oncall, 'oncall')).toEqual([]);
  });
});

describe('escalation chain', () => {
  it.each([
    [{}, 'boris', ['carl', 'anna']],
    [{}, 'carl', ['anna', 'boris']],
    [{ to: ['carl', 'anna'] }, 'anna', ['carl']],
    [{ maxSteps: 1 }, 'anna', ['boris']],
  ])('%j from %s → %j', (escalation, owner, chain) => {
    expect(escalationChain(compile({ escalation }), owner)).toEqual(chain);
  });
});

describe('escalation from someone outside the rotation', () => {
  it('goes to the rotation from its start', () => {
    const oncall = compile({ rotation: { people: ['anna', 'boris'] } });
    expect(escalationChain(oncall, 'carl')).toEqual(['anna', 'boris']);
  });
});

describe('time zones', () => {
  it.each([
    ['2026-03-29T02:30', 'Europe/Berlin', '2026-03-29T01:30:00.000Z', 'skipped by the DST jump: maps forward to 03:30 CEST'],
    ['2026-10-25T01:30', 'Europe/Berlin', '2026-10-24T23:30:00.000Z', 'plain summer time'],
    ['2026-11-26T14:00', 'Europe/Moscow', '2026-11-26T11:00:00.000Z', 'UTC+3'],
    ['2026-11-26T14:00:00Z', 'Europe/Moscow', '2026-11-26T14:00:00.000Z', 'an explicit offset wins'],
    ['2026-11-26 14:00:00+05:00', 'UTC', '2026-11-26T09:00:00.000Z', 'space separator'],
  ])('%s in %s → %s (%s)', (text, tz, iso) => {
    expect(new Date(parseLocalDateTime(text, tz) ?? 0).toISOString()).toBe(iso);
  });
  it('round-trips local midnight in Asia/Kolkata (+05:30)', () => {
    expect(new Date(zonedToEpoch(2026, 1, 1, 0, 0, 0, 'Asia/Kolkata')).toISOString()).toBe('2025-12-31T18:30:00.000Z');
  });
});
