/**
 * The service on 127.0.0.1 with seeded data, for the browser tests and the screenshots: real Redis,
 * SQLite, the ingest worker (the report form goes through the queue), session login, and headless
 * Debian Chromium driven by playwright-core.
 */
import { metricCursorName } from '../../src/sources/metric-pull/cursor.js';
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../src/api/app.js';
import { Authenticator } from '../../src/api/auth.js';
import type { ApiDeps } from '../../src/api/deps.js';
import { startServer } from '../../src/api/server.js';
import type { DetectorPoint } from '../../src/domain/anomaly.js';
import type { Alert } from '../../src/domain/alert.js';
import type { Classification } from '../../src/domain/classification.js';
import type { Channel, Lang, Message } from '../../src/domain/message.js';
import { hashPassword } from '../../src/platform/passwords.js';
import { fillGaps } from '../../src/series/rate.js';
import { IngestWriter } from '../../src/store/ingest-writer.js';
import type { ClassifierHolder } from '../../workers/context.js';
import { startIngestWorker, type IngestWorker } from '../../workers/ingest.js';
import { createTestService, type TestService } from '../helpers/services.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Without Chromium the browser tests are skipped with a warning, except in CI (CI=true), where they fail. */
export const chromiumMissing = !existsSync(CHROMIUM) && process.env.CI !== 'true';
if (chromiumMissing) process.stderr.write(`\n!!! browser tests SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)\n\n`);
export const USERS = { support: { name: 'support', password: 'support-pass-1' }, ops: { name: 'ops', password: 'ops-pass-12' } } as const;
export const API_TOKEN = 'browser-test-token-0123456789abcdef';
export const MINUTE = 60_000;

/** XSS payloads sent through every channel; none may execute or create an element. */
export const XSS = {
  script: '<script>window.__xss = 1; alert(1)</script> cannot login',
  img: '<img src=x onerror="window.__xss = 2; alert(2)"> password reset broken',
  svg: '<svg onload="window.__xss = 3"></svg> не могу войти',
  link: 'javascript:window.__xss=4;alert(4)',
} as const;

const WORDS: Record<string, readonly string[]> = {
  login: ['login', 'password', 'войти', 'пароль'],
  payment: ['payment', 'card', 'оплата', 'карта'],
  slow: ['slow', 'тормозит', 'loading'],
};

/** A small keyword classifier (deterministic, en + ru), shared by the seeding and the ingest worker. */
export function harnessClassifier(): ClassifierHolder {
  return {
    current: {
      classify(text: string, lang?: Lang | null): Classification {
        const lower = text.toLowerCase();
        const categories = Object.entries(WORDS)
          .map(([name, words]) => ({ name, score: 0.9, terms: words.filter((w) => lower.includes(w)) }))
          .filter((c) => c.terms.length > 0)
          .sort((a, b) => b.terms.length - a.terms.length);
        return { complaint: categories.length > 0, score: categories.length > 0 ? 0.9 : 0.1, categories, lang: lang ?? (/[а-яё]/i.test(text) ? 'ru' : 'en') };
      },
    },
    lastError: null,
    loadedAt: 0,
    categories: Object.keys(WORDS),
  };
}

/**
 * What a detector tick would have stored for a series (the api serves the band from stored rows): a
 * stand-in rule, mean ± 3σ of the last normal points, alert above the band, written to detector_points.
 */
export async function seedDetectorPoints(store: TestService['ctx']['store'], key: string, from: number, to: number, step: number): Promise<void> {
  const rows = await (async () => {
      const warm = 30;
      const points = fillGaps(await store.series.read(key, from - warm * step, to, step, 'sum'), from - warm * step, to, step, 0);
      const out: DetectorPoint[] = [];
      const normal: number[] = []; // points judged normal (anomalies do not move the baseline)
      points.forEach((p) => {
        const past = normal.slice(-warm);
        const mean = past.reduce((a, b) => a + b, 0) / Math.max(1, past.length);
        const sd = Math.sqrt(past.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, past.length));
        const upper = mean + 3 * sd + 1;
        const lower = Math.max(0, mean - 3 * sd - 1);
        const alert = p.v > upper && p.v >= 3;
        if (!alert) normal.push(p.v);
        if (p.t < from) return;
        out.push({ t: p.t, value: p.v, score: alert ? 0.99 : Math.min(0.5, p.v / (upper * 2)), expected: mean, lower, upper, direction: alert ? 'up' : null, reason: alert ? 'spike' : null, alert });
      });
      return out;
  })();
  await store.detectorPoints.write(rows.map((r) => ({ ...r, series: key, learning: false, late: false })));
}

