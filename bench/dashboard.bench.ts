/**
 * Dashboard and JSON API timings with 1,000,000 stored messages (`--quick`: 100,000), on SQLite and on
 * PostgreSQL: p50 and p95 of every request the dashboard makes (in-process `app.inject`), and on SQLite
 * the first page load in headless Chromium. The data is bulk-inserted through `store.messages.insertNew`
 * in big transactions (with its series counts, seven days of traffic and 500 alerts), not through the
 * pipeline, and kept for the next run: a SQLite file under the temp dir and a PostgreSQL schema, both
 * named by the schema version (the migration names) and the data set, so a run after a migration
 * generates again. The app's clock is pinned to the time the data was generated. Needs Redis.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { chromium } from 'playwright-core';
import { newAlert, newMember } from '../src/alerting/new-alert.js';
import { buildApp } from '../src/api/app.js';
import { Authenticator } from '../src/api/auth.js';
import { startServer } from '../src/api/server.js';
import { serviceConfigSchema } from '../src/config/service.js';
import type { Classification } from '../src/domain/classification.js';
import type { Channel, Lang, Message } from '../src/domain/message.js';
import { ManualClock } from '../src/platform/clock.js';
import { silentLogger } from '../src/platform/log.js';
import { hashPassword } from '../src/platform/passwords.js';
import { pingRedis } from '../src/queues/connection.js';
import { countIncrements } from '../src/series/counts.js';
import type { ClassifiedMessage } from '../src/store/message-store.js';
import { migrationProvider } from '../src/store/migrations.js';
import { createContext, type ServiceContext } from '../workers/context.js';
import type { BenchArgs } from './index.js';
import { percentile } from './stats.js';
import { mulberry32 } from '../src/sources/demo/prng.js';
import { POSTGRES_URL, postgresUp } from './support.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CATEGORIES = ['login', 'payment', 'slow', 'crash', 'delivery', 'notifications'] as const;
const CHANNELS: readonly Channel[] = ['twitter', 'email', 'beta_form', 'api'];
const WORDS_EN = ['cannot', 'login', 'password', 'payment', 'card', 'slow', 'crash', 'order', 'late', 'app', 'again', 'today', 'update', 'screen', 'button', 'broken'];
const WORDS_RU = ['не', 'могу', 'войти', 'пароль', 'оплата', 'карта', 'тормозит', 'вылетает', 'заказ', 'опять', 'сегодня', 'кнопка', 'экран'];
/** One message in a thousand also holds a rare word (the "search hit, rare word" request). */
const RARE = { en: 'refunded', ru: 'возврата' };
/** Bump when the generated data changes (it names the cached database). */
const DATA_VERSION = 3;
/** Timed runs of each request (after 2 warm-ups). */
const RUNS = 30;

const rng = mulberry32;

const out = (line: string) => process.stdout.write(`${line}\n`);

export default async function dashboardBench(args: BenchArgs): Promise<void> {
  if (!(await pingRedis(REDIS_URL))) {
    out(`skipped: Redis does not answer at ${REDIS_URL}`);
    return;
  }
  const total = args.quick ? 100_000 : 1_000_000;
  const migrations = Object.keys(await migrationProvider('sqlite').getMigrations()).sort().join(',');
  const key = createHash('sha256').update(`${migrations}|${total}|${DATA_VERSION}`).digest('hex').slice(0, 12);
  await benchOn('sqlite', total, key);
  if (await postgresUp()) await benchOn('postgres', total, key);
  else out(`PostgreSQL: skipped (${POSTGRES_URL} does not answer)`);
}

