/** What the benches share: a full service context on real Redis and a database, and its cleanup. */
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClassifier } from '../src/classify/classifier.js';
import { compileKeywords } from '../src/classify/keyword-model.js';
import { loadKeywords } from '../src/config/keywords.js';
import type { ManualClock } from '../src/platform/clock.js';
import { createDemoGenerator } from '../src/sources/demo/index.js';
import { createDemoReplay } from '../workers/demo.js';
import { serviceConfigSchema } from '../src/config/service.js';
import { silentLogger } from '../src/platform/log.js';
import { createRedis, pingRedis } from '../src/queues/connection.js';
import type { PollContext } from '../src/sources/poll.js';
import { LiveClassifier } from '../workers/classifier.js';
import { createContext, type ServiceContext } from '../workers/context.js';
import { startIngestWorker } from '../workers/ingest.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchService {
  readonly ctx: ServiceContext;
  /** The config as written (before defaults), for a child process that joins the same service. */
  readonly configInput: Record<string, unknown>;
  cleanup(): Promise<void>;
}

/**
 * A service context with the real classifier, a unique Redis prefix and a fresh SQLite file or PostgreSQL
 * schema; `extra`: more config sections (e.g. `{ detect: … }`).
 */
export async function benchService(prefix: string, db: 'sqlite' | 'postgres', extra: Record<string, unknown> = {}): Promise<BenchService> {
  const dir = mkdtempSync(join(tmpdir(), 'radar-bench-'));
  const schema = prefix.toLowerCase();
  const configInput = {
    ...extra,
    dataDir: dir,
    redis: { url: REDIS_URL, prefix, autoStart: false },
    database: db === 'sqlite' ? { url: `sqlite:${join(dir, 'radar.db')}` } : { url: POSTGRES_URL, schema },
  };
  const config = serviceConfigSchema.parse(configInput);
  const classifier = new LiveClassifier(config.classify.keywords, silentLogger, () => Date.now());
  const ctx = await createContext(config, { log: silentLogger, classifier });
  return {
    ctx,
    configInput,
    async cleanup() {
      await ctx.queues.obliterate();
      const redis = createRedis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      if (db === 'postgres') await ctx.store.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await ctx.close();
      classifier.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A poll context that enqueues into the service's ingest queue. */
export function benchPollContext(ctx: ServiceContext): PollContext {
  return {
    log: silentLogger,
    state: ctx.sources,
    storeSeries: (_source, points, cursors) => ctx.store.storePulled(points, new Map([...cursors].map(([c, v]) => [c, JSON.stringify(v)])), ctx.clock.now()),
    enqueue: (messages) => ctx.queues.enqueueMessages(messages),
    deadLetter: async () => undefined,
    now: () => Date.now(),
    signal: new AbortController().signal,
  };
}

export async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 10));
}

/** Does the benches' PostgreSQL answer? (Its figures are printed as skipped when it does not.) */
export async function postgresUp(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The demo as the service plays it, on a manual clock, for the benches that drive detection and alerting
 * over demo time: the service config at its defaults (SQLite in `dir`), its context, the demo generator
 * and a feed that replays demo time [from, to) into the store. `seed`: another demo seed (`--seed`), as a
 * user would set `demo.seed`.
 */
export async function demoBench(dir: string, prefix: string, clock: ManualClock, startedAt?: number, seed?: number) {
  const config = serviceConfigSchema.parse({
    ...(seed === undefined ? {} : { demo: { seed } }),
    dataDir: dir,
    redis: { url: REDIS_URL, prefix: `${prefix}${process.pid}`, autoStart: false },
    database: { url: `sqlite:${join(dir, 'radar.db')}` },
  });
  const ctx = await createContext(config, { log: silentLogger, classifier: new LiveClassifier(config.classify.keywords, silentLogger, () => clock.now()), clock });
  const d = config.demo;
  const generator = createDemoGenerator({
    seed: d.seed,
    peakTrafficPerMinute: d.peakTrafficPerMinute,
    complaintsPerMillionVisits: d.complaintsPerMillionVisits,
    incidentEveryMs: d.incidentEvery,
    incidentLengthMs: d.incidentLength,
    stepMs: config.series.step,
    ...(startedAt === undefined ? {} : { startedAt }),
  });
  const classifier = createClassifier({ keywords: compileKeywords(loadKeywords(config.classify.keywords)) });
  return { config, ctx, generator, feed: createDemoReplay(ctx, generator, classifier) };
}

/** What one "fake page → stored message" run of a message source measured. */
export interface PageToStored {
  /** Polling alone (fetch, parse, enqueue) until a poll says the source is read to its end. */
  readonly pollSeconds: number;
  /** From the first request until `n` messages are stored (the ingest worker running beside). */
  readonly totalSeconds: number;
  readonly pages: number;
}

/**
 * The source benches' measure: polls (`poll`, a handler's `pollOnce`) until one is complete, with an
 * ingest worker running, then waits until `n` messages are stored.
 */
export async function pageToStored(ctx: ServiceContext, n: number, poll: () => Promise<{ readonly pages: number; readonly complete: boolean }>): Promise<PageToStored> {
  const ingest = startIngestWorker(ctx);
  try {
    const start = performance.now();
    let pages = 0;
    for (;;) {
      const result = await poll();
      pages += result.pages;
      if (result.complete) break;
    }
    const pollSeconds = (performance.now() - start) / 1000;
    await waitUntil(async () => (await ctx.store.messages.count()) >= n);
    return { pollSeconds, totalSeconds: (performance.now() - start) / 1000, pages };
  } finally {
    await ingest.close();
  }
}

/** False (and a `skipped` line) when no Redis answers: every pipeline bench needs one. */
export async function redisAnswers(): Promise<boolean> {
  if (await pingRedis(REDIS_URL)) return true;
  process.stdout.write(`skipped: no Redis at ${REDIS_URL}\n`);
  return false;
}

/** Prints `<label> SQLite: <figures>` then the same on PostgreSQL, or why PostgreSQL was skipped. */
export async function onBothDatabases(label: string, measure: (db: 'sqlite' | 'postgres') => Promise<string>): Promise<void> {
  process.stdout.write(`${label}SQLite    : ${await measure('sqlite')}\n`);
  try {
    process.stdout.write(`${label}PostgreSQL: ${await measure('postgres')}\n`);
  } catch (error) {
    process.stdout.write(`${label}PostgreSQL: skipped (${(error as Error).message})\n`);
  }
}

/** The figures of one source bench run: messages per second from page to stored, and the poll alone. */
export function pageToStoredFigures(n: number, items: string, r: PageToStored): string {
  return (
    `${Math.round(n / r.totalSeconds).toLocaleString('en')} messages/s page → stored (${n.toLocaleString('en')} ${items}, ${r.pages} pages, ${r.totalSeconds.toFixed(2)} s); ` +
    `poll alone (fetch + parse + enqueue): ${Math.round(n / r.pollSeconds).toLocaleString('en')} ${items}/s`
  );
}
