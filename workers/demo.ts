/**
 * The demo source: a seeded, realistic stream (English and Russian tweets, e-mails and form reports
 * about a web mail service, traffic following daily and weekly cycles, an incident every few minutes).
 * On first start it backfills history through the same ingest path, then runs in real time. Its
 * cursor (`sentUpTo`) is saved after each chunk is queued; the generator is a function of (seed,
 * minute), so a restart re-produces the same ids and nothing doubles.
 */
import { createDemoGenerator, DEMO_METRICS, type DemoGenerator, type DemoMinute } from '../src/sources/demo/index.js';
import { IngestWriter } from '../src/store/ingest-writer.js';
import type { Message } from '../src/domain/message.js';
import { bucketStart } from '../src/series/counts.js';
import { withLock } from '../src/queues/lock.js';
import type { ClassifierLike, ServiceContext } from './context.js';

export const DEMO_SOURCE = 'demo';
const CHUNK_MS = 3_600_000;
const CURSOR_KEY = 'demo.cursor';
const BACKFILL_LEASE_MS = 30_000;

interface DemoCursor {
  readonly seed: number;
  /** Everything created at or before this time was queued. */
  readonly sentUpTo: number;
  /** When the demo first started on this database (its first incident follows it, see schedule.ts). */
  readonly startedAt?: number;
}

export interface DemoOptions {
  /** Called during the backfill (done and total minutes). */
  readonly onProgress?: (done: number, total: number) => void;
  readonly tickMs?: number;
}

export interface DemoRunner {
  /** Resolves when the backfill has been queued and ingested. */
  readonly backfilled: Promise<void>;
  close(): Promise<void>;
}

/** Is a backfill in progress? The detector waits: judging half-loaded history would teach it zeros. */
/**
 * Writes the demo's traffic and service metrics of some minutes as series points, the way a push to
 * `POST /api/series/:key` stores them (a value per bucket, replaced when sent again).
 */
async function writeMetrics(ctx: ServiceContext, minutes: readonly Pick<DemoMinute, 't' | 'traffic' | 'metrics'>[]): Promise<void> {
  if (minutes.length === 0) return;
  await ctx.store.series.set(ctx.config.series.reference, minutes.map((m) => ({ t: m.t, v: m.traffic })));
  for (const key of DEMO_METRICS) await ctx.store.series.set(key, minutes.map((m) => ({ t: m.t, v: m.metrics[key] })));
}

export async function backfillInProgress(ctx: ServiceContext): Promise<boolean> {
  return (await ctx.redis.exists(ctx.keys.lock('backfill'))) === 1;
}

export function demoEnabled(ctx: ServiceContext): boolean {
  const setting = ctx.config.demo.enabled;
  if (setting !== 'auto') return setting;
  const { twitter, imap, prometheus, graphite } = ctx.config.sources;
  if (ctx.config.sources.mastodon.length + ctx.config.sources.bluesky.length + ctx.config.sources.reddit.length > 0) return false;
  return twitter.length === 0 && imap.length === 0 && prometheus.length === 0 && graphite.length === 0;
}

