/**
 * Notifications in Russian (`alerting.language: ru`): every notifier's format worded from the dashboard's
 * catalogue, ru-RU numbers and weekdays, no phrase that needs a plural form, everything escaped per
 * channel as in English; the language travels with the notification (outbox, queue), and English is
 * exactly what it was. Pure: no services.
 */
import { describe, expect, it } from 'vitest';
import { buildNotification, type Notification } from '../../../src/alerting/notification.js';
import { notificationWords } from '../../../src/alerting/notification-words.js';
import { NOTIFICATION_LANGS } from '../../../src/config/alerting.js';
import { translator, UI_LANGS } from '../../../src/dashboard/i18n.js';
import { alertmanagerPayload } from '../../../src/notify/alertmanager.js';
import { emailHtml } from '../../../src/notify/email.js';
import { notificationParts, plainText } from '../../../src/notify/format.js';
import { slackPayload } from '../../../src/notify/slack.js';
import { telegramHtml } from '../../../src/notify/telegram.js';
import { webhookPayload } from '../../../src/notify/webhook.js';
import { newMember } from '../../../src/alerting/new-alert.js';
import { baseAlert, oncall, sampleNotification, T } from './sample.js';

const NBSP = '\u00a0';
/** Attacker-controlled text: markup of every channel, and placeholders the catalogue must not fill. */
const HOSTILE = ['Не могу войти {count} <script>alert(1)</script> & код', '*жирный* <!channel> `x` {label}'];
const ru = (options: Parameters<typeof sampleNotification>[0] = {}) => sampleNotification({ language: 'ru', exampleTexts: HOSTILE, ...options });

/** Every rendering a notifier sends, as one string per format. */
function renderings(n: Notification): Record<string, string> {
  return {
    text: plainText(notificationParts(n)),
    email: emailHtml(n),
    slack: JSON.stringify(slackPayload(n, '#support')),
    telegram: telegramHtml(n),
    webhook: JSON.stringify(webhookPayload(n, T)),
    alertmanager: JSON.stringify(alertmanagerPayload(n, { labels: { team: 'support' }, ttl: 60_000 })),
  };
}

