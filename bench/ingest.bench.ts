/**
 * Ingest throughput: N messages enqueued → validated, classified, stored and counted, next to raw
 * BullMQ moving N trivial jobs (one process, concurrency 50) in a round just before, as a ratio per
 * round. Each side is timed after an unmeasured warm-up pass of its own (WARM_UP).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { sql } from 'kysely';
import type { BenchArgs } from './index.js';
import { median } from './stats.js';
import type { Message } from '../src/domain/message.js';
import { createRedis, pingRedis } from '../src/queues/connection.js';
import { MessageStore, type MessageStoreOptions } from '../src/store/message-store.js';
import { startIngestWorker } from '../workers/ingest.js';
import { REDIS_URL, benchService, waitUntil } from './support.js';


const TEXTS = [
  'Cannot log in to my mailbox since this morning, password is rejected',
  'Не могу войти в почту, пишет неверный пароль, хотя я его не менял',
  'Letters stuck in outbox, sending fails with an error every time',
  'Почта ужасно тормозит, страница с письмами грузится минуту',
  'Thanks for the new dark theme, looks great on my phone',
  'Вложения не открываются, пишет что файл поврежден',
  'Is there a way to set up forwarding to another address?',
  'Antivirus blocked a perfectly normal pdf attachment from my bank',
  'Спам опять валится во входящие, фильтр вообще не работает',
  'The app crashes as soon as I open a message with pictures',
];

function messages(n: number, runId: string): Message[] {
  const t0 = Date.UTC(2026, 0, 1);
  return Array.from({ length: n }, (_, i) => ({
    id: `api:bench-${runId}-${i}`,
    channel: (['twitter', 'email', 'beta_form', 'api'] as const)[i % 4] ?? 'api',
    source: 'bench',
    author: null,
    text: `${TEXTS[i % TEXTS.length]} #${i % 97}`,
    lang: null,
    createdAt: new Date(t0 + i * 50).toISOString(),
    link: null,
  }));
}

/** Raw BullMQ's rate (jobs per second) and CPU per job in this process (µs). */
interface RawRun {
  readonly rate: number;
  readonly cpu: number;
}

async function rawBullmq(n: number, prefix: string): Promise<RawRun> {
  const connection = createRedis(REDIS_URL);
  const queue = new Queue('raw', { connection, prefix: `{${prefix}}` });
  for (let i = 0; i < n; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ name: 'j', data: { i: i + j }, opts: { removeOnComplete: true } })));
  }
  let done = 0;
  const cpu0 = cpuNow();
  const start = performance.now();
  const worker = new Worker('raw', async () => undefined, { connection: connection.duplicate(), prefix: `{${prefix}}`, concurrency: 50 });
  worker.on('completed', () => {
    done += 1;
  });
  await waitUntil(async () => done >= n);
  const seconds = (performance.now() - start) / 1000;
  const cpu = (cpuNow() - cpu0) / n;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return { rate: n / seconds, cpu };
}

/**
 * The pipeline in this process to the n-th completed job. `searchAndCounts: false` leaves out the search
 * index and the complaint and term counts (what they cost ingest; the service always writes them).
 */
interface PipelineRun {
  /** Messages per second. */
  readonly rate: number;
  /** CPU per message, µs: this process (every thread), and PostgreSQL's backends serving it (0 on SQLite, or where /proc is not readable). */
  readonly cpu: number;
  readonly dbCpu: number;
}

