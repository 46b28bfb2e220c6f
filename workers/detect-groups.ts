/**
 * Detection split over series groups, so detect workers on several processes (and hosts) share the
 * series. Every series key belongs to the group its key hashes to (`detect.groups`, src/series/group.ts).
 *
 * A tick is three steps, each a BullMQ job with its own lock:
 * 1. **The tick** (`detect` queue, one cluster-wide: the scheduler's job, under the `detect-tick` lock)
 *    first runs the alerting step for the ticks every group has judged (3.), then applies a model change
 *    (it takes every group's lock, so no group judges while the series are re-counted and re-baselined),
 *    clears the late marks every group has judged again, announces the judging horizon, and enqueues one
 *    job per group — job id per (group, groups, end): a tick run twice, or every 15 s within one bucket,
 *    enqueues each group's job once.
 * 2. **A group job** (`detect-group` queue, under its group's lock) judges its series up to the tick's
 *    end (workers/detect.ts `judgeSeries`: new buckets, and the buckets late data reached) and commits in
 *    ONE transaction their detector states, what the detector said, checkpoints, the group's state (how
 *    far it judged, which late marks it saw) and its inbox row: what it judged for alerting. A job killed
 *    before its commit is run again (BullMQ's stalled-job check, or the next tick judges the same
 *    buckets); after it, a second run finds nothing left to judge. The last group to finish a tick
 *    enqueues the tick job again, so alerting follows at once.
 * 3. **The alerting step** (inside the tick job, under its lock) takes the inbox rows of the ticks every
 *    group has judged, runs the alert state machine over all of them at once — grouping, incidents and
 *    correlation look across series, so they never run per group — and commits the alert changes, the
 *    outbox and the rows' removal in ONE transaction.
 * Each decision commits with its consequences: the detector's with its verdicts for alerting, alerting's
 * with its notification intents. Alerting waits for the slowest group, so it sees a tick whole.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import { compileDetectorOptions, detectTickEveryMs, type CompiledSeries } from '../src/config/detect.js';
import type { Anomaly } from '../src/domain/anomaly.js';
import { failpoint } from '../src/platform/failpoint.js';
import { RadarError } from '../src/platform/errors.js';
import { duplicateRedis } from '../src/queues/connection.js';
import { JOB_NAMES, type JobPayloads } from '../src/queues/jobs.js';
import { withLock, withLocks, type Lease } from '../src/queues/lock.js';
import { syncSchedulers } from '../src/queues/schedulers.js';
import { seriesGroup } from '../src/series/group.js';
import type { InboxKey } from '../src/store/detect-inbox-store.js';
import { commitAlerting, commitGroup, groupKey, NO_ALERTING } from '../src/store/tick-store.js';
import type { ServiceContext } from './context.js';
import { DetectorCache, judgeSeries, judgingEnd, toAnomaly, watchedSeries, type JudgedTick, type SeriesTick } from './detect.js';
import { GroupOwners } from './detect-owners.js';
import { applyModelChange, modelChangePending } from './model-rollout.js';

/** A series group's state (kv `detect.group.<n>`), written with its detector states. */
export interface GroupState {
  /** Start of the last bucket the group judged. */
  readonly judgedUntil: number;
  /** When that tick ran. */
  readonly at: number;
  /** Late marks (series key → seq) the group had judged again when it committed. */
  readonly handled: Readonly<Record<string, number>>;
}

export type GroupJobData = JobPayloads['detect-group'];

/** What one group job did (its BullMQ return value). */
export interface GroupRun {
  readonly group: number;
  readonly end: number;
  readonly pid: number;
  /** Already judged past this tick (a job run late): nothing done. */
  readonly stale: boolean;
  /** Per series judged: [key, first bucket, last bucket] of what the detector said. */
  readonly judged: ReadonlyArray<readonly [string, number, number]>;
  readonly anomalies: number;
}

/** The job id of one group's part of one tick (deterministic: the same tick enqueues it once). */
export const groupJobId = (group: number, groups: number, end: number): string => `g${group}-of${groups}-${end}`;

const lockOfGroup = (ctx: ServiceContext, group: number): string => ctx.keys.lock(`detect-group.${group}`);

