/**
 * Detect tick time with the series split over groups (workers/detect-groups.ts): 100, 1,000 and 10,000
 * pushed series at a 1-minute step, judged by one detect process, then by two (each `bench/detect-child.ts`,
 * the group worker at its defaults), on SQLite and PostgreSQL. This process runs the ticks as the tick job
 * does: the alerting step, one job per group (`detect.groups` 16), then — once every group has committed —
 * the alerting step on what they judged. A tick's time runs from its start until that step has committed.
 *
 * Steady state, as a running service meets every minute: each series has a saved detector state (one
 * detector warmed on two weeks of a daily curve, its snapshots saved for every series — the same history,
 * so the same state) and gets one new bucket a tick. One warm-up tick, then the median of three (one
 * at 10,000 series). The warm-up tick is printed too ("first"): the processes have just started, so every
 * series' state is read and restored, as after a restart or when a group moves to another process. The
 * states are saved as a running service leaves them: each series' small row, and its base written at
 * its own staggered boundary (workers/detect.ts `BASE_EVERY`), the buckets since stored, so a restore
 * feeds each base the buckets since again.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import type { BenchArgs } from './index.js';
import { median } from './stats.js';
import { benchService, postgresUp, REDIS_URL, type BenchService } from './support.js';
import { pingRedis } from '../src/queues/connection.js';
import { compileDetectorOptions } from '../src/config/detect.js';
import { createDetector } from '../src/detect/detector.js';
import { withLock } from '../src/queues/lock.js';
import { baseKey } from '../src/store/tick-store.js';
import { createAlerting } from '../workers/alerting.js';
import { alertingStep, groupStates, runTick, type JudgedHandler } from '../workers/detect-groups.js';
import { BASE_EVERY, baseRow, lastBaseBoundary, stateRow } from '../workers/detect.js';
import { HEARTBEAT_MS } from '../workers/detect-owners.js';
import type { ServiceContext } from '../workers/context.js';

const CHILD = new URL('./detect-child.ts', import.meta.url).pathname;
const MIN = 60_000;
const DAY = 1440 * MIN;
const GROUPS = 16;
/** The first bucket the bench feeds (states are saved up to the bucket before it). */
const E0 = Date.UTC(2026, 0, 15);
/** Ticks per run: one warm-up, then three timed (one at 10,000 series, to keep the bench within minutes). */
const ticksFor = (n: number): number => (n >= 10_000 ? 2 : 4);
const value = (i: number, t: number): number => 100 + 30 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + ((i * 7 + t / MIN) % 5);

/**
 * Saved detector states for `n` series (`svc.<i>`), judged up to the bucket before E0, each restored from
 * its last base (at its staggered boundary, one of the last BASE_EVERY buckets), and their values from
 * the oldest of those bases on, up to the buckets the runs judge.
 */
async function prime(ctx: ServiceContext, n: number, buckets: number): Promise<void> {
  const compiled = compileDetectorOptions(ctx.config.detect, 'svc.0');
  if (!compiled) throw new Error('svc.* is not watched');
  const detector = createDetector({ ...compiled.options, step: MIN });
  const first = E0 - BASE_EVERY * MIN;
  const bases = new Map<number, string>();
  for (let t = E0 - 14 * DAY; t < E0; t += MIN) {
    detector.update(t, value(0, t));
    if (t >= first) bases.set(t, JSON.stringify(baseRow('svc.0', t, detector).value));
  }
  const keys = Array.from({ length: n }, (_, i) => `svc.${i}`);
  for (let i = 0; i < n; i += 100) {
    const rows = keys.slice(i, i + 100).flatMap((key) => {
      const base = lastBaseBoundary(key, E0 - MIN, MIN);
      const state = stateRow(key, E0 - MIN, base, E0 - 14 * DAY, 'bench');
      return [
        { key: state.key, value: JSON.stringify(state.value), updated_at: E0 },
        { key: baseKey(key), value: bases.get(base) ?? '', updated_at: E0 },
      ];
    });
    await ctx.store.db.insertInto('kv').values(rows).execute();
  }
  const points = keys.flatMap((key, i) => Array.from({ length: BASE_EVERY + buckets }, (_, b) => ({ key, t: first + b * MIN, v: value(i, first + b * MIN) })));
  for (let i = 0; i < points.length; i += 20_000) await ctx.store.series.add(points.slice(i, i + 20_000));
}