export function firingAlert(now: number, id = 'complaints.login-spike'): Alert {
  const since = now - 50 * MINUTE;
  const peak = { series: 'complaints.login', t: since + 3 * MINUTE, value: 9, expected: 1.2, lower: 0, upper: 3.4, score: 0.99, direction: 'up' as const, reason: 'spike' as const };
  return {
    id,
    rule: 'complaint-spike',
    groupKey: 'category=login',
    severity: 'critical',
    state: 'firing',
    members: [{ series: 'complaints.login', state: 'firing', since, firingSince: since + 2 * MINUTE, lastAnomalousAt: since + 9 * MINUTE, inBandSince: null, endedAt: null, anomalies: 8, onset: peak, latest: peak, peak, worst: null, worstPaged: null }],
    startsAt: since,
    firingAt: since + 2 * MINUTE,
    endedAt: null,
    updatedAt: now,
    owner: 'alice (on call)',
    ownerSince: since + 2 * MINUTE,
    escalations: [],
    acknowledgedAt: null,
    acknowledgedBy: null,
    silencedBy: [],
    lastNotifiedAt: since + 2 * MINUTE,
    notifiedFiring: true,
    changedSinceNotified: false,
    notifications: 1,
  };
}

/** Evidence as the notifier sends it (see src/alerting/evidence.ts), examples included. */
export function alertEvidence(now: number, hostile: boolean): unknown {
  const since = now - 50 * MINUTE;
  return {
    series: 'complaints.login',
    label: 'login complaints',
    window: { from: since, to: since + 10 * MINUTE, minutes: 10 },
    count: 40,
    expected: 1.2,
    lower: 0,
    upper: 3.4,
    ratio: 33.3,
    since,
    channels: [{ channel: 'twitter', count: 40 }],
    risingTerms: [{ term: 'пароль', count: 14, baseline: 0, share: 0.35, ratio: null }, { term: 'password', count: 26, baseline: 1, share: 0.65, ratio: 26 }],
    examples: [
      { id: 'twitter:spike1', channel: 'twitter', at: new Date(since).toISOString(), text: 'login broken again, password reset loops (1)', link: 'https://x.com/user1/status/9001' },
      { id: 'twitter:spike0', channel: 'twitter', at: new Date(since).toISOString(), text: 'Опять не могу войти, пароль сбрасывается (0)', link: 'https://x.com/user0/status/9000' },
      ...(hostile ? [{ id: 'twitter:xss1', channel: 'twitter', at: new Date(since).toISOString(), text: XSS.img, link: XSS.link }] : []),
    ],
    dashboardUrl: null,
    correlated: [
      { series: 'errors.auth', label: 'errors.auth', score: 1, direction: 'up', onset: since - 3 * MINUTE, leadMs: -3 * MINUTE, ratio: 9, size: '×9' },
      { series: 'logins', label: hostile ? XSS.img : 'logins', score: 0.8, direction: 'down', onset: since, leadMs: 0, ratio: 0.6, size: '−40%' },
    ],
  };
}

interface SeedPlan {
  readonly now: number;
  /** Start of the login spike (40 messages over 10 minutes). */
  readonly spikeStart: number;
  readonly xssIds: readonly string[];
}

const BASE_TEXTS: ReadonlyArray<[string, Channel, Lang]> = [
  ['I cannot login since the update, password rejected', 'twitter', 'en'],
  ['Не могу войти в приложение, пароль не подходит', 'twitter', 'ru'],
  ['Payment failed twice, my card was charged', 'email', 'en'],
  ['Оплата не проходит, карта списала деньги', 'email', 'ru'],
  ['The app is so slow today, loading forever', 'twitter', 'en'],
  ['Приложение тормозит на главной', 'api', 'ru'],
  ['Love the new design, great job', 'twitter', 'en'],
  ['Спасибо, всё работает', 'email', 'ru'],
];