/** The state of every group 0…groups−1 (null for a group that never committed). */
export async function groupStates(ctx: ServiceContext, groups: number): Promise<Array<GroupState | null>> {
  const keys = Array.from({ length: groups }, (_, g) => groupKey(g));
  const found = await ctx.store.kv.getMany<GroupState>(keys);
  return keys.map((k) => found.get(k) ?? null);
}

/** Start of the last bucket every group has judged (null until each has committed once). */
function judgedByAll(states: ReadonlyArray<GroupState | null>): number | null {
  let min = Number.POSITIVE_INFINITY;
  for (const s of states) {
    if (s === null) return null;
    min = Math.min(min, s.judgedUntil);
  }
  return Number.isFinite(min) ? min : null;
}

/**
 * One group's part of a tick: judges its series up to `end` and commits (see the file comment). Throws
 * ERR_LOCK_LOST, writing nothing, when the lease was lost before the commit. `cache`: the detectors this
 * process kept for the group, taken out while the job runs and put back only once its commit is done.
 */
export async function runGroupJob(ctx: ServiceContext, data: GroupJobData, lease?: Lease, cache?: DetectorCache): Promise<GroupRun> {
  const step = ctx.config.series.step;
  const base = { group: data.group, end: data.end, pid: process.pid };
  const before = await ctx.store.kv.get<GroupState>(groupKey(data.group));
  if (before !== null && before.judgedUntil > data.end - step) return { ...base, stale: true, judged: [], anomalies: 0 };
  const series: CompiledSeries[] = [];
  for (const key of data.series) {
    const compiled = compileDetectorOptions(ctx.config.detect, key);
    if (compiled && compiled.key !== compiled.reference) series.push(compiled);
  }
  const marks = await ctx.store.late.marks();
  const judged = await judgeSeries(ctx, series, data.end, marks, cache?.take(data.group));
  const live = judged.series.filter((s) => s.outputs.length > 0);
  const state: GroupState = { judgedUntil: data.end - step, at: data.now, handled: Object.fromEntries([...marks].map(([k, m]) => [k, m.seq])) };
  if (lease?.lost) throw new RadarError('ERR_LOCK_LOST', 'series group job lost its lease before committing; nothing written', { retryable: true, context: { group: data.group } });
  failpoint('group.before-commit');
  await commitGroup(
    ctx.store,
    judged.writes,
    { group: data.group, state, inbox: live.length > 0 ? { group: data.group, tick: data.end, at: data.now, payload: live } : null },
    data.now,
  );
  failpoint('group.after-commit');
  cache?.put(data.group, judged.detectors, ctx.clock.now());
  const ranges = new Map<string, [number, number]>();
  for (const p of judged.writes.points) {
    const r = ranges.get(p.series);
    if (r) r[1] = Math.max(r[1], p.t);
    else ranges.set(p.series, [p.t, p.t]);
  }
  return { ...base, stale: false, judged: [...ranges].map(([k, [a, b]]) => [k, a, b] as const), anomalies: judged.anomalies.length };
}

/** Commits the alerting step of a split tick (alerting's `onJudged`, or the tick record alone). */
export type JudgedHandler = (tick: JudgedTick & { anomalies: readonly Anomaly[] }, taken: readonly InboxKey[], lease: Lease) => Promise<void>;

/** A `JudgedHandler` for a service without alerting (tools, tests): takes the rows and records the tick. */
export const commitJudged =
  (ctx: ServiceContext): JudgedHandler =>
  async (tick, taken, lease) => {
    if (lease.lost) throw new RadarError('ERR_LOCK_LOST', 'alerting step lost its lease before committing; nothing written', { retryable: true });
    await commitAlerting(ctx.store, NO_ALERTING, taken, { at: tick.now, judgedUntil: tick.judgedUntil });
  };

/**
 * The alerting step: the inbox rows of every tick all groups have judged, merged, handed to `onJudged`
 * (which commits their removal with its decisions). Runs every tick, rows or not: alerts escalate,
 * repeat and resolve with time.
 */