export async function startDemo(ctx: ServiceContext, options: DemoOptions = {}): Promise<DemoRunner> {
  const log = ctx.log.child({ module: 'demo' });
  const step = ctx.config.series.step;
  const demo = ctx.config.demo;
  // A demo that starts afresh shows a metrics-first incident within its first hour; one started before
  // (its cursor has no start time) keeps the schedule it has been playing.
  const previous = await ctx.store.kv.get<DemoCursor>(CURSOR_KEY);
  const startedAt = previous && previous.seed === demo.seed ? previous.startedAt : ctx.clock.now();
  const generator = createDemoGenerator({
    ...(startedAt !== undefined ? { startedAt } : {}),
    seed: demo.seed,
    peakTrafficPerMinute: demo.peakTrafficPerMinute,
    complaintsPerMillionVisits: demo.complaintsPerMillionVisits,
    incidentEveryMs: demo.incidentEvery,
    incidentLengthMs: demo.incidentLength,
    stepMs: step,
  });
  await ctx.sources.register(DEMO_SOURCE, 'demo');
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  /** Queues everything created in (from, to]: traffic of each minute starting in it, and its messages. */
  const queueRange = async (from: number, to: number): Promise<number> => {
    const messages: Message[] = [];
    const minutes: DemoMinute[] = [];
    for (let t = bucketStart(from, step); t <= to; t += step) {
      const minute = generator.minute(t);
      if (t > from) minutes.push(minute);
      for (const m of minute.messages) {
        const created = Date.parse(m.createdAt);
        if (created > from && created <= to) messages.push(m);
      }
    }
    await writeMetrics(ctx, minutes);
    await ctx.queues.enqueueMessages(messages);
    return messages.length;
  };

  // The cursor lives with the data it describes (the database), so a fresh database backfills again.
  const saveCursor = async (sentUpTo: number, fetched: number) => {
    const cursor: DemoCursor = { seed: demo.seed, sentUpTo, ...(startedAt !== undefined ? { startedAt } : {}) };
    await ctx.store.kv.set(CURSOR_KEY, cursor, ctx.clock.now());
    await ctx.sources.setCursor(DEMO_SOURCE, cursor);
    await ctx.sources.recordSuccess(DEMO_SOURCE, { now: ctx.clock.now(), fetched });
  };

  const backfill = async (): Promise<void> => {
    const now = ctx.clock.now();
    const saved = await ctx.store.kv.get<DemoCursor>(CURSOR_KEY);
    const start = saved && saved.seed === demo.seed ? saved.sentUpTo : bucketStart(now - demo.backfill, step) - 1;
    if (now - start <= CHUNK_MS) return;
    // The backfill lock also tells the detector to wait. A short lease renewed while the backfill runs:
    // a process killed mid-way holds the detector back for one lease, not half an hour.
    const run = await withLock(ctx.redis, ctx.keys.lock('backfill'), { leaseMs: BACKFILL_LEASE_MS }, async (lease) => {
      const total = Math.ceil((now - start) / step);
      log.info({ from: new Date(start).toISOString(), minutes: total }, 'demo backfill started');
      // Newest hour first, so the dashboard shows today at once; the cursor moves only when all is queued
      // (a restart mid-way queues it all again, and ingest skips what it already stored).
      let queued = 0;
      for (let to = now; to > start && !closed && !lease.lost; to -= CHUNK_MS) {
        const from = Math.max(start, to - CHUNK_MS);
        queued += await queueRange(from, to);
        options.onProgress?.(Math.min(total, Math.ceil((now - from) / step)), total);
      }
      if (!closed && !lease.lost) await saveCursor(now, queued);
      // Let ingest catch up before the detector judges this history.
      for (let i = 0; i < 1200 && !closed; i += 1) {
        const c = await ctx.queues.get('ingest').getJobCounts('waiting', 'active', 'prioritized');
        if ((c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) === 0) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      log.info({ messages: queued }, 'demo backfill done');
    });
    if (!run.acquired) {
      // Another process is backfilling the same history: go live only once it is queued.
      log.info('another process is backfilling the demo history; waiting for it');
      while (!closed && (await backfillInProgress(ctx))) await new Promise((r) => setTimeout(r, 1000));
    }
  };

  const tick = async (): Promise<void> => {
    const saved = await ctx.store.kv.get<DemoCursor>(CURSOR_KEY);
    const now = ctx.clock.now();
    const from = saved?.sentUpTo ?? now - 1;
    if (now > from) await saveCursor(now, await queueRange(from, now));
  };

  const loop = () => {
    if (closed) return;
    timer = setTimeout(() => {
      tick()
        .catch((e: unknown) => log.warn({ err: e }, 'demo tick failed'))
        .finally(loop);
    }, options.tickMs ?? 1000);
  };

  const backfilled = backfill()
    .catch((e: unknown) => log.error({ err: e }, 'demo backfill failed'))
    .then(() => loop());

  return {
    backfilled,
    async close() {
      closed = true;
      clearTimeout(timer);
      await backfilled;
    },
  };
}

/**
 * Writes demo minutes [from, to) straight into the store — classify, store, count, and the traffic of
 * each minute — without the queue: for tests and benches that move a pinned clock minute by minute.
 */
export function createDemoReplay(ctx: ServiceContext, generator: DemoGenerator, classifier: ClassifierLike) {
  const step = ctx.config.series.step;
  const writer = new IngestWriter(ctx.store, { step, batchSize: 2000, batchWaitMs: 1, now: () => ctx.clock.now() });
  return async (from: number, to: number): Promise<void> => {
    const writes: Array<Promise<boolean>> = [];
    const minutes: DemoMinute[] = [];
    for (let t = from; t < to; t += step) {
      const minute = generator.minute(t);
      minutes.push(minute);
      for (const message of minute.messages) writes.push(writer.write({ message, classification: classifier.classify(message.text, message.lang, message.channel) }));
    }
    await writeMetrics(ctx, minutes);
    await Promise.all(writes);
  };
}
