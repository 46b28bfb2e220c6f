/**
 * The scheduled `detect` worker: at each tick, for every configured series (patterns expanded over the
 * stored keys), feeds the detector every bucket that closed since its last run — with the reference
 * series (traffic) — and hands the points to alerting. Detector state is persisted per series (a
 * bounded JSON snapshot), so any worker process can run the next tick; a Redis lock keeps ticks
 * one at a time cluster-wide.
 */
import { Worker } from 'bullmq';
import { compileDetectorOptions, keyMatches, type CompiledSeries } from '../src/config/detect.js';
import type { Anomaly } from '../src/domain/anomaly.js';
import { createDetector, restoreDetector, type Detector, type DetectorOutput } from '../src/detect/detector.js';
import type { DetectorState } from '../src/detect/state.js';
import { bucketStart, isCounterSeries } from '../src/series/counts.js';
import { describeError } from '../src/platform/errors.js';
import { JOB_NAMES } from '../src/queues/jobs.js';
import { syncSchedulers } from '../src/queues/schedulers.js';
import type { ServiceContext } from './context.js';

/** History the detector learns from when a series has no saved state (two weeks: daily and weekly cycles). */
export const WARMUP_HISTORY_MS = 14 * 86_400_000;
const STATE_KEY = (series: string) => `detect.state.${series}`;
/** Buckets at the end of a fresh warm-up that are handed to alerting. */
const FRESH_LIVE_BUCKETS = 15;

interface SavedState {
  readonly t: number;
  readonly state: DetectorState;
}

export interface SeriesTick {
  readonly key: string;
  readonly reference: string | null;
  /** Outputs for the buckets judged in this tick, oldest first. */
  readonly outputs: readonly DetectorOutput[];
}

export interface TickResult {
  readonly now: number;
  readonly series: readonly SeriesTick[];
  readonly anomalies: readonly Anomaly[];
}

/** The watched series: configured keys and patterns expanded over the keys in the store. */
export async function watchedSeries(ctx: ServiceContext): Promise<CompiledSeries[]> {
  const config = ctx.config.detect;
  if (!config.enabled) return [];
  const stored = await ctx.store.series.keys();
  const keys = new Set<string>();
  for (const entry of config.series) {
    if (!entry.key.includes('*')) keys.add(entry.key);
    else for (const k of stored) if (keyMatches(entry.key, k)) keys.add(k);
  }
  const out: CompiledSeries[] = [];
  for (const key of [...keys].sort()) {
    const compiled = compileDetectorOptions(config, key);
    if (compiled && compiled.key !== compiled.reference) out.push(compiled);
  }
  return out;
}

/** Values of `key` at each bucket of [from, to): counters read absence as 0, pushed series as missing. */
async function valuesAt(ctx: ServiceContext, key: string, from: number, to: number, step: number): Promise<Array<number | null>> {
  const points = await ctx.store.series.read(key, from, to);
  const byT = new Map(points.map((p) => [p.t, p.v]));
  const fill = isCounterSeries(key) ? 0 : null;
  const out: Array<number | null> = [];
  for (let t = from; t < to; t += step) out.push(byT.get(t) ?? fill);
  return out;
}

/** Runs the detector over [from, to) for one series from a given state; returns outputs and the detector. */
export async function runSeries(
  ctx: ServiceContext,
  series: CompiledSeries,
  detector: Detector,
  from: number,
  to: number,
): Promise<DetectorOutput[]> {
  const step = ctx.config.series.step;
  const values = await valuesAt(ctx, series.key, from, to, step);
  const refs = series.reference ? await valuesAt(ctx, series.reference, from, to, step) : null;
  const outputs: DetectorOutput[] = [];
  for (let i = 0, t = from; t < to; i += 1, t += step) {
    outputs.push(refs ? detector.update(t, values[i] ?? null, refs[i] ?? null) : detector.update(t, values[i] ?? null));
  }
  return outputs;
}

function toAnomaly(key: string, o: DetectorOutput): Anomaly | null {
  if (!o.alert || o.value === null || o.direction === null || o.reason === null) return null;
  return {
    series: key,
    t: o.t,
    value: o.value,
    expected: o.expected ?? o.value,
    lower: o.lower ?? o.value,
    upper: o.upper ?? o.value,
    score: o.score,
    direction: o.direction,
    reason: o.reason,
  };
}

