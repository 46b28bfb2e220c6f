import { describe, expect, it } from 'vitest';
import { maskPii } from '../../../src/alerting/pii.js';
import { buildEvidence, dashboardLink, evidenceRequest, risingTerms } from '../../../src/alerting/evidence.js';
import { buildNotification } from '../../../src/alerting/notification.js';
import { compileOncall } from '../../../src/alerting/oncall.js';
import { verifyAckToken } from '../../../src/alerting/ack-token.js';
import { alertingConfigSchema } from '../../../src/config/alerting.js';
import type { Alert } from '../../../src/domain/alert.js';
import { newAlert, newMember } from '../../../src/alerting/new-alert.js';
import { notificationParts, plainText } from '../../../src/notify/format.js';
import { telegramHtml } from '../../../src/notify/telegram.js';
import { emailHtml } from '../../../src/notify/email.js';
import { slackPayload } from '../../../src/notify/slack.js';

describe('maskPii', () => {
  it.each([
    ['write me at anna.k+test@example.com please', 'write me at [email] please'],
    ['почта: иван@почта.рф', 'почта: [email]'],
    ['call +7 (912) 345-67-89 now', 'call [phone] now'],
    ['мой номер 8 912 345 67 89', 'мой номер [phone]'],
    ['+1-202-555-0173', '[phone]'],
    ['order 12345 is late', 'order 12345 is late'],
    ['code 2026-11-26 arrived at 14:03', 'code 2026-11-26 arrived at 14:03'],
    ['no PII here', 'no PII here'],
  ])('%s → %s', (input, output) => {
    expect(maskPii(input)).toBe(output);
  });
});

describe('risingTerms', () => {
  it('finds what rose against the baseline, not what is merely frequent', () => {
    const current = { password: 12, 'код не приходит': 6, order: 5, refund: 1 };
    const baseline = { password: 3, order: 300, refund: 40, delivery: 200 };
    expect(risingTerms(current, baseline).map((t) => t.term)).toEqual(['password', 'код не приходит']);
  });
  it('accepts Maps and respects the limit and minimum count', () => {
    const current = new Map([['a', 9], ['b', 8], ['c', 7], ['d', 1]]);
    expect(risingTerms(current, new Map(), { limit: 2 }).map((t) => t.term)).toEqual(['a', 'b']);
  });
  it('is empty without a current window', () => {
    expect(risingTerms({}, { a: 1 })).toEqual([]);
  });
});

const T = Date.UTC(2026, 10, 26, 11, 15); // Thursday 14:15 in Moscow
const alert: Alert = newAlert({
  id: 'complaints-x1',
  rule: 'complaints',
  groupKey: 'complaints',
  severity: 'warning',
  state: 'firing',
  members: [newMember({ series: 'complaints.login', state: 'firing', since: T - 12 * 60_000, firingSince: T - 10 * 60_000, lastAnomalousAt: T, anomalies: 12 }), newMember({ series: 'complaints.twitter', state: 'firing', since: T - 11 * 60_000, firingSince: T - 9 * 60_000, lastAnomalousAt: T, anomalies: 11 })],
  startsAt: T - 12 * 60_000,
  firingAt: T - 10 * 60_000,
  updatedAt: T,
  owner: 'anna',
  ownerSince: T - 10 * 60_000,
});

const points = Array.from({ length: 20 }, (_, i) => {
  const t = T - (19 - i) * 60_000;
  const inIncident = i >= 5;
  return { t, value: inIncident ? (i % 2 === 0 ? 3 : 4) : 1, expected: 0.5, lower: 0, upper: 2 };
});

const evidence = buildEvidence({
  alert,
  series: 'complaints.login',
  now: T,
  windowMs: 15 * 60_000,
  points,
  channelCounts: { twitter: 31, email: 15, beta_form: 0 },
  terms: { current: { 'не могу войти': 9, password: 14, order: 3 }, baseline: { password: 10, order: 400, delivery: 300 } },
  examples: [
    { id: 'm1', channel: 'twitter', text: 'Не могу войти, код не приходит на +7 912 345-67-89', createdAt: '2026-11-26T11:05:00Z', link: 'https://x.com/1' },
    { id: 'm2', channel: 'email', text: 'Password reset broken!\nContact me: bob@example.com', createdAt: '2026-11-26T11:06:00Z', link: null },
    { id: 'm3', channel: 'email', text: 'password reset broken!  contact me: bob@example.com', createdAt: '2026-11-26T11:07:00Z', link: null },
    { id: 'm4', channel: 'twitter', text: 'x'.repeat(400), createdAt: '2026-11-26T11:08:00Z', link: null },
  ],
  dashboardBaseUrl: 'https://radar.example.com/',
});