/** Seeds 26 h of traffic, a steady complaint stream, a login spike 50 minutes ago and XSS payloads. */
export async function seed(svc: TestService, now: number, options: { hostile?: boolean } = {}): Promise<SeedPlan> {
  const { ctx } = svc;
  const step = ctx.config.series.step;
  const start = Math.floor((now - 26 * 3_600_000) / step) * step;
  const traffic = [];
  for (let t = start; t <= now; t += step) traffic.push({ t, v: Math.round(1000 + 400 * Math.sin((t / 86_400_000) * 2 * Math.PI)) });
  await ctx.store.series.set('traffic', traffic);

  const classifier = ctx.classifier.current;
  const messages: Message[] = [];
  const msg = (id: string, text: string, channel: Channel, lang: Lang | null, t: number, link: string | null = null): Message => ({
    id, channel, source: channel === 'email' ? 'support-inbox' : channel === 'twitter' ? 'twitter-search' : channel === 'beta_form' ? 'report-form' : 'api',
    author: 'h:0123456789abcdef01234567', text, lang, createdAt: new Date(t).toISOString(), link,
  });
  let n = 0;
  for (let t = start + 7 * MINUTE; t < now - MINUTE; t += 9 * MINUTE) {
    const [text, channel, lang] = BASE_TEXTS[n % BASE_TEXTS.length] as [string, Channel, Lang];
    const link = channel === 'twitter' ? `https://x.com/someone/status/${1000 + n}` : null;
    messages.push(msg(`${channel === 'twitter' ? 'twitter' : channel === 'email' ? 'imap:inbox:INBOX:1' : 'api'}:${n}`, text, channel, lang, t, link));
    n += 1;
  }
  const spikeStart = Math.floor((now - 50 * MINUTE) / step) * step;
  for (let i = 0; i < 40; i++) {
    const ru = i % 3 === 0;
    messages.push(msg(`twitter:spike${i}`, ru ? `Опять не могу войти, пароль сбрасывается (${i})` : `login broken again, password reset loops (${i})`, 'twitter', ru ? 'ru' : 'en', spikeStart + Math.floor((i / 40) * 10) * MINUTE + 1000, `https://x.com/user${i}/status/${9000 + i}`));
  }
  const xssAt = now - 20 * MINUTE;
  const xss: Message[] = [
    msg('twitter:xss1', XSS.script, 'twitter', 'en', xssAt, XSS.link),
    msg('imap:inbox:INBOX:1:xss2', `Subject: ${XSS.img}\n\n${XSS.script}`, 'email', 'en', xssAt + 1000, null),
    msg('form:xss3', `${XSS.svg}\n\n${XSS.img}`, 'beta_form', null, xssAt + 2000, 'data:text/html,<script>alert(5)</script>'),
  ];
  if (options.hostile ?? true) messages.push(...xss);

  const writer = new IngestWriter(ctx.store, { step, batchSize: 500, batchWaitMs: 5, now: () => now });
  await Promise.all(messages.map((message) => writer.write({ message, classification: classifier.classify(message.text, message.lang) })));
  await writer.flush();

  await ctx.sources.register('twitter-search', 'twitter');
  await ctx.sources.recordSuccess('twitter-search', { now: now - 30_000, fetched: 1234, skipped: 3, rateLimit: { limit: 450, remaining: 12, resetAt: now + 6 * MINUTE } });
  await ctx.sources.register('support-inbox', 'imap');
  await ctx.sources.recordSuccess('support-inbox', { now: now - 3 * 3_600_000, fetched: 310 });
  const markup = options.hostile ?? true ? '<b>{source: support-inbox}</b>' : '{source: support-inbox}';
  await ctx.sources.recordError('support-inbox', { now: now - 60_000, message: `ERR_IMAP_AUTH ${markup}: authentication failed`, stopped: true });
  await ctx.sources.register('prom-metrics', 'prometheus');
  await ctx.sources.recordSuccess('prom-metrics', { now: now - 20_000, fetched: 20_160 });
  await ctx.sources.setCursor(metricCursorName('prom-metrics', 'traffic'), { last: new Date(Math.floor(now / MINUTE) * MINUTE - 2 * MINUTE).toISOString(), series: 1, overCap: 0 });
  return { now, spikeStart, xssIds: xss.map((m) => m.id) };
}