async function benchOn(kind: 'sqlite' | 'postgres', total: number, key: string): Promise<void> {
  out(`${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${total.toLocaleString('en-US')} messages:`);
  const cacheDir = join(tmpdir(), 'radar-dash-bench', key);
  mkdirSync(cacheDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'radar-dash-run-'));
  const schema = `bench_dash_${key}`;
  const database = kind === 'sqlite' ? { url: `sqlite:${join(cacheDir, 'radar.db')}` } : { url: POSTGRES_URL, schema };
  const config = serviceConfigSchema.parse({ dataDir: dir, redis: { url: REDIS_URL, prefix: `bench_dash_${process.pid}`, autoStart: false }, database });
  const clock = new ManualClock(Date.now());
  const ctx = await createContext(config, { log: silentLogger, clock, classifier: { current: { classify: () => ({ complaint: false, score: 0, categories: [], lang: null }) }, lastError: null, loadedAt: 0, categories: [] } });
  try {
    const generated = await ctx.store.kv.get<{ now: number; total: number }>('bench.generated');
    if (generated !== null) {
      clock.set(generated.now);
      out(`  data: cached (${kind === 'sqlite' ? join(cacheDir, 'radar.db') : `schema ${schema}`}, generated ${new Date(generated.now).toISOString()})`);
    } else {
      if ((await ctx.store.messages.count()) > 0) throw new Error(`the cached ${kind} bench database is half-generated: delete ${kind === 'sqlite' ? cacheDir : `schema ${schema}`} and run again`);
      await generate(ctx, total, clock.now());
    }
    if (kind === 'postgres') {
      // What autovacuum does to a table that stopped growing (here it may not have run yet under load):
      // statistics for the planner and the GIN index's pending list merged. Quick once done.
      const s = performance.now();
      await sql`vacuum analyze messages, complaint_counts, complaint_terms, series_points, alerts`.execute(ctx.store.db);
      out(`  vacuum analyze: ${((performance.now() - s) / 1000).toFixed(1)} s`);
    }
    await measureApi(ctx, clock.now(), kind === 'sqlite');
  } finally {
    await ctx.queues.obliterate().catch(() => undefined);
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function generate(ctx: ServiceContext, total: number, now: number): Promise<void> {
  const span = 7 * 86_400_000;
  const random = rng(7);
  const step = ctx.config.series.step;
  const t0 = performance.now();
  const BATCH = 20_000;
  for (let done = 0; done < total; done += BATCH) {
    const items: ClassifiedMessage[] = [];
    for (let i = done; i < Math.min(total, done + BATCH); i++) {
      const ru = random() < 0.4;
      const words = ru ? WORDS_RU : WORDS_EN;
      const n = 6 + Math.floor(random() * 14);
      const text = Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(' ') + (i % 1000 === 500 ? ` ${ru ? RARE.ru : RARE.en}` : '');
      const complaint = random() < 0.35;
      const category = CATEGORIES[Math.floor(random() * random() * CATEGORIES.length)] as string;
      const channel = CHANNELS[Math.floor(random() * CHANNELS.length)] as Channel;
      const createdAt = now - Math.floor((i / total) * span) - Math.floor(random() * 60_000);
      const message: Message = {
        id: `bench:${i}`, channel, source: `${channel}-src`, author: `h:${(i % 50_000).toString(16).padStart(24, '0')}`,
        text, lang: (ru ? 'ru' : 'en') as Lang, createdAt: new Date(createdAt).toISOString(), link: channel === 'twitter' ? `https://x.com/u/status/${i}` : null,
      };
      const classification: Classification = complaint
        ? { complaint, score: 0.8, categories: [{ name: category, score: 0.8, terms: [words[1] as string, words[3] as string] }], lang: message.lang }
        : { complaint, score: 0.1, categories: [], lang: message.lang };
      items.push({ message, classification });
    }
    await ctx.store.db.transaction().execute(async (trx) => {
      await ctx.store.messages.insertNew(items, now, trx);
      await ctx.store.series.add(countIncrements(items, step).sort((a, b) => (a.key === b.key ? a.t - b.t : a.key < b.key ? -1 : 1)), trx);
    });
  }
  const traffic = [];
  for (let t = Math.floor((now - span) / step) * step; t <= now; t += step) traffic.push({ t, v: 1000 + Math.round(500 * Math.sin(t / 13_750_000)) });
  await ctx.store.series.set('traffic', traffic);
  // 500 alerts over the week (the last three still firing).
  const alerts = Array.from({ length: 500 }, (_, i) => {
    const category = CATEGORIES[i % CATEGORIES.length] as string;
    const since = now - span + i * Math.floor(span / 500);
    const peak = { series: `complaints.${category}`, t: since + 120_000, value: 12, expected: 2, lower: 0, upper: 4, score: 0.99, direction: 'up' as const, reason: 'spike' as const };
    const firing = i >= 497;
    return newAlert({
      id: `bench-alert-${i}`, rule: 'complaints', groupKey: `complaints.${category}`, severity: 'critical', state: firing ? 'firing' : 'resolved',
      startsAt: since, firingAt: since + 120_000, ...(firing ? {} : { endedAt: since + 1_800_000 }),
      members: [newMember({ series: `complaints.${category}`, state: firing ? 'firing' : 'ended', since, firingSince: since + 120_000, onset: peak, latest: peak, peak })],
    });
  });
  await ctx.store.alerts.save(alerts);
  await ctx.store.kv.set('bench.generated', { now, total }, now);
  const ms = performance.now() - t0;
  out(`  data: generated ${total.toLocaleString('en-US')} messages in ${(ms / 1000).toFixed(1)} s (${Math.round(total / (ms / 1000)).toLocaleString('en-US')}/s, transactions of ${BATCH}; kept for the next run)`);
}

async function measureApi(ctx: ServiceContext, now: number, browser: boolean): Promise<void> {
  const span = 7 * 86_400_000;
  const token = 'bench-token-0123456789abcdef0123';
  const auth = new Authenticator({ tokens: [{ name: 'bench', token, role: 'admin' }], users: [{ name: 'bench', passwordHash: hashPassword('bench-password'), role: 'viewer' }], sessionSecret: 'bench-session-secret-0123456789abcdef', sessionTtlMs: 3_600_000 });
  const app = await buildApp({ ...ctx, auth });
  const headers = { authorization: `Bearer ${token}` };
  try {
    const first = await app.inject({ method: 'GET', url: '/api/messages?limit=50', headers });
    const cursor = (first.json() as { nextCursor: string }).nextCursor;
    const day = now - 86_400_000;
    const calls: Array<[string, string]> = [
      ['summary 24h', '/api/summary?window=24h'],
      ['summary 7d', '/api/summary?window=7d'],
      ['summary 24h channel=twitter', '/api/summary?window=24h&channel=twitter'],
      ['summary 24h lang=ru', '/api/summary?window=24h&lang=ru'],
      ['summary 7d channel=twitter', '/api/summary?window=7d&channel=twitter'],
      ['summary 7d channel=email lang=ru', '/api/summary?window=7d&channel=email&lang=ru'],
      ['messages limit=50', '/api/messages?limit=50'],
      ['messages page 2 (cursor)', `/api/messages?limit=50&cursor=${cursor}`],
      ['messages complaint=true category=login', '/api/messages?complaint=true&category=login&limit=50'],
      ['messages category=crash 1 min window', `/api/messages?complaint=true&category=crash&from=${day}&to=${day + 60_000}&limit=50`],
      ['messages channel=email lang=ru', '/api/messages?channel=email&lang=ru&limit=50'],
      ['messages channel=beta_form complaint=false', '/api/messages?channel=beta_form&complaint=false&limit=50'],
      ['search hit, frequent word (q=пароля)', `/api/messages?q=${encodeURIComponent('пароля')}&limit=50`],
      ['search hit, rare word (q=refund)', '/api/messages?q=refund&limit=50'],
      ['search hit, rare word + channel=email', '/api/messages?q=refund&channel=email&limit=50'],
      ['search two words (q=crashing+card)', '/api/messages?q=crashing+card&limit=50'],
      ['search no match (q=zzzz)', '/api/messages?q=zzzz&limit=50'],
      ['series complaints.login 24h', `/api/series/complaints.login?from=${day}&to=${now}`],
      ['series complaints.login 7d rate', `/api/series/complaints.login?from=${now - span}&to=${now}&step=15m&rate=true`],
      ['series keys', '/api/series'],
      ['alerts', '/api/alerts'],
      ['alerts state=firing', '/api/alerts?state=firing'],
    ];
    // cpu: this process's CPU time per request, p50 (SQLite's reads run in it; PostgreSQL's do not).
    out(`  API (in-process inject; wall p50 / p95 of ${RUNS} after 2 warm-ups; load average ${os.loadavg()[0]?.toFixed(1)} on ${os.availableParallelism()} cores):`);
    let worst = 0;
    for (const [name, url] of calls) {
      const times: number[] = [];
      const cpu: number[] = [];
      let status = 0;
      let items = '';
      for (let i = 0; i < RUNS + 2; i++) {
        const s = performance.now();
        const c = process.cpuUsage();
        const res = await app.inject({ method: 'GET', url, headers });
        if (i >= 2) {
          times.push(performance.now() - s);
          const used = process.cpuUsage(c);
          cpu.push((used.user + used.system) / 1000);
        }
        status = res.statusCode;
        const body = res.json() as { items?: unknown[]; categories?: unknown[] };
        items = body.items ? `${body.items.length} items` : body.categories ? `${body.categories.length} categories` : '';
      }
      const p95 = percentile(times, 95);
      worst = Math.max(worst, p95);
      out(`    ${name.padEnd(44)} ${percentile(times, 50).toFixed(1).padStart(7)} / ${p95.toFixed(1).padStart(7)} ms  cpu ${percentile(cpu, 50).toFixed(1).padStart(6)} ms  (status ${status}${items ? `, ${items}` : ''})`);
    }
    out(`    slowest p95: ${worst.toFixed(1)} ms`);
    if (browser) await pageLoads(app);
  } finally {
    await app.close();
  }
}

async function pageLoads(app: Awaited<ReturnType<typeof buildApp>>): Promise<void> {
  const server = await startServer(app, { host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.fill('input[name=name]', 'bench');
    await page.fill('input[name=password]', 'bench-password');
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('button[type=submit]')]);
    await page.waitForSelector('body[data-ready="1"]');
    out('  page load in Chromium (navigation start → view rendered; p50 of 3):');
    for (const [name, hash, ready] of [
      ['overview 24h', '#/overview?window=24h', '#categories article'],
      ['overview 7d', '#/overview?window=7d', '#categories article'],
      ['timeline 24h, all categories', '#/timeline?range=24h', '#complaints-chart .u-over'],
      ['messages (first 50)', '#/messages', '#messages article'],
      ['messages category=login', '#/messages?category=login&complaint=true', '#messages article'],
    ] as const) {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        await page.goto('about:blank');
        const s = performance.now();
        await page.goto(`${server.url}/${hash}`);
        await page.waitForSelector(ready);
        times.push(performance.now() - s);
      }
      out(`    ${name.padEnd(44)} ${percentile(times, 50).toFixed(0).padStart(7)} ms`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}