describe('notification words (ru)', () => {
  const w = notificationWords('ru', translator('ru'));
  it.each([
    ['a count', w.num(16164), `16${NBSP}164`],
    ['a ratio', w.num(6.14), '6,1'],
    ['a large ratio', w.num(412.6), '413'],
    ['a weekday and time (short form: no grammatical case)', w.weekdayTime(T, 'Europe/Moscow'), 'чт 14:15'],
    ['a duration', w.duration(65 * 60_000), '1 ч 5 мин'],
    ['a short duration', w.duration(40_000), '40 с'],
    ['tweets without a plural', w.channelCount('twitter', 31), 'Twitter: 31'],
    ['e-mails without a plural', w.channelCount('email', 1), 'эл. почта: 1'],
    ['a channel unknown to the catalogue', w.channelCount('fax', 2), 'fax: 2'],
    ['a move against normal', w.size({ ratio: 2.53, size: '×2.5' }), '×2,5'],
    ['a fall', w.size({ ratio: 0.6, size: '−40%' }), '−40%'],
    ['a move where nothing was expected', w.size({ ratio: null, size: '12.5 vs ~0.3' }), '12,5 при ожидании ~0,3'],
    ['an earlier start', w.lead(-3 * 60_000), 'начался на 3 мин раньше'],
    ['a complaint series', w.label('complaints.login', { 'complaints.login': 'Login complaints' }, 'Login complaints'), 'Жалобы: login'],
    ['a channel series', w.label('complaints.email'), 'Жалобы, канал: эл. почта'],
    ['a pushed series keeps its configured label', w.label('errors.auth', { 'errors.auth': 'Auth errors' }), 'Auth errors'],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('speaks the dashboard languages', () => {
    expect([...NOTIFICATION_LANGS]).toEqual([...UI_LANGS]);
  });
});

describe('a Russian notification, in every notifier format', () => {
  const n = ru();
  const ack = n.ackUrl ?? '';

  it('title and summary (webhook, Alertmanager, log, Slack fallback)', () => {
    expect(n.lang).toBe('ru');
    expect(n.title).toBe('[АКТИВЕН] Жалобы: login — ×6 от нормы');
    expect(n.ownerRole).toBe('на дежурстве');
    expect(n.summary).toBe(
      'Жалобы: login — 45 за последние 15 мин, ×6 от нормы для чт 14:00, с 14:03; Twitter: 31, эл. почта: 15; ' +
        "растущие слова: 'не могу войти', 'password', '<b>'; " +
        `примеры: "${HOSTILE[0]}" (Twitter); "${HOSTILE[1]}" (эл. почта); ` +
        `ответственный: Anna <Ops> & Co (на дежурстве); подтвердить: ${ack}; дашборд: https://radar.example.com/#/incidents/complaints-mi3k2x0`,
    );
  });

  it('the ack link opens the ack page in Russian', () => {
    expect(ack).toMatch(/^https:\/\/radar\.example\.com\/ack\/[\w.-]+\?lang=ru$/);
  });

  it('plain text (the e-mail text part)', () => {
    expect(plainText(notificationParts(n))).toBe(
      [
        '[АКТИВЕН] Жалобы: login — ×6 от нормы',
        '',
        '45 за последние 15 мин, ×6 от нормы для чт 14:00 (ожидалось 7,5, коридор 0–30), с 14:03',
        'Twitter: 31, эл. почта: 15',
        "Растущие слова: 'не могу войти', 'password', '<b>'",
        '',
        'Примеры:',
        `- "${HOSTILE[0]}" (Twitter)`,
        `- "${HOSTILE[1]}" (эл. почта)`,
        '',
        'Ответственный: Anna <Ops> & Co (на дежурстве)',
        `Подтвердить: ${ack}`,
        'Дашборд: https://radar.example.com/#/incidents/complaints-mi3k2x0',
        '',
      ].join('\n'),
    );
  });

  it('e-mail HTML: Russian words, every value escaped', () => {
    const html = emailHtml(n);
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain('<h2 style="margin:0 0 8px">[АКТИВЕН] Жалобы: login — ×6 от нормы</h2>');
    expect(html).toContain('<p style="margin:4px 0">45 за последние 15 мин, ×6 от нормы для чт 14:00 (ожидалось 7,5, коридор 0–30), с 14:03</p>');
    expect(html).toContain('<p>Растущие слова: <b>не могу войти</b>, <b>password</b>, <b>&lt;b&gt;</b></p>');
    expect(html).toContain('<p>Примеры:</p><ul>');
    expect(html).toContain('<li>Не могу войти {count} &lt;script&gt;alert(1)&lt;/script&gt; &amp; код <i>(Twitter)</i></li>');
    expect(html).toContain('<p>Ответственный: <b>Anna &lt;Ops&gt; &amp; Co (на дежурстве)</b></p>');
    expect(html).toContain(`<a href="${ack}">Подтвердить</a> · <a href="https://radar.example.com/#/incidents/complaints-mi3k2x0">Дашборд</a>`);
    expect(html).not.toContain('<script>');
  });

  it('Slack: Russian words in mrkdwn, & < > escaped, the owner mentioned', () => {
    const payload = slackPayload(n) as { text: string; blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };
    expect(payload.blocks[0]?.text?.text).toBe('[АКТИВЕН] Жалобы: login — ×6 от нормы');
    expect(payload.blocks[1]?.text?.text).toBe(
      '45 за последние 15 мин, ×6 от нормы для чт 14:00 (ожидалось 7,5, коридор 0–30), с 14:03\nTwitter: 31, эл. почта: 15\n' +
        '*Растущие слова:* `не могу войти`, `password`, `&lt;b&gt;`',
    );
    expect(payload.blocks[2]?.text?.text).toBe(
      '> Не могу войти {count} &lt;script&gt;alert(1)&lt;/script&gt; &amp; код _(Twitter)_\n> *жирный* &lt;!channel&gt; `x` {label} _(эл. почта)_',
    );
    expect(payload.blocks[3]?.elements?.[0]?.text).toBe(
      `*Ответственный:* <@U0ANNA> (на дежурстве)  ·  <${ack}|Подтвердить>  ·  <https://radar.example.com/#/incidents/complaints-mi3k2x0|Дашборд>`,
    );
    expect(payload.text).toMatch(/^\[АКТИВЕН\] Жалобы: login — ×6 от нормы — Жалобы: login — 45 за последние 15 мин/);
    expect(JSON.stringify(payload)).not.toMatch(/<script|<!channel|Anna <Ops>/);
  });

  it('Telegram: Russian words in HTML, every value escaped, within the limit', () => {
    const html = telegramHtml(n);
    expect(html.split('\n')).toEqual([
      '<b>[АКТИВЕН] Жалобы: login — ×6 от нормы</b>',
      '45 за последние 15 мин, ×6 от нормы для чт 14:00 (ожидалось 7,5, коридор 0–30), с 14:03',
      'Twitter: 31, эл. почта: 15',
      'Растущие слова: <i>не могу войти</i>, <i>password</i>, <i>&lt;b&gt;</i>',
      '',
      '<b>Примеры</b>',
      '• Не могу войти {count} &lt;script&gt;alert(1)&lt;/script&gt; &amp; код <i>(Twitter)</i>',
      '• *жирный* &lt;!channel&gt; `x` {label} <i>(эл. почта)</i>',
      '',
      'Ответственный: <b>Anna &lt;Ops&gt; &amp; Co (на дежурстве)</b>',
      `<a href="${ack}">Подтвердить</a> · <a href="https://radar.example.com/#/incidents/complaints-mi3k2x0">Дашборд</a>`,
    ]);
    const long = telegramHtml(ru({ exampleTexts: Array.from({ length: 5 }, () => `<i>${'ы&'.repeat(900)}`) }), 1500);
    expect(long.length).toBeLessThanOrEqual(1500);
    expect(long).toContain('Растущие слова:');
    expect(long).not.toContain('<i>ы');
  });

  it('webhook and Alertmanager carry the Russian title and summary (the webhook says its language)', () => {
    expect(webhookPayload(n, T)).toMatchObject({ lang: 'ru', title: n.title, summary: n.summary, owner: { role: 'на дежурстве' } });
    expect(webhookPayload(sampleNotification(), T)).toMatchObject({ lang: 'en' });
    expect(alertmanagerPayload(n, { labels: {}, ttl: 60_000 })[0]?.annotations).toMatchObject({ summary: n.title, description: n.summary, owner: 'Anna <Ops> & Co (на дежурстве)' });
  });

  it('names the alert\'s other series as the headline is named, not by their keys', () => {
    const members = [...baseAlert.members, newMember({ series: 'complaints.twitter', state: 'firing', since: T - 5 * 60_000, firingSince: T - 4 * 60_000, lastAnomalousAt: T, anomalies: 4 })];
    expect(ru({ alert: { members } }).summary).toContain('также: Жалобы, канал: Twitter;');
    expect(sampleNotification({ alert: { members } }).summary).toContain('also: Complaints via Twitter;');
    expect(notificationParts(ru({ alert: { members } })).facts).toContain('Также: Жалобы, канал: Twitter');
    expect(notificationParts(sampleNotification({ alert: { members } })).facts).toContain('Also: Complaints via Twitter');
  });

  it('names the other series by their configured labels in every notifier, as the summary does', () => {
    const members = [...baseAlert.members, newMember({ series: 'complaints.twitter', state: 'firing', since: T - 5 * 60_000, firingSince: T - 4 * 60_000, lastAnomalousAt: T, anomalies: 4 })];
    const labels = { 'complaints.twitter': 'Brand search on X', 'complaints.unused': 'never named' };
    const n = sampleNotification({ alert: { members }, labels });
    expect(n.labels).toEqual({ 'complaints.twitter': 'Brand search on X' });
    expect(n.summary).toContain('also: Brand search on X;');
    expect(notificationParts(n).facts).toContain('Also: Brand search on X');
    expect(plainText(notificationParts(n))).toContain('Also: Brand search on X');
    expect(sampleNotification({ alert: { members } })).not.toHaveProperty('labels');
  });

  it('resolved, escalated, handed over, worse, correlated: Russian throughout', () => {
    const resolved = ru({ kind: 'resolved' });
    expect(resolved.title).toBe('[РЕШЁН] Жалобы: login — вернулось к норме через 32 мин');
    expect(notificationParts(resolved).facts).toContain('Решён в 14:35, длился 32 мин');
    expect(resolved.summary).toContain('; решён в 14:35;');

    const alert = { ...baseAlert, escalations: [{ at: T, level: 1, from: 'boris', to: 'anna' }], acknowledgedBy: 'boris', acknowledgedAt: T };
    const language = { lang: 'ru' as const, t: translator('ru') };
    const escalated = buildNotification({ intent: { key: 'k', kind: 'escalated', at: T, owner: 'anna' }, alert, evidence: null, oncall, ack: null, language });
    expect(escalated.title).toBe('[ЭСКАЛИРОВАН] Жалобы: login — аномалия');
    expect(escalated.summary).toBe('Жалобы: login — аномалия с 14:03; ответственный: Anna <Ops> & Co (эскалация от Boris); подтвердил Boris');
    expect(notificationParts(escalated).facts).toEqual(['Аномалия с 14:03', 'Подтвердил boris']);

    const handed = buildNotification({ intent: { key: 'k', kind: 'handed_over', at: T, owner: 'anna', by: 'boris' }, alert: baseAlert, evidence: null, oncall, ack: null, language });
    expect(handed.title).toMatch(/^\[ПЕРЕДАН\] /);
    expect(handed.ownerRole).toBe('передал Boris');

    const worse = { series: 'complaints.login', peak: { t: T, value: 29, expected: 1 }, paged: { t: T - 6 * 60_000, value: 2, expected: 1 } };
    const w = buildNotification({ intent: { key: 'k', kind: 'worse', at: T, owner: 'anna', worse }, alert: baseAlert, evidence: null, oncall, ack: null, language });
    const line = 'хуже: Жалобы: login — пик 29 в 14:15 (ожидалось 1), ×28 дальше от нормы, чем 2 (ожидалось 1) в уведомлении в 14:09';
    expect(w.title).toMatch(/^\[АКТИВЕН, ХУЖЕ\] /);
    expect(w.summary.split('; ')).toContain(line);
    expect(notificationParts(w).facts).toContain(`Х${line.slice(1)}`);

    const moved = sampleNotification({ language: 'ru' });
    const evidence = moved.evidence && {
      ...moved.evidence,
      correlated: [
        { series: 'errors.auth', label: 'errors.auth', score: 1, direction: 'up' as const, onset: T, leadMs: -3 * 60_000, ratio: 2.53, size: '×2.5' },
        { series: 'complaints.email', label: 'Complaints via e-mail', score: 0.5, direction: 'up' as const, onset: T, leadMs: 0, ratio: 0.6, size: '−40%' },
      ],
    };
    const c = buildNotification({ intent: { key: 'k', kind: 'firing', at: T, owner: 'anna' }, alert: baseAlert, evidence, oncall, ack: null, language });
    expect(c.summary).toContain('; одновременно: errors.auth ×2,5 (начался на 3 мин раньше), Жалобы, канал: эл. почта −40%;');
    expect(notificationParts(c).facts).toContain('Одновременно: errors.auth ×2,5 (начался на 3 мин раньше), Жалобы, канал: эл. почта −40%');
  });

  it('leaves no English phrase in any format', () => {
    const english = /\b(Rising|Owner|Acknowledge|Dashboard|Examples|normal|since|expected|band|tweets?|e-mails?|in the last|on call|Resolved|FIRING|Also)\b/;
    for (const kind of ['firing', 'resolved', 'escalated', 'repeat'] as const) {
      for (const [format, text] of Object.entries(renderings(ru({ kind })))) {
        // the webhook and Alertmanager payloads carry the alert and evidence as data (state "firing", English stored labels)
        const words = format === 'webhook' || format === 'alertmanager' ? JSON.stringify([ru({ kind }).title, ru({ kind }).summary]) : text;
        expect(words, `${kind} ${format}`).not.toMatch(english);
      }
    }
  });
});

describe('the language travels with the notification', () => {
  it('a Russian notification read back from the outbox or the queue (JSON) renders exactly as sent', () => {
    const n = ru();
    const stored = JSON.parse(JSON.stringify(n)) as Notification;
    expect(renderings(stored)).toEqual(renderings(n));
  });

  it('a notification queued before languages existed (no lang) renders in English', () => {
    const { lang: _lang, ...old } = sampleNotification();
    expect(renderings(old)).toEqual(renderings(sampleNotification()));
    expect(plainText(notificationParts(old))).toContain('Rising words:');
  });

  it('English through the catalogue is byte-identical to English without one', () => {
    for (const kind of ['firing', 'updated', 'repeat', 'escalated', 'resolved', 'test'] as const) {
      const plain = sampleNotification({ kind });
      const viaCatalogue = sampleNotification({ kind, language: 'en' });
      expect(viaCatalogue).toEqual(plain);
      expect(renderings(viaCatalogue)).toEqual(renderings(plain));
    }
  });
});
