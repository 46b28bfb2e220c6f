import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { incidentHeadline, incidentSummary, sizeVsNormal, type IncidentSummaryInput } from '../../../src/alerting/incident-summary.js';
import { notificationWords } from '../../../src/alerting/notification-words.js';
import type { Translate } from '../../../src/alerting/series-name.js';
import { translator } from '../../../src/dashboard/i18n.js';

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

  it('English through the catalogue is the English text without one, byte for byte', () => {
    const en = { lang: 'en', t: translator('en') } as const;
    const inputs: IncidentSummaryInput[] = [
      base,
      { ...base, expected: null },
      { ...base, expected: 0 },
      { ...base, direction: 'down', count: 600, expected: 1000, owner: null },
      { ...base, state: 'resolved', endedAt: T + 67 * MIN, acknowledgedBy: null, acknowledgedAt: T + 10 * MIN },
      { ...base, state: 'cancelled', endedAt: T + 30_000, expected: null, severity: 'info', maxClusters: 5 },
      { ...base, clusters: [{ count: 4, text: 'a {count} and {text} $& stay as written' }], label: 'Label {label}' },
    ];
    for (const input of inputs) {
      expect(incidentSummary({ ...input, language: en })).toBe(incidentSummary(input));
      expect(incidentHeadline({ ...input, language: en })).toBe(incidentHeadline(input));
    }
    expect(incidentSummary(inputs.at(-1)!).split('\n')).toContain('- 4 × "a {count} and {text} $& stay as written"');
    expect(incidentHeadline(inputs.at(-1)!)).toBe('Label {label}: 10.3× normal, 412 since 14:03 against 40 expected.');
  });

  it('in Russian (the dashboard\'s Russian UI): the same facts from the catalogue, numbers as ru-RU writes them, the on-call time zone', () => {
    const ru: IncidentSummaryInput = {
      ...base,
      language: { lang: 'ru', t: translator('ru') },
      label: 'Жалобы: login',
      count: 1075,
      expected: 425.1,
      acknowledgedBy: 'Anna',
      acknowledgedAt: T + 5 * MIN,
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
        'Каналы: Twitter: 300, эл. почта: 111, форма бета-тестеров: 1',
        'Главные жалобы:',
        '- 120 × «RT: Cannot log in since the update, write to me at [email] or [phone]»',
        '- 40 × «Не могу войти в почту с утра»',
        '- 3 × «password reset loops»',
        'Одновременно: errors.auth ×9 (начался на 3 мин раньше)',
        'Подробнее: https://radar.example.com/#/incidents/complaints.login-x1',
      ].join('\n'),
    );
    expect(incidentHeadline({ ...ru, direction: 'down', count: 600, expected: 1000 })).toBe('Жалобы: login: на 40% ниже нормы, 600 с 14:03 при ожидании 1\u00a0000.');
    expect(incidentHeadline({ ...ru, expected: null })).toBe(`Жалобы: login: аномалия, 1${nbsp}075 с 14:03 (нормы ещё нет).`);
    // the ratio with one decimal, as in English ("10.3× normal")
    expect(incidentHeadline({ ...ru, count: 412, expected: 40 })).toBe('Жалобы: login: ×10,3 от нормы, 412 с 14:03 при ожидании 40.');
    const over = incidentSummary({ ...ru, state: 'resolved', endedAt: T + 67 * MIN, now: T + 90 * MIN });
    expect(over.split('\n').slice(0, 2)).toEqual([
      `[РЕШЁН] Жалобы: login: было ×2,5 от нормы с 14:03 до 15:10 (1${nbsp}075 при ожидании 425); вернулось к норме.`,
      'Начало: чт 14:03 (Europe/Moscow), длилось 1 ч 7 мин',
    ]);
    expect(incidentHeadline({ ...ru, state: 'cancelled', endedAt: T + 67 * MIN, expected: null })).toBe(`Жалобы: login: аномалия с 14:03 до 15:10 (1${nbsp}075); вернулось к норме.`);
    expect(incidentHeadline({ ...ru, state: 'resolved', endedAt: T + 67 * MIN, expected: 0 })).toBe(
      `Жалобы: login: аномалия с 14:03 до 15:10 (1${nbsp}075 при ожидании 0); вернулось к норме.`,
    );
    const quiet = incidentSummary({ ...ru, state: 'pending', severity: 'info', owner: null, acknowledgedAt: null, expected: 0, channels: [], clusters: [], correlated: [], link: null });
    expect(quiet.split('\n').slice(2)).toEqual(['Объём: 1\u00a0075 при ожидании 0', 'Ответственный: никто (не подтверждён)', 'Состояние: ожидает, важность: инфо']);
    expect(incidentSummary({ ...ru, expected: null }).split('\n')).toContain('Объём: 1\u00a0075 (нормы ещё нет)');
    // what moved with it: complaint series and sizes worded for Russian; other series keep their label
    const moved = incidentSummary({
      ...ru,
      correlated: [
        { series: 'complaints.channel.email', label: 'Complaints via e-mail', score: 1, direction: 'up', onset: T, leadMs: 2 * MIN, ratio: null, size: '12.5 vs ~0.3' },
        { series: 'logins', label: 'Logins', score: 1, direction: 'down', onset: T, leadMs: 0, ratio: 0.6, size: '−40%' },
      ],
    });
    expect(moved.split('\n')).toContain('Одновременно: Жалобы, канал: эл. почта 12,5 при ожидании ~0,3 (начался на 2 мин позже), Logins −40%');
    // a message text is put in as written, placeholders and all
    expect(incidentSummary({ ...ru, clusters: [{ count: 2, text: 'код {count} не {text} приходит $&' }] }).split('\n')).toContain('- 2 × «код {count} не {text} приходит $&»');
    // English stays the default
    expect(incidentSummary({ ...ru, language: undefined, label: 'Login complaints' })).toMatch(/^\[FIRING\] Login complaints: 2\.5× normal, 1075 since 14:03/);
    expect(sizeVsNormal(412, 40, 'up', notificationWords('ru', translator('ru')))).toBe('×10,3 от нормы');
  });

  it('in Russian, every phrase it asks for is in the catalogue (states and severities included)', () => {
    const catalogue = JSON.parse(readFileSync(new URL('../../../src/dashboard/static/i18n/ru.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const asked = new Set<string>();
    const ru = translator('ru');
    const t: Translate = (text, vars) => (asked.add(text), ru(text, vars));
    for (const state of ['pending', 'firing', 'resolved', 'cancelled'] as const) {
      for (const severity of ['info', 'warning', 'critical'] as const) {
        for (const expected of [null, 0, 40, 1000]) {
          const input: IncidentSummaryInput = { ...base, state, severity, expected, endedAt: state === 'resolved' || state === 'cancelled' ? T + 9 * MIN : null, language: { lang: 'ru', t } };
          incidentSummary(input);
          incidentSummary({ ...input, owner: null, acknowledgedAt: T, direction: 'down', correlated: [{ ...base.correlated![0]!, leadMs: 5 * MIN }] });
        }
      }
    }
    expect(asked.size).toBeGreaterThan(25);
    expect([...asked].filter((k) => typeof catalogue[k] !== 'string')).toEqual([]);
  });
});