export async function alertingStep(ctx: ServiceContext, onJudged: JudgedHandler, now: number, watched: readonly string[], lease: Lease): Promise<{ taken: number }> {
  const step = ctx.config.series.step;
  const judgedUntil = judgedByAll(await groupStates(ctx, ctx.config.detect.groups));
  const rows = judgedUntil === null ? [] : await ctx.store.inbox.upTo(judgedUntil + step);
  const series: SeriesTick[] = rows.flatMap((r) => r.payload as SeriesTick[]);
  const anomalies: Anomaly[] = [];
  for (const s of series) {
    for (const o of s.outputs) {
      const a = toAnomaly(s.key, o);
      if (a) anomalies.push(a);
    }
  }
  const tick = { now, judgedUntil: watched.length > 0 ? judgedUntil : null, series, watched, anomalies };
  await onJudged(tick, rows, lease);
  recordTickMetrics(ctx, tick);
  return { taken: rows.length };
}

/** Lease of the tick lock and of each group's: renewed every third of it while the work runs. */
const LEASE_MS = 30_000;
/** A group job that finds its group locked (the group's previous job still running) tries again this much later. */
const GROUP_BUSY_DELAY_MS = 1000;
/** A group job another live process owns (workers/detect-owners.ts) is put back this long for it. */
const OWNER_WAIT_MS = 100;

/**
 * The tick job (see the file comment): alerting for what every group judged, a model change under
 * every group's lock, late marks every group judged cleared, then one job per group.
 */
export async function runTick(ctx: ServiceContext, onJudged: JudgedHandler, now: number, lease: Lease): Promise<{ enqueued: number; taken: number; skipped?: string }> {
  const groups = ctx.config.detect.groups;
  const watched = await watchedSeries(ctx);
  const keys = watched.map((s) => s.key);
  const { taken } = await alertingStep(ctx, onJudged, now, keys, lease);
  if (lease.lost) return { enqueued: 0, taken, skipped: 'lease lost' };

  if (await modelChangePending(ctx)) {
    const locks = Array.from({ length: groups }, (_, g) => lockOfGroup(ctx, g));
    const run = await withLocks(ctx.redis, locks, { leaseMs: LEASE_MS }, async (all) => {
      await applyModelChange(ctx, now, all);
      return !all.lost;
    });
    // A group is judging: the next tick rolls the model out (no group job is enqueued meanwhile).
    if (!run.acquired || !run.value) return { enqueued: 0, taken, skipped: 'model roll-out waits for the series groups' };
  }

  // Late marks every group has judged again (and none rewritten since) are done with.
  const states = await groupStates(ctx, groups);
  const marks = await ctx.store.late.marks();
  const done = [...marks].filter(([key, m]) => states.every((s) => s !== null && s.handled[key] === m.seq)).map(([key, m]) => ({ key, seq: m.seq }));
  if (done.length > 0) await ctx.store.late.clear(done);

  const { end } = await judgingEnd(ctx, now);
  // Announced (and committed) before any group reads a count: data stored after this for an earlier bucket is late.
  await ctx.store.late.raiseHorizon(end, now);
  const parts: string[][] = Array.from({ length: groups }, () => []);
  for (const key of keys) parts[seriesGroup(key, groups)]?.push(key);
  if (lease.lost) return { enqueued: 0, taken, skipped: 'lease lost' };
  await ctx.queues.get('detect-group').addBulk(
    parts.map((series, group) => ({
      name: JOB_NAMES['detect-group'],
      data: { group, groups, end, now, series } satisfies GroupJobData,
      opts: { jobId: groupJobId(group, groups, end) },
    })),
  );
  return { enqueued: groups, taken };
}

export interface DetectWorker {
  close(): Promise<void>;
}

export interface DetectWorkerOptions {
  readonly everyMs?: number;
  readonly skip?: () => Promise<string | null>;
  /** Group jobs one process runs at once (default 1). */
  readonly concurrency?: number;
  /** BullMQ's job lock and stalled-job check (defaults 30 s): how soon a killed process's job runs again. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  /** Lease of a group's lock (default 30 s): how soon a killed process's group can be judged again. */
  readonly leaseMs?: number;
  /** Run the tick job (default true); false: only group jobs (an extra detect process in tests and benches). */
  readonly ticks?: boolean;
}