/** CPU time (user + system) a process has used, µs, from /proc (null where that cannot be read). */
function processCpu(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Linux's USER_HZ: /proc's CPU times are in these ticks. */
const CLOCK_TICKS = 100;

function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

async function pipeline(n: number, prefix: string, db: 'sqlite' | 'postgres', options: MessageStoreOptions = {}): Promise<PipelineRun> {
  const service = await benchService(prefix, db);
  const { ctx } = service;
  if (options.searchAndCounts === false) {
    const { handle } = ctx.store;
    Object.defineProperty(ctx.store, 'messages', { value: new MessageStore(handle.db, handle.kind, handle.sqlite, options) });
  }
  await ctx.queues.enqueueMessages(messages(n, prefix));
  // PostgreSQL: the backends of every pooled connection (opened together, held a moment so each query gets its own).
  const backends =
    db === 'postgres'
      ? [...new Set((await Promise.all(Array.from({ length: 10 }, () => sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.02)`.execute(ctx.store.db)))).map((r) => Number(r.rows[0]?.pid)))]
      : [];
  const dbCpu = () => backends.reduce((sum, pid) => sum + (processCpu(pid) ?? 0), 0);
  // Timed as raw BullMQ is, to the n-th completed job (a job completes only once its batch is committed),
  // rather than by counting rows every 10 ms on the worker's own database connection; then checked.
  let done = 0;
  const cpu0 = cpuNow();
  const dbCpu0 = dbCpu();
  const start = performance.now();
  const ingest = startIngestWorker(ctx);
  ingest.worker.on('completed', () => {
    done += 1;
  });
  await waitUntil(async () => done >= n);
  const seconds = (performance.now() - start) / 1000;
  const cpu = (cpuNow() - cpu0) / n;
  const backendCpu = (dbCpu() - dbCpu0) / n;
  await ingest.close();
  const stored = await ctx.store.messages.count();
  if (stored !== n) throw new Error(`${n} jobs completed but ${stored} messages stored`);
  await service.cleanup();
  return { rate: n / seconds, cpu, dbCpu: backendCpu };
}

const CHILD = fileURLToPath(new URL('./ingest-child.ts', import.meta.url));

/**
 * The pipeline on PostgreSQL with `processes` ingest worker processes (each one `bench/ingest-child.ts`,
 * the ingest worker at its defaults) sharing one queue and one schema: messages per second from the
 * moment every process is ready until all are stored.
 */
async function processes(n: number, prefix: string, count: number): Promise<number> {
  const service = await benchService(prefix, 'postgres');
  const { ctx } = service;
  const children: ChildProcess[] = [];
  try {
    await ctx.queues.enqueueMessages(messages(n, prefix));
    for (let i = 0; i < count; i++) {
      children.push(fork(CHILD, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, RADAR_BENCH_CONFIG: JSON.stringify(service.configInput) }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
    }
    await Promise.all(children.map((child) => new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`ingest child exited with ${code} before it was ready`)));
    })));
    const start = performance.now();
    await waitUntil(async () => (await ctx.store.messages.count()) >= n);
    return n / ((performance.now() - start) / 1000);
  } finally {
    await Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.send('stop');
    })));
    await service.cleanup();
  }
}

/**
 * Pairs of rounds (with, without) behind the index-cost lines. The two rounds of a pair run back to
 * back, in alternating order (with first in even pairs, without first in odd ones), so the machine's
 * drift falls on both sides alike; the cost is taken per pair and the median of the pairs reported, with
 * their range, so one descheduled round moves the figure by one pair, not by its share of a mean.
 */
const COST_PAIRS = 7;

/**
 * Messages (jobs) of the unmeasured pass before each measured side, so that both sides are timed with
 * their code compiled: raw BullMQ ran first and cold, the pipeline on each database after it (its first
 * round then paid for compiling its own code and the driver's).
 */
const WARM_UP = 5_000;

interface IndexCost {
  /**
   * Each pair's with and without rounds, and a raw BullMQ round run just before them: the pipeline's ratio
   * to raw BullMQ is taken per pair, so the machine's drift (this VM's speed moves by a third within an
   * hour) falls on both sides of the ratio, as it does on both sides of the cost.
   */
  readonly pairs: ReadonlyArray<{ readonly raw: RawRun; readonly with: PipelineRun; readonly without: PipelineRun }>;
}

async function indexCost(n: number, prefix: string, db: 'sqlite' | 'postgres'): Promise<IndexCost> {
  const pairs: Array<{ raw: RawRun; with: PipelineRun; without: PipelineRun }> = [];
  await pipeline(Math.min(n, WARM_UP), `${prefix}ww`, db);
  await pipeline(Math.min(n, WARM_UP), `${prefix}wo`, db, { searchAndCounts: false });
  for (let pair = 0; pair < COST_PAIRS; pair += 1) {
    const raw = await rawBullmq(n, `${prefix}r${pair}`);
    if (pair % 2 === 0) {
      const withThem = await pipeline(n, `${prefix}w${pair}`, db);
      pairs.push({ raw, with: withThem, without: await pipeline(n, `${prefix}o${pair}`, db, { searchAndCounts: false }) });
    } else {
      const without = await pipeline(n, `${prefix}o${pair}`, db, { searchAndCounts: false });
      pairs.push({ raw, with: await pipeline(n, `${prefix}w${pair}`, db), without });
    }
  }
  return { pairs };
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/**
 * The lines for one database: raw BullMQ beside its pairs, the median rate with them and the median of the
 * pairs' ratios to raw BullMQ (with their range), without them, and
 * what they cost per pair as the median with the range of the pairs — in throughput and in CPU per
 * message (this process, and on PostgreSQL the server backends serving it: less load-dependent than
 * throughput on a shared machine).
 */
function costLines(r: IndexCost, label: string, db: 'sqlite' | 'postgres'): string {
  const rateWith = median(r.pairs.map((p) => p.with.rate));
  const ratios = r.pairs.map((p) => p.with.rate / p.raw.rate);
  const raws = r.pairs.map((p) => p.raw.rate);
  const rateWithout = median(r.pairs.map((p) => p.without.rate));
  const rateCost = r.pairs.map((p) => 1 - p.with.rate / p.without.rate);
  const cpu = (p: PipelineRun) => p.cpu + p.dbCpu;
  const cpuCost = r.pairs.map((p) => cpu(p.with) / cpu(p.without) - 1);
  const who = db === 'postgres' ? 'this process + PostgreSQL backends' : 'this process';
  const range = (xs: number[]) => `${pct(Math.min(...xs))} … ${pct(Math.max(...xs))}`;
  const us = (xs: number[]) => `${median(xs).toFixed(1)} µs`;
  const rounds = (xs: number[]) => xs.map((x) => Math.round(x).toLocaleString('en')).join(' / ');
  return (
    `raw BullMQ (trivial jobs, concurrency 50), a round before each pair: ${Math.round(median(raws)).toLocaleString('en')} jobs/s median (rounds ${rounds(raws)}; ${median(r.pairs.map((p) => p.raw.cpu)).toFixed(1)} µs CPU per job in this process)\n` +
    `${label}${Math.round(rateWith).toLocaleString('en')} msg/s (median; rounds ${rounds(r.pairs.map((p) => p.with.rate))})  ratio to the raw round beside it ${median(ratios).toFixed(2)} (median of ${r.pairs.length}; range ${Math.min(...ratios).toFixed(2)} … ${Math.max(...ratios).toFixed(2)})\n` +
    `  without the search index and counts:          ${Math.round(rateWithout).toLocaleString('en')} msg/s\n` +
    `  they cost (median of ${r.pairs.length} adjacent pairs): ${pct(median(rateCost))} of throughput (range ${range(rateCost)}), ${pct(median(cpuCost))} CPU per message (range ${range(cpuCost)})\n` +
    `  CPU per message (${who}), median: ${us(r.pairs.map((p) => cpu(p.with)))} with them${db === 'postgres' ? ` (${us(r.pairs.map((p) => p.with.dbCpu))} of it PostgreSQL)` : ''}, ${us(r.pairs.map((p) => cpu(p.without)))} without${db === 'postgres' ? ` (${us(r.pairs.map((p) => p.without.dbCpu))})` : ''}\n`
  );
}

export default async function run(args: BenchArgs): Promise<void> {
  if (!(await pingRedis(REDIS_URL))) {
    process.stdout.write(`skipped: no Redis at ${REDIS_URL}\n`);
    return;
  }
  const n = args.quick ? 5_000 : 20_000;
  // Messages per round of the with/without pairs: half of n, so that seven pairs fit the bench's time.
  const costN = n / 2;
  const id = `bench${process.pid}`;
  const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  process.stdout.write(`load average at start: ${load()}\n`);
  await rawBullmq(Math.min(n, WARM_UP), `${id}rawwarm`);
  process.stdout.write(`rounds of ${costN.toLocaleString('en')} messages (jobs)\n`);
  const sqlite = await indexCost(costN, `${id}sq`, 'sqlite');
  process.stdout.write(costLines(sqlite, 'ingest pipeline, SQLite (classify+store+count):  ', 'sqlite'));
  try {
    const pg = await indexCost(costN, `${id}pg`, 'postgres');
    process.stdout.write(costLines(pg, 'ingest pipeline, PostgreSQL:                     ', 'postgres'));
  } catch (error) {
    process.stdout.write(`ingest pipeline, PostgreSQL: skipped (${(error as Error).message})\n`);
    return;
  }
  // Past one process: the same pipeline in separate ingest worker processes on one queue and one schema
  // (Redis, PostgreSQL and the workers share this machine's cores, so the ratio is a floor).
  const one = await processes(n, `${id}p1`, 1);
  const two = await processes(n, `${id}p2`, 2);
  process.stdout.write(`ingest pipeline, PostgreSQL, 1 worker process:   ${Math.round(one).toLocaleString('en')} msg/s\n`);
  process.stdout.write(`ingest pipeline, PostgreSQL, 2 worker processes: ${Math.round(two).toLocaleString('en')} msg/s  ratio ${(two / one).toFixed(2)} of one process (${os.availableParallelism()} cores)\n`);
  process.stdout.write(`load average at end: ${load()}\n`);
}