describe('buildEvidence', () => {
  it('sums the window against the detector band', () => {
    expect([evidence.count, evidence.expected, evidence.lower, evidence.upper, evidence.ratio]).toEqual([53, 7.5, 0, 30, 7.1]);
    expect(evidence.window.minutes).toBe(15);
    expect(evidence.since).toBe(alert.startsAt);
    expect(evidence.label).toBe('Login complaints');
  });
  it('splits by channel, largest first, dropping zeros', () => {
    expect(evidence.channels).toEqual([{ channel: 'twitter', count: 31 }, { channel: 'email', count: 15 }]);
  });
  it('lists rising terms', () => {
    expect(evidence.risingTerms.map((t) => [t.term, t.count, t.baseline, t.ratio])).toEqual([
      ['не могу войти', 9, 0, 238],
      ['password', 14, 10, 32.5],
    ]);
  });
  it('masks PII, drops duplicates, caps length', () => {
    expect(evidence.examples.map((e) => e.text)).toEqual([
      'Не могу войти, код не приходит на [phone]',
      'Password reset broken! Contact me: [email]',
      `${'x'.repeat(279)}…`,
    ]);
  });
  it('links to the incident page in the dashboard (the dashboard navigates by #/…)', () => {
    expect(evidence.dashboardUrl).toBe('https://radar.example.com/#/incidents/complaints-x1');
  });
  it.each([
    ['https://radar.example.com', 'complaints-x1', 'https://radar.example.com/#/incidents/complaints-x1'],
    ['https://radar.example.com//', 'complaints-x1', 'https://radar.example.com/#/incidents/complaints-x1'],
    ['https://example.com/radar/', 'a b&c=d#e/f', 'https://example.com/radar/#/incidents/a%20b%26c%3Dd%23e%2Ff'],
  ])('dashboardLink(%j, %j) is %j, and its id reads back as the alert id', (base, id, link) => {
    expect(dashboardLink(base, id)).toBe(link);
    const hash = new URL(link).hash;
    expect(hash.startsWith('#/incidents/')).toBe(true);
    expect(decodeURIComponent(hash.slice('#/incidents/'.length))).toBe(id);
  });
});

describe('buildNotification', () => {
  const oncall = compileOncall(
    alertingConfigSchema.parse({ oncall: { timezone: 'Europe/Moscow', people: [{ id: 'anna', name: 'Anna' }, { id: 'boris', name: 'Boris' }] } }).oncall,
  );
  const secret = 's'.repeat(32);
  const n = buildNotification({
    intent: { key: 'complaints-x1-firing-0', kind: 'firing', at: T, owner: 'anna' },
    alert,
    evidence,
    oncall,
    ack: { secret, ttlMs: 3_600_000, baseUrl: 'https://radar.example.com' },
  });
  it('reads like the issue asks', () => {
    expect(n.title).toBe('[FIRING] Login complaints: 7.1× normal');
    const withoutLink = n.summary.replace(/ack: \S+;/, 'ack: <link>;');
    expect(withoutLink).toBe(
      "Login complaints: 53 in the last 15 min, 7.1× normal for Thursday 14:00, since 14:03; 31 tweets, 15 e-mails; rising words: 'не могу войти', 'password'; " +
        'examples: "Не могу войти, код не приходит на [phone]" (twitter); "Password reset broken! Contact me: [email]" (email); ' +
        `"${'x'.repeat(279)}…" (twitter); also: Complaints via Twitter; owner: Anna (on call); ack: <link>; dashboard: ${evidence.dashboardUrl}`,
    );
  });
  it('carries a signed ack link that verifies for this alert until it expires', () => {
    const token = n.ackUrl?.split('/ack/')[1] ?? '';
    expect(verifyAckToken(token, secret, T + 1000)).toEqual({ ok: true, alertId: 'complaints-x1', expiresAt: T + 3_600_000 });
    expect(verifyAckToken(token, secret, T + 3_600_000)).toEqual({ ok: false, reason: 'expired' });
  });
  it('names the escalated owner and who they took over from; resolved has no ack link', () => {
    const escalated = { ...alert, owner: 'boris', escalations: [{ at: T, from: 'anna', to: 'boris', level: 1 }] };
    const e = buildNotification({ intent: { key: 'k', kind: 'escalated', at: T, owner: 'boris' }, alert: escalated, evidence, oncall, ack: null });
    expect(e.title).toBe('[ESCALATED] Login complaints: 7.1× normal');
    expect(e.summary).toContain('owner: Boris (escalated from Anna)');
    expect(e.ackUrl).toBeNull();
    const resolved = { ...alert, state: 'resolved' as const, endedAt: T + 20 * 60_000 };
    const r = buildNotification({ intent: { key: 'k', kind: 'resolved', at: T + 20 * 60_000, owner: 'anna' }, alert: resolved, evidence, oncall, ack: { secret, ttlMs: 1000, baseUrl: 'https://r' } });
    expect(r.title).toBe('[RESOLVED] Login complaints: back to normal after 32 min');
    expect(r.ackUrl).toBeNull();
    expect(r.summary).toContain('resolved at 14:35');
  });
});