/** One tick at `now`, the way the tick job runs it (plus waiting for the groups); its wall time in ms. */
async function tick(ctx: ServiceContext, onJudged: JudgedHandler, now: number): Promise<number> {
  const start = performance.now();
  const end = now - MIN;
  const run = await withLock(ctx.redis, ctx.keys.lock('detect-tick'), { leaseMs: 60_000 }, async (lease) => {
    await runTick(ctx, onJudged, now, lease);
    for (;;) {
      if ((await groupStates(ctx, GROUPS)).every((s) => s !== null && s.judgedUntil >= end - MIN)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const watched = (await ctx.store.series.keys('svc.')).length;
    const keys = Array.from({ length: watched }, (_, i) => `svc.${i}`);
    await alertingStep(ctx, onJudged, now, keys, lease);
  });
  if (!run.acquired) throw new Error('tick lock taken');
  return performance.now() - start;
}

/** CPU time a detect child has used so far (ms; it answers "cpu"). */
function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (typeof message !== 'object' || message === null || !('cpu' in message)) return;
      child.off('message', onMessage);
      resolve(Number(message.cpu));
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

/**
 * Tick times with `processes` detect processes, ticks `from`…`from + ticks − 1`: the first, the median of
 * the others, and the CPU time the busiest detect process spent on the first (robust to the neighbours' load).
 */
async function measure(service: BenchService, onJudged: JudgedHandler, processes: number, from: number, ticks: number): Promise<Times> {
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < processes; i++) {
      children.push(fork(CHILD, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, RADAR_BENCH_CONFIG: JSON.stringify(service.configInput) }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
    }
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            child.once('message', () => resolve());
            child.once('exit', (code) => reject(new Error(`detect child exited with ${code} before it was ready`)));
          }),
      ),
    );
    // Every process has heard of the others (they share the groups from then on).
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS + 500));
    const times: number[] = [];
    let firstCpu = Number.NaN;
    for (let k = from; k < from + ticks; k++) {
      const before = await Promise.all(children.map(cpuOf));
      times.push(await tick(service.ctx, onJudged, E0 + (k + 1) * MIN));
      const after = await Promise.all(children.map(cpuOf));
      if (k === from) firstCpu = Math.max(...after.map((c, i) => c - (before[i] ?? 0)));
    }
    return { first: times[0] ?? Number.NaN, median: median(times.slice(1)), firstCpu };
  } finally {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.send('stop');
          }),
      ),
    );
  }
}

type Times = { first: number; median: number; firstCpu: number };

async function size(db: 'sqlite' | 'postgres', n: number): Promise<{ one: Times; two: Times }> {
  const service = await benchService(`bdt${db}${n}x${process.pid}`, db, { detect: { groups: GROUPS, series: [{ key: 'svc.*' }] } });
  try {
    const ticks = ticksFor(n);
    await prime(service.ctx, n, 2 * ticks + 1);
    const alerting = createAlerting(service.ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
    const onJudged: JudgedHandler = (t, taken, lease) => alerting.onJudged(t, taken, lease);
    const one = await measure(service, onJudged, 1, 1, ticks);
    const two = await measure(service, onJudged, 2, 1 + ticks, ticks);
    return { one, two };
  } finally {
    await service.cleanup();
  }
}

const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

export default async function run(args: BenchArgs): Promise<void> {
  if (!(await pingRedis(REDIS_URL))) {
    process.stdout.write(`skipped: no Redis at ${REDIS_URL}\n`);
    return;
  }
  const sizes = args.quick ? [100, 1000] : [100, 1000, 10_000];
  const dbs: Array<'sqlite' | 'postgres'> = (await postgresUp()) ? ['sqlite', 'postgres'] : ['sqlite'];
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  process.stdout.write(`detect tick, ${GROUPS} series groups, 1-minute step, one new bucket per series (median of 3 ticks, 1 at 10,000; first: the processes' first tick, every state read; ${os.availableParallelism()} cores shared with Redis and the database, load average ${load})\n`);
  for (const db of dbs) {
    for (const n of sizes) {
      const { one, two } = await size(db, n);
      const name = db === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      process.stdout.write(
        `${name.padEnd(10)} ${n.toLocaleString('en').padStart(6)} series: 1 process ${fmt(one.median).padStart(8)}/tick, 2 processes ${fmt(two.median).padStart(8)}/tick (×${(one.median / two.median).toFixed(2)})${two.median < MIN ? '' : '  — over the step'}; first tick ${fmt(one.first)} / ${fmt(two.first)} (CPU of the busiest detect process ${fmt(one.firstCpu)} / ${fmt(two.firstCpu)})${two.first < MIN ? '' : '  — first tick over the step'}\n`,
      );
    }
  }
  if (dbs.length === 1) process.stdout.write('PostgreSQL: skipped (no server)\n');
  process.stdout.write(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
}
