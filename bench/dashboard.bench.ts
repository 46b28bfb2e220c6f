/**
 * Dashboard and JSON API timings with 1,000,000 stored messages in SQLite (`--quick`: 100,000):
 * bulk insert through `store.messages.insertNew` in big transactions (plus their series counts and
 * seven days of traffic), then the API calls the dashboard makes (in-process `app.inject`, median of
 * 5) and the first page load in headless Chromium. Needs Redis (the app's context); no data files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { chromium } from 'playwright-core';
import { buildApp } from '../src/api/app.js';
import { Authenticator } from '../src/api/auth.js';
import { startServer } from '../src/api/server.js';
import { serviceConfigSchema } from '../src/config/service.js';
import type { Classification } from '../src/domain/classification.js';
import type { Channel, Lang, Message } from '../src/domain/message.js';
import { silentLogger } from '../src/platform/log.js';
import { hashPassword } from '../src/platform/passwords.js';
import { pingRedis } from '../src/queues/connection.js';
import { countIncrements } from '../src/series/counts.js';
import type { ClassifiedMessage } from '../src/store/message-store.js';
import { createContext } from '../workers/context.js';
import type { BenchArgs } from './index.js';
import { mulberry32 } from '../src/sources/demo/prng.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CATEGORIES = ['login', 'payment', 'slow', 'crash', 'delivery', 'notifications'] as const;
const CHANNELS: readonly Channel[] = ['twitter', 'email', 'beta_form', 'api'];
const WORDS_EN = ['cannot', 'login', 'password', 'payment', 'card', 'slow', 'crash', 'order', 'late', 'app', 'again', 'today', 'update', 'screen', 'button', 'broken'];
const WORDS_RU = ['не', 'могу', 'войти', 'пароль', 'оплата', 'карта', 'тормозит', 'вылетает', 'заказ', 'опять', 'сегодня', 'кнопка', 'экран'];

const rng = mulberry32;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

export default async function dashboardBench(args: BenchArgs): Promise<void> {
  if (!(await pingRedis(REDIS_URL))) {
    out(`skipped: Redis does not answer at ${REDIS_URL}`);
    return;
  }
  const total = args.quick ? 100_000 : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'radar-dash-bench-'));
  const config = serviceConfigSchema.parse({ dataDir: dir, redis: { url: REDIS_URL, prefix: `bench_dash_${process.pid}`, autoStart: false }, database: { url: `sqlite:${join(dir, 'radar.db')}` } });
  const ctx = await createContext(config, { log: silentLogger, classifier: { current: { classify: () => ({ complaint: false, score: 0, categories: [], lang: null }) }, lastError: null, loadedAt: 0, categories: [] } });
  try {
    const now = Date.now();
    const span = 7 * 86_400_000;
    const random = rng(7);
    const step = config.series.step;

    // 1. insert
    let t0 = performance.now();
    const BATCH = 20_000;
    for (let done = 0; done < total; done += BATCH) {
      const items: ClassifiedMessage[] = [];
      for (let i = done; i < Math.min(total, done + BATCH); i++) {
        const ru = random() < 0.4;
        const words = ru ? WORDS_RU : WORDS_EN;
        const n = 6 + Math.floor(random() * 14);
        const text = Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(' ');
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
    const insertMs = performance.now() - t0;
    out(`inserted ${total.toLocaleString('en-US')} messages in ${(insertMs / 1000).toFixed(1)} s (${Math.round(total / (insertMs / 1000)).toLocaleString('en-US')}/s, transactions of ${BATCH})`);

    // 2. API timings, in process
    const token = 'bench-token-0123456789abcdef0123';
    const auth = new Authenticator({ tokens: [{ name: 'bench', token, role: 'admin' }], users: [{ name: 'bench', passwordHash: hashPassword('bench-password'), role: 'viewer' }], sessionSecret: 'bench-session-secret-0123456789abcdef', sessionTtlMs: 3_600_000 });
    const app = await buildApp({ ...ctx, auth });
    const headers = { authorization: `Bearer ${token}` };
    const first = await app.inject({ method: 'GET', url: '/api/messages?limit=50', headers });
    const cursor = (first.json() as { nextCursor: string }).nextCursor;
    const day = now - 86_400_000;
    const calls: Array<[string, string]> = [
      ['summary 24h', '/api/summary?window=24h'],
      ['summary 7d', '/api/summary?window=7d'],
      ['summary 24h channel=twitter', '/api/summary?window=24h&channel=twitter'],
      ['summary 24h lang=ru', '/api/summary?window=24h&lang=ru'],
      ['summary 7d channel=twitter', '/api/summary?window=7d&channel=twitter'],
      ['messages limit=50', '/api/messages?limit=50'],
      ['messages page 2 (cursor)', `/api/messages?limit=50&cursor=${cursor}`],
      ['messages complaint=true category=login', '/api/messages?complaint=true&category=login&limit=50'],
      ['messages category=crash 1 min window', `/api/messages?complaint=true&category=crash&from=${day}&to=${day + 60_000}&limit=50`],
      ['messages channel=email lang=ru', '/api/messages?channel=email&lang=ru&limit=50'],
      ['messages channel=beta_form complaint=false', '/api/messages?channel=beta_form&complaint=false&limit=50'],
      ['messages q=пароль (substring)', `/api/messages?q=${encodeURIComponent('пароль')}&limit=50`],
      ['messages q=zzz (no match: full scan)', '/api/messages?q=zzzz&limit=50'],
      ['series complaints.login 24h', `/api/series/complaints.login?from=${day}&to=${now}`],
      ['series complaints.login 7d rate', `/api/series/complaints.login?from=${now - span}&to=${now}&step=15m&rate=true`],
      ['series keys', '/api/series'],
    ];
    const measure = async (list: ReadonlyArray<[string, string]>) => {
      for (const [name, url] of list) {
        const times: number[] = [];
        let status = 0;
        for (let i = 0; i < 6; i++) {
          const s = performance.now();
          const res = await app.inject({ method: 'GET', url, headers });
          if (i > 0) times.push(performance.now() - s);
          status = res.statusCode;
        }
        out(`  ${name.padEnd(44)} ${median(times).toFixed(1).padStart(8)} ms  (status ${status})`);
      }
    };
    out('API (in-process inject, median of 5 after 1 warm-up):');
    await measure(calls);
    const plan = async (label: string, query: string) => {
      const rows = await sql.raw<{ detail: string }>(`explain query plan ${query}`).execute(ctx.store.db);
      out(`  plan ${label}: ${rows.rows.map((r) => r.detail).join(' | ')}`);
    };
    await plan('channel+lang', `select * from messages where channel = 'email' and lang = 'ru' order by created_at desc, id desc limit 51`);
    await plan('summary filtered', `select category, count(*) from messages where complaint = 1 and channel = 'twitter' and created_at >= ${day} and created_at < ${now} group by category`);

    // 3. first page load in Chromium (real HTTP on 127.0.0.1)
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
      out('page load in Chromium (navigation start → view rendered; median of 3):');
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
        out(`  ${name.padEnd(44)} ${median(times).toFixed(0).padStart(8)} ms`);
      }
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    await ctx.queues.obliterate().catch(() => undefined);
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