describe('evidenceRequest', () => {
  it('asks for the headline series: the firing category before the total and channels', () => {
    const request = evidenceRequest(
      { members: [{ ...alert.members[1]!, series: 'complaints' }, alert.members[1]!, alert.members[0]!] },
      { window: 15 * 60_000, baseline: 7 * 86_400_000, examples: 5, risingTerms: 5 },
      T,
    );
    expect(request).toEqual({
      series: 'complaints.login',
      category: 'login',
      window: { from: T - 15 * 60_000, to: T },
      baseline: { from: T - 15 * 60_000 - 7 * 86_400_000, to: T - 15 * 60_000 },
      examples: 5,
      risingTerms: 5,
    });
  });
});

describe('correlation evidence in the evidence, the summary and every channel', () => {
  const oncall = compileOncall(alertingConfigSchema.parse({ oncall: { timezone: 'Europe/Moscow', people: [{ id: 'anna', name: 'Anna' }] } }).oncall);
  const moved = buildEvidence({
    alert,
    series: 'complaints.login',
    now: T,
    windowMs: 15 * 60_000,
    points,
    channelCounts: {},
    terms: { current: {}, baseline: {} },
    examples: [],
    dashboardBaseUrl: null,
    labels: { 'errors.<b>x</b>': 'errors <b>&</b> "x"' },
    correlated: [
      { series: 'errors.auth', score: 1, direction: 'up', onset: T - 15 * 60_000, leadMs: -3 * 60_000, ratio: 9, size: '×9' },
      { series: 'logins', score: 0.8, direction: 'down', onset: T - 12 * 60_000, leadMs: 0, ratio: 0.6, size: '−40%' },
      { series: 'errors.<b>x</b>', score: 0.5, direction: 'up', onset: T - 10 * 60_000, leadMs: 2 * 60_000, ratio: 3, size: '×3' },
    ],
  });
  const n = buildNotification({ intent: { key: 'k', kind: 'firing', at: T, owner: 'anna' }, alert, evidence: moved, oncall, ack: null });

  it('labels each series and keeps the ranking', () => {
    expect(moved.correlated?.map((c) => [c.series, c.label, c.size])).toEqual([
      ['errors.auth', 'errors.auth', '×9'],
      ['logins', 'logins', '−40%'],
      ['errors.<b>x</b>', 'errors <b>&</b> "x"', '×3'],
    ]);
  });
  it('reads like the issue asks in the summary and in the fact lines', () => {
    expect(n.summary).toContain('; at the same time errors.auth ×9 (started 3 min earlier), logins −40%, errors <b>&</b> "x" ×3 (started 2 min later);');
    expect(notificationParts(n).facts).toContain('At the same time: errors.auth ×9 (started 3 min earlier), logins −40%, errors <b>&</b> "x" ×3 (started 2 min later)');
  });
  it('is escaped by every channel that marks up', () => {
    expect(telegramHtml(n)).toContain('errors &lt;b&gt;&amp;&lt;/b&gt; &quot;x&quot; ×3');
    expect(telegramHtml(n)).not.toContain('<b>&</b>');
    expect(emailHtml(n)).toContain('errors &lt;b&gt;&amp;&lt;/b&gt;');
    expect(JSON.stringify(slackPayload(n))).toContain('errors &lt;b&gt;&amp;&lt;/b&gt;');
    expect(plainText(notificationParts(n))).toContain('At the same time: errors.auth ×9 (started 3 min earlier)');
  });
  it('says nothing when nothing moved with it (and for evidence stored before correlation existed)', () => {
    const { correlated: _c, ...old } = moved;
    const quiet = buildNotification({ intent: { key: 'k', kind: 'firing', at: T, owner: 'anna' }, alert, evidence: old, oncall, ack: null });
    expect(quiet.summary).not.toContain('at the same time');
    expect(notificationParts(quiet).facts.join('\n')).not.toContain('At the same time');
  });
});
