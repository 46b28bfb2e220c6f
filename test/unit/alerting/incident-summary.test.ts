import { describe, expect, it } from 'vitest';
import { incidentHeadline, incidentSummary, sizeVsNormal, type IncidentSummaryInput } from '../../../src/alerting/incident-summary.js';

const T = Date.UTC(2026, 10, 26, 11, 3); // Thursday 14:03 in Moscow
const MIN = 60_000;

const base: IncidentSummaryInput = {
  state: 'firing',
  severity: 'critical',
  label: 'Login complaints',
  direction: 'up',
  onset: T,
  endedAt: null,
  count: 412,
  expected: 40,
  now: T + 52 * MIN,
  timezone: 'Europe/Moscow',
  owner: 'Anna',
  acknowledgedBy: null,
  acknowledgedAt: null,
  channels: [{ channel: 'twitter', count: 300 }, { channel: 'email', count: 111 }, { channel: 'beta_form', count: 1 }],
  clusters: [
    { count: 120, text: 'RT: Cannot log in since the update,\n  write to me at anna@example.com or +7 912 345-67-89' },
    { count: 40, text: 'Не могу войти в почту с утра' },
    { count: 3, text: 'password reset loops' },
    { count: 2, text: 'fourth cluster is not listed' },
  ],
  correlated: [{ series: 'errors.auth', label: 'errors.auth', score: 1, direction: 'up', onset: T - 3 * MIN, leadMs: -3 * MIN, ratio: 9, size: '×9' }],
  link: 'https://radar.example.com/#/incidents/complaints.login-x1',
};

describe('incident summary', () => {
  it('says what is wrong in one sentence, in the on-call time zone', () => {
    expect(incidentHeadline(base)).toBe('Login complaints: 10.3× normal, 412 since 14:03 against 40 expected.');
    expect(incidentHeadline({ ...base, label: 'logins', direction: 'down', count: 600, expected: 1000 })).toBe('logins: 40% below normal, 600 since 14:03 against 1000 expected.');
    expect(incidentHeadline({ ...base, expected: null })).toBe('Login complaints: anomalous, 412 since 14:03 (no baseline yet).');
    expect(incidentHeadline({ ...base, state: 'resolved', endedAt: T + 67 * MIN, now: T + 90 * MIN })).toBe(
      'Login complaints: was 10.3× normal from 14:03 to 15:10 (412 against 40 expected); back to normal.',
    );
  });

  it('copies a plain-text status update: what, since when, size vs baseline, owner, state, top clusters (PII masked), what moved, the link', () => {
    expect(incidentSummary(base)).toBe(
      [
        '[FIRING] Login complaints: 10.3× normal, 412 since 14:03 against 40 expected.',
        'Since: Thursday 14:03 (Europe/Moscow), for 52 min',
        'Size: 412 against 40 expected (10.3× normal)',
        'Owner: Anna (not acknowledged)',
        'State: firing, severity critical',
        'Channels: 300 tweets, 111 e-mails, 1 beta report',
        'Top complaints:',
        '- 120 × "RT: Cannot log in since the update, write to me at [email] or [phone]"',
        '- 40 × "Не могу войти в почту с утра"',
        '- 3 × "password reset loops"',
        'At the same time: errors.auth ×9 (started 3 min earlier)',
        'Details: https://radar.example.com/#/incidents/complaints.login-x1',
      ].join('\n'),
    );
  });

  it('a resolved, acknowledged incident without link, channels or clusters', () => {
    const text = incidentSummary({ ...base, state: 'resolved', endedAt: T + 67 * MIN, acknowledgedBy: 'Bob', acknowledgedAt: T + 10 * MIN, channels: [], clusters: [], correlated: [], link: null });
    expect(text.split('\n')).toEqual([
      '[RESOLVED] Login complaints: was 10.3× normal from 14:03 to 15:10 (412 against 40 expected); back to normal.',
      'Since: Thursday 14:03 (Europe/Moscow), lasted 1 h 7 min',
      'Size: 412 against 40 expected (10.3× normal)',
      'Owner: Anna (acknowledged by Bob at 14:13)',
      'State: resolved, severity critical',
    ]);
  });

  it('cuts a long cluster text and keeps it on one line', () => {
    const text = incidentSummary({ ...base, clusters: [{ count: 9, text: `${'слово '.repeat(60)}\n\nend` }] });
    const line = text.split('\n').find((l) => l.startsWith('- 9 ×')) ?? '';
    expect(line.length).toBeLessThanOrEqual('- 9 × ""'.length + 160);
    expect(line.endsWith('…"')).toBe(true);
  });

  it.each([
    [412, 40, 'up', '10.3× normal'],
    [600, 1000, 'down', '40% below normal'],
    [5, 10, 'up', '50% below normal'],
    [5, 0, 'up', null],
    [5, null, 'up', null],
  ] as const)('sizeVsNormal(%d, %j, %s) is %j', (count, expected, direction, text) => {
    expect(sizeVsNormal(count, expected, direction)).toBe(text);
  });
});