/** One tick: judge every bucket that closed (and settled) since the last tick, for every watched series. */
export async function runDetectTick(ctx: ServiceContext, now: number): Promise<TickResult> {
  const step = ctx.config.series.step;
  const settled = bucketStart(now - ctx.config.series.settle, step); // buckets before this are complete
  const results: SeriesTick[] = [];
  const anomalies: Anomaly[] = [];
  for (const series of await watchedSeries(ctx)) {
    const saved = await ctx.store.kv.get<SavedState>(STATE_KEY(series.key));
    let detector: Detector;
    let from: number;
    if (saved && saved.t >= settled - WARMUP_HISTORY_MS) {
      try {
        detector = restoreDetector({ ...series.options, step }, saved.state);
        from = saved.t + step;
      } catch {
        detector = createDetector({ ...series.options, step });
        from = settled - WARMUP_HISTORY_MS;
      }
    } else {
      detector = createDetector({ ...series.options, step });
      from = settled - WARMUP_HISTORY_MS;
    }
    if (from >= settled) continue;
    const outputs = await runSeries(ctx, series, detector, from, settled);
    await ctx.store.kv.set(STATE_KEY(series.key), { t: settled - step, state: detector.snapshot() } satisfies SavedState, now);
    // Warm-up buckets are learning, not news; but the last quarter hour of a fresh warm-up goes to
    // alerting too, so an incident already under way when the service starts is still paged.
    const live = saved ? outputs : outputs.slice(-FRESH_LIVE_BUCKETS);
    results.push({ key: series.key, reference: series.reference, outputs: live });
    for (const o of live) {
      const a = toAnomaly(series.key, o);
      if (a) anomalies.push(a);
    }
  }
  return { now, series: results, anomalies };
}

/**
 * The expected band and scores of a series over [from, to) at the stored step, for charts: the
 * detector replayed from two weeks before `from` (the same code and options as the worker).
 */
export async function seriesBand(ctx: ServiceContext, key: string, from: number, to: number): Promise<DetectorOutput[]> {
  const compiled = compileDetectorOptions(ctx.config.detect, key) ?? { key, reference: null, options: {} };
  const step = ctx.config.series.step;
  const start = bucketStart(from, step);
  const detector = createDetector({ ...compiled.options, step });
  const outputs = await runSeries(ctx, compiled, detector, start - WARMUP_HISTORY_MS, bucketStart(to - 1, step) + step);
  return outputs.filter((o) => o.t >= start && o.t < to);
}

export interface DetectWorker {
  close(): Promise<void>;
}

/** Schedules the tick (one cluster-wide) and processes it; `onTick` hands results to alerting. */
export async function startDetectWorker(
  ctx: ServiceContext,
  onTick: (result: TickResult) => Promise<void>,
  options: { everyMs?: number; skip?: () => Promise<string | null> } = {},
): Promise<DetectWorker> {
  const log = ctx.log.child({ module: 'detect', queue: 'detect' });
  const everyMs = options.everyMs ?? Math.min(ctx.config.series.step, 15_000);
  await syncSchedulers(ctx.queues.get('detect'), [{ id: 'detect-tick', everyMs, name: JOB_NAMES.detect, data: { tick: true } }]);
  const lockKey = ctx.keys.lock('detect-tick');
  const worker = new Worker(
    'detect',
    async () => {
      const reason = await options.skip?.();
      if (reason) return { skipped: reason };
      const token = `${process.pid}-${Math.random()}`;
      const locked = await ctx.redis.set(lockKey, token, 'PX', 5 * 60_000, 'NX');
      if (locked !== 'OK') return { skipped: 'another tick is running' };
      try {
        const result = await runDetectTick(ctx, ctx.clock.now());
        await onTick(result);
        if (result.anomalies.length > 0) log.info({ anomalies: result.anomalies.map((a) => `${a.series}:${a.reason}`) }, 'anomalies');
        return { series: result.series.length, anomalies: result.anomalies.length };
      } finally {
        if ((await ctx.redis.get(lockKey)) === token) await ctx.redis.del(lockKey);
      }
    },
    { connection: ctx.redis.duplicate(), prefix: ctx.keys.bullPrefix, concurrency: 1 },
  );
  worker.on('failed', (_job, error) => {
    ctx.metrics.jobFailures.inc({ queue: 'detect', final: 'false' });
    log.error({ err: describeError(error) }, 'detect tick failed');
  });
  worker.on('error', (error) => log.error({ err: error.message }, 'detect worker error'));
  return { close: () => worker.close() };
}

/** The band at a coarser step: expected/lower/upper summed over the base buckets, score the max, alert any. */
export async function bandAtStep(ctx: ServiceContext, key: string, from: number, to: number, step: number): Promise<DetectorOutput[]> {
  const base = await seriesBand(ctx, key, from, to);
  if (step <= ctx.config.series.step) return base;
  const sum = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
  const out: DetectorOutput[] = [];
  for (const o of base) {
    const t = from + Math.floor((o.t - from) / step) * step;
    const last = out.at(-1);
    if (last && last.t === t) {
      out[out.length - 1] = {
        ...last,
        value: sum(last.value, o.value),
        expected: sum(last.expected, o.expected),
        lower: sum(last.lower, o.lower),
        upper: sum(last.upper, o.upper),
        score: Math.max(last.score, o.score),
        rawScore: Math.max(last.rawScore, o.rawScore),
        alert: last.alert || o.alert,
        direction: last.score >= o.score ? last.direction : o.direction,
        reason: last.score >= o.score ? last.reason : o.reason,
      };
    } else out.push({ ...o, t });
  }
  return out;
}
