/**
 * One source for a series in words: the dashboard (static/views/common.js `seriesLabel`) and the server
 * (src/alerting/series-name.ts `seriesLabel` with the catalogue's translator, used by the Russian copy
 * summary and the ack page) both word a complaint series with the same catalogue keys, so the Russian
 * wording lives in static/i18n/ru.json only. Channel and language names come from the catalogue too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { channelName, languageName, seriesLabel } from '../../../src/alerting/series-name.js';
import { translator } from '../../../src/dashboard/i18n.js';
import { CHANNEL_NAMES, CHANNELS } from '../../../src/domain/message.js';

const STATIC = join(import.meta.dirname, '../../../src/dashboard/static');
const ru = JSON.parse(readFileSync(join(STATIC, 'i18n/ru.json'), 'utf8')) as Record<string, string>;

interface Dashboard {
  seriesLabel: (series: string, fallback?: string) => string;
  channelName: (channel: string) => string;
}

/** The dashboard's own modules, in Russian: its i18n.js loads the catalogue as in a Russian browser. */
async function dashboardInRussian(): Promise<Dashboard> {
  vi.stubGlobal('localStorage', { getItem: () => 'ru', setItem: () => undefined });
  vi.stubGlobal('document', { documentElement: {}, cookie: '' });
  vi.stubGlobal('navigator', { languages: ['ru-RU'], language: 'ru-RU' });
  vi.stubGlobal('fetch', async (url: string) => {
    expect(url).toBe('/static/i18n/ru.json');
    return new Response(JSON.stringify(ru), { status: 200 });
  });
  // @ts-expect-error -- the dashboard is plain browser JavaScript
  const i18n = (await import('../../../src/dashboard/static/i18n.js')) as { loadLanguage: () => Promise<string> };
  expect(await i18n.loadLanguage()).toBe('ru');
  // @ts-expect-error -- the dashboard is plain browser JavaScript
  return (await import('../../../src/dashboard/static/views/common.js')) as Dashboard;
}

const SERIES = [
  'complaints',
  'complaints.login',
  'complaints.payment_failed',
  ...CHANNELS.map((c) => `complaints.${c}`),
  ...CHANNELS.map((c) => `complaints.channel.${c}`),
  'complaints.channel.fax',
  'complaints.lang.ru',
  'complaints.lang.en',
  'complaints.lang.de',
];

describe('series labels: one wording for the dashboard and the server', () => {
  let dashboard: Dashboard;
  beforeAll(async () => {
    dashboard = await dashboardInRussian();
  });
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('the dashboard and the server word every kind of complaint series alike, in Russian', () => {
    const t = translator('ru');
    for (const series of SERIES) expect(seriesLabel(series, {}, t), series).toBe(dashboard.seriesLabel(series, 'English label from the API'));
    for (const channel of [...CHANNELS, 'fax']) expect(channelName(channel, t), channel).toBe(dashboard.channelName(channel));
  });

  it('the words are the catalogue\'s: channel and language names translated, category names as configured', () => {
    const t = translator('ru');
    expect(seriesLabel('complaints', {}, t)).toBe(ru['All complaints']);
    expect(seriesLabel('complaints.login', { 'complaints.login': 'Sign-in trouble' }, t)).toBe(ru['Complaints: {category}']?.replace('{category}', 'login'));
    expect(seriesLabel('complaints.email', {}, t)).toBe('Жалобы, канал: эл. почта');
    expect(seriesLabel('complaints.channel.twitter', {}, t)).toBe('Жалобы, канал: Twitter');
    expect(seriesLabel('complaints.helpdesk', {}, t)).toBe('Жалобы, канал: служба поддержки');
    expect(seriesLabel('complaints.lang.ru', {}, t)).toBe('Жалобы, язык: русский');
    expect(languageName('en', t)).toBe('английский');
    expect(seriesLabel('traffic', { traffic: 'Site visits' }, t)).toBe('Site visits');
    expect(seriesLabel('errors.auth', {}, t)).toBe('errors.auth');
    // no channel key left in Russian text
    for (const c of CHANNELS) expect(seriesLabel(`complaints.${c}`, {}, t)).not.toContain(c);
  });

  it('every channel name has a Russian entry', () => {
    expect(Object.values(CHANNEL_NAMES).filter((name) => typeof ru[name] !== 'string')).toEqual([]);
  });

  it('English stays the API\'s wording', () => {
    expect(seriesLabel('complaints.email')).toBe('Complaints via e-mail');
    expect(seriesLabel('complaints.lang.ru')).toBe('Complaints in Russian');
  });
});
