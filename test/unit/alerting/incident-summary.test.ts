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

  it('in Russian (the dashboard\'s Russian UI): the same facts in Russian, numbers as ru-RU writes them, the on-call time zone', () => {
    const ru: IncidentSummaryInput = {
      ...base,
      locale: 'ru',
      label: 'Жалобы: login',
      count: 1075,
      expected: 425.1,
      acknowledgedBy: 'Anna',
      acknowledgedAt: T + 5 * MIN,
      correlated: [{ ...base.correlated![0]!, label: 'errors.auth' }],
    };
    const nbsp = '\u00a0'; // ru-RU groups thousands with a no-break space
    expect(incidentHeadline(ru)).toBe(`Жалобы: login: ×2,5 от нормы, 1${nbsp}075 с 14:03 при ожидании 425.`);
    expect(incidentSummary(ru)).toBe(
      [
        `[АКТИВЕН] Жалобы: login: ×2,5 от нормы, 1${nbsp}075 с 14:03 при ожидании 425.`,
        'Начало: чт 14:03 (Europe/Moscow), идёт 52 мин',
        `Объём: 1${nbsp}075 при ожидании 425 (×2,5 от нормы)`,
        'Ответственный: Anna (подтвердил Anna в 14:08)',
        'Состояние: активен, важность: критично',
        'Каналы: twitter: 300, email: 111, beta_form: 1',
        'Главные жалобы:',
        '- 120 × «RT: Cannot log in since the update, write to me at [email] or [phone]»',
        '- 40 × «Не могу войти в почту с утра»',
        '- 3 × «password reset loops»',
        'Одновременно: errors.auth ×9 (начался на 3 мин раньше)',
        'Подробнее: https://radar.example.com/#/incidents/complaints.login-x1',
      ].join('\n'),
    );
    // channels in words when the caller names them (the api: through the dashboard's catalogue)
    const names: Record<string, string> = { twitter: 'Twitter', email: 'эл. почта' };
    expect(incidentSummary({ ...ru, channelName: (c) => names[c] ?? c }).split('\n')).toContain('Каналы: Twitter: 300, эл. почта: 111, beta_form: 1');
    expect(incidentHeadline({ ...ru, direction: 'down', count: 600, expected: 1000 })).toBe('Жалобы: login: на 40% ниже нормы, 600 с 14:03 при ожидании 1\u00a0000.');
    expect(incidentHeadline({ ...ru, expected: null })).toBe(`Жалобы: login: аномалия, 1${nbsp}075 с 14:03 (нормы ещё нет).`);
    const over = incidentSummary({ ...ru, state: 'resolved', endedAt: T + 67 * MIN, now: T + 90 * MIN });
    expect(over.split('\n').slice(0, 2)).toEqual([
      `[РЕШЁН] Жалобы: login: было ×2,5 от нормы с 14:03 до 15:10 (1${nbsp}075 при ожидании 425); вернулось к норме.`,
      'Начало: чт 14:03 (Europe/Moscow), длилось 1 ч 7 мин',
    ]);
    // English stays the default
    expect(incidentSummary({ ...ru, locale: 'en', label: 'Login complaints' })).toMatch(/^\[FIRING\] Login complaints: 2\.5× normal, 1075 since 14:03/);
  });
});
