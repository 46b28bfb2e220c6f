/**
 * The ack link's pages in English and Russian: every word from the dashboard's catalogue (the series as
 * the dashboard words it, channel names included), numbers and times for the locale, a language link
 * that is a plain GET, the confirm form still a POST that keeps the language, every value escaped.
 */
import { describe, expect, it } from 'vitest';
import { renderAckPage, renderAckProblem, type AckAlertView } from '../../../src/dashboard/ack-page.js';

const T = Date.UTC(2026, 2, 2, 10, 4);
const MIN = 60_000;

const view = (over: Partial<AckAlertView> = {}): AckAlertView => ({
  id: 'complaints.login-abc',
  series: 'complaints.login',
  labels: {},
  category: 'login',
  state: 'firing',
  severity: 'critical',
  since: T,
  endedAt: null,
  rate: { kind: 'window', count: 1075, minutes: 10, expected: 1.25, ratio: 33.3 },
  owner: 'alice',
  onCallNow: null,
  acknowledgedBy: null,
  acknowledgedAt: null,
  ...over,
});

const field = (html: string, name: string) => new RegExp(`<dd data-field="${name}">([^<]*)</dd>`).exec(html)?.[1];

describe('ack page', () => {
  it('English: as before', () => {
    const html = renderAckPage({ view: view(), state: { kind: 'confirm', confirm: 'c1' }, path: '/ack/tok', now: T + 5 * MIN });
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<h1>Acknowledge this alert?</h1>');
    expect(field(html, 'alert')).toBe('Login complaints (critical)');
    expect(field(html, 'rate')).toBe('1075 in 10 min vs 1.3 expected (×33.3 of normal)');
    expect(field(html, 'firing-since')).toBe('2026-03-02 10:04 UTC (5 min ago)');
    expect(html).toContain('<form method="post" action="/ack/tok?lang=en" id="ack-form">');
    expect(html).toContain('<a href="/ack/tok?lang=ru" hreflang="ru" lang="ru">Русский</a>');
  });

  it('Russian: the catalogue\'s words, the dashboard\'s series label, ru-RU numbers and dates, the POST keeps the language', () => {
    const html = renderAckPage({ view: view(), state: { kind: 'confirm', confirm: 'c1' }, path: '/ack/tok', now: T + 150 * MIN, lang: 'ru' });
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain('<h1>Подтвердить этот алерт?</h1>');
    expect(html).toContain('<title>Подтвердить этот алерт? · complaint-radar</title>');
    expect(field(html, 'alert')).toBe('Жалобы: login (критично)');
    expect(field(html, 'state')).toBe('активен');
    expect(field(html, 'rate')).toBe('1&#160;075 за 10 мин при ожидании 1,3 (×33,3 от нормы)'.replace('&#160;', '\u00a0'));
    expect(field(html, 'firing-since')).toBe('02.03.2026, 10:04 UTC (2,5 ч назад)');
    expect(html).toContain('<button type="submit" class="primary" id="ack-button">Подтвердить</button>');
    expect(html).toContain('<form method="post" action="/ack/tok?lang=ru" id="ack-form">');
    expect(html).toContain('<a href="/ack/tok?lang=en" hreflang="en" lang="en">English</a>');
    expect(html).not.toMatch(/Acknowledge|Owner|Since|complaints<|of normal/);
  });

  it('Russian: a channel series names its channel in words, the results and problems in Russian', () => {
    const channel = view({ series: 'complaints.email', category: null, rate: { kind: 'peak', value: 3.5, expected: 0.4, ratio: 8.75 } });
    const done = renderAckPage({ view: { ...channel, acknowledgedBy: 'Алиса', acknowledgedAt: T + MIN }, state: { kind: 'acknowledged', via: 'link' }, path: '/ack/tok', now: T + 2 * MIN, lang: 'ru' });
    expect(field(done, 'alert')).toBe('Жалобы, канал: эл. почта (критично)');
    expect(field(done, 'rate')).toBe('пик 3,50 в минуту при ожидании 0,40 (×8,8 от нормы)');
    expect(done).toContain('<p id="ack-result" data-result="acknowledged">Подтвердил Алиса в 02.03.2026, 10:05 UTC. Эскалация и повторы остановлены.</p>');
    expect(done).not.toContain('<form');
    const resolved = renderAckPage({ view: view({ state: 'resolved', endedAt: T + 60 * MIN }), state: { kind: 'not_firing' }, path: '/ack/tok', now: T + 61 * MIN, lang: 'ru' });
    expect(resolved).toContain('<h1>Уже решён</h1>');
    expect(resolved).toContain('Этот алерт решён (с 02.03.2026, 11:04 UTC): подтверждать нечего.');
    expect(renderAckProblem('Ссылки отключены', 'x', 'ru')).toContain('Открыть алерты в дашборде');
  });

  it('escapes every value, in both languages', () => {
    const evil = '<img src=x onerror=alert(1)>"\'';
    for (const lang of ['en', 'ru'] as const) {
      const html = renderAckPage({
        view: view({ id: evil, series: `complaints.${evil}`, category: evil, owner: evil, onCallNow: evil, labels: { [`complaints.${evil}`]: evil } }),
        state: { kind: 'confirm', confirm: evil, notice: evil },
        path: `/ack/${evil}`,
        now: T,
        lang,
      });
      expect(html, lang).not.toContain('<img');
      expect(html, lang).not.toMatch(/onerror=alert\(1\)>"/);
      expect(html, lang).toContain('&#60;img src=x onerror=alert(1)&#62;&#34;&#39;');
    }
  });
});