/** Schedules the tick (one cluster-wide), runs it, and runs group jobs; `onJudged` decides alerts and commits them. */
export async function startDetectWorker(ctx: ServiceContext, onJudged: JudgedHandler, options: DetectWorkerOptions = {}): Promise<DetectWorker> {
  const log = ctx.log.child({ module: 'detect', queue: 'detect' });
  const bullOptions = {
    ...(options.lockDurationMs !== undefined ? { lockDuration: options.lockDurationMs } : {}),
    ...(options.stalledIntervalMs !== undefined ? { stalledInterval: options.stalledIntervalMs } : {}),
  };
  const workers: Worker[] = [];
  if (options.ticks !== false) {
    const everyMs = options.everyMs ?? detectTickEveryMs(ctx.config.series.step);
    await syncSchedulers(ctx.queues.get('detect'), [{ id: 'detect-tick', everyMs, name: JOB_NAMES.detect, data: { tick: true } }]);
    const tickLock = ctx.keys.lock('detect-tick');
    const ticker = new Worker(
      'detect',
      async () => {
        const reason = await options.skip?.();
        if (reason) return { skipped: reason };
        const run = await withLock(ctx.redis, tickLock, { leaseMs: LEASE_MS }, (lease) => runTick(ctx, onJudged, ctx.clock.now(), lease));
        return run.acquired ? run.value : { skipped: 'another tick is running' };
      },
      { connection: duplicateRedis(ctx.redis), prefix: ctx.keys.bullPrefixFor('detect'), concurrency: 1, ...bullOptions },
    );
    ticker.on('failed', (_job, error) => {
      ctx.metrics.jobFailures.inc({ queue: 'detect', final: 'false' });
      log.error({ err: error }, 'detect tick failed');
    });
    ticker.on('error', (error) => log.error({ err: error }, 'detect worker error'));
    workers.push(ticker);
  }
  const groupLog = ctx.log.child({ module: 'detect', queue: 'detect-group' });
  // Each group stays with one live process, which keeps the group's detectors between ticks.
  const owners = new GroupOwners(ctx.redis, ctx.keys.detectMembers);
  await owners.start();
  const cache = new DetectorCache();
  const grouper = new Worker<GroupJobData>(
    'detect-group',
    async (job: Job<GroupJobData>, token?: string) => {
      if (!owners.owns(job.data.group)) {
        await job.moveToDelayed(Date.now() + OWNER_WAIT_MS, token);
        throw new DelayedError();
      }
      const run = await withLock(ctx.redis, lockOfGroup(ctx, job.data.group), { leaseMs: options.leaseMs ?? LEASE_MS }, (lease) => runGroupJob(ctx, job.data, lease, cache));
      // The group's previous job is still running: this one waits a second (no attempt spent).
      if (!run.acquired) {
        await job.moveToDelayed(Date.now() + GROUP_BUSY_DELAY_MS, token);
        throw new DelayedError();
      }
      const states = await groupStates(ctx, job.data.groups);
      // The last group of the tick: the alerting step follows at once (once per tick end).
      if (!run.value.stale && job.data.groups === ctx.config.detect.groups && (judgedByAll(states) ?? -Infinity) >= job.data.end - ctx.config.series.step) {
        await ctx.queues.add('detect', { tick: true }, { jobId: `after-${job.data.end}` });
      }
      return run.value;
    },
    { connection: duplicateRedis(ctx.redis), prefix: ctx.keys.bullPrefixFor('detect-group'), concurrency: options.concurrency ?? 1, ...bullOptions },
  );
  grouper.on('failed', (_job, error) => {
    ctx.metrics.jobFailures.inc({ queue: 'detect-group', final: 'false' });
    groupLog.error({ err: error }, 'series group job failed');
  });
  grouper.on('error', (error) => groupLog.error({ err: error }, 'detect group worker error'));
  workers.push(grouper);
  return {
    close: async () => {
      // Out of the set first: the others take this process's groups while its last job finishes (under its lease).
      await owners.stop();
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

/** Last tick time and lag per series family (the key's first segment: `complaints`, `traffic`…). */
function recordTickMetrics(ctx: ServiceContext, tick: JudgedTick): void {
  if (tick.judgedUntil === null) return;
  const families = new Set(tick.watched.map((key) => key.split('.')[0] ?? key));
  for (const group of families) {
    ctx.metrics.detectLastTick.set({ group }, tick.now / 1000);
    ctx.metrics.detectLag.set({ group }, Math.max(0, tick.now - (tick.judgedUntil + ctx.config.series.step)) / 1000);
  }
}