export interface Running {
  readonly svc: TestService;
  readonly app: FastifyInstance;
  readonly url: string;
  readonly browser: Browser;
  readonly plan: SeedPlan;
  readonly alerts: Alert[];
  readonly ingest: IngestWorker;
  readonly deps: ApiDeps;
  close(): Promise<void>;
}

export async function startHarness(
  options: { alerts?: boolean; detector?: boolean; perIpPerHour?: number; hostile?: boolean; config?: Record<string, unknown> } = {},
): Promise<Running> {
  // The seeded stopped mailbox is configured (never polled here: no poll worker runs), so its Retry button has a source to retry.
  const stoppedInbox = { name: 'support-inbox', host: '127.0.0.1', tls: 'none', user: 'support', password: 'not-used-no-poller', pollInterval: '1h' };
  // A metric source, configured (never polled here) and seeded with a pulled cursor, for the Sources page.
  const metrics = { name: 'prom-metrics', url: 'http://127.0.0.1:9', pollInterval: '1h', series: [{ name: 'traffic', query: 'sum(rate(requests_total[1m])) * 60' }] };
  const svc = await createTestService({ classifier: harnessClassifier(), config: { ...options.config, reportForm: { perIpPerHour: options.perIpPerHour ?? 100 }, sources: { imap: [stoppedInbox], prometheus: [metrics] } } });
  const now = Date.now();
  const plan = await seed(svc, now, { hostile: options.hostile ?? true });
  const alerts: Alert[] = options.alerts ? [firingAlert(now)] : [];
  const auth = new Authenticator({
    tokens: [{ name: 'ci', token: API_TOKEN, role: 'admin' }],
    users: [
      { name: USERS.support.name, passwordHash: hashPassword(USERS.support.password), role: 'viewer' },
      { name: USERS.ops.name, passwordHash: hashPassword(USERS.ops.password), role: 'admin' },
    ],
    sessionSecret: 'browser-test-session-secret-0123456789abcdef',
    sessionTtlMs: 3_600_000,
  });
  // A firing alert with the evidence its notification carried, through the alert store (the api reads it).
  if (options.alerts) {
    await svc.ctx.store.alerts.save(alerts);
    for (const a of alerts) await svc.ctx.store.alerts.setEvidence(a.id, alertEvidence(now, options.hostile ?? true));
  }
  if (options.detector) {
    // On minute buckets, as the detector stores them (an unaligned start would store points between buckets).
    const from = Math.floor((now - 2 * 1440 * MINUTE) / MINUTE) * MINUTE;
    for (const key of await svc.ctx.store.series.keys('complaints')) await seedDetectorPoints(svc.ctx.store, key, from, now, MINUTE);
  }
  const deps: ApiDeps = {
    ...svc.ctx,
    auth,
  };
  const app = await buildApp(deps);
  const server = await startServer(app, { host: '127.0.0.1', port: 0 });
  const ingest = startIngestWorker(svc.ctx, { concurrency: 5 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return {
    svc,
    app,
    url: server.url,
    browser,
    plan,
    alerts,
    ingest,
    deps,
    async close() {
      await browser.close().catch(() => undefined);
      await ingest.close().catch(() => undefined);
      await server.close().catch(() => undefined);
      await svc.cleanup();
    },
  };
}

/** A page that records dialogs and page errors (an XSS that runs shows up here). */
export async function newPage(context: BrowserContext): Promise<{ page: Page; dialogs: string[]; errors: string[] }> {
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && process.env.DEBUG_CONSOLE) process.stderr.write(`console: ${m.text()} ${JSON.stringify(m.location())}\n`); });
  return { page, dialogs, errors };
}

/** Logs in through the plain HTML form, like a person. */
export async function login(page: Page, url: string, user: { name: string; password: string } = USERS.support, hash = ''): Promise<void> {
  await page.goto(`${url}/${hash}`);
  await page.waitForURL(/\/login/);
  await page.fill('input[name=name]', user.name);
  await page.fill('input[name=password]', user.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
  await page.waitForSelector('body[data-ready="1"]');
}
