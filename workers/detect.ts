/**
 * The scheduled `detect` worker: at each tick, for every configured series (patterns expanded over the
 * stored keys), feeds the detector every bucket that is complete — with the reference series (traffic)
 * — and hands the verdicts to alerting, which commits them with its own decisions in one transaction
 * (see store/tick-store.ts). Nothing is written here: a tick is computed, then committed whole.
 *
 * - **Complete** means past `series.settle` and past every polled source's watermark (its last
 *   successful poll); a source lagging more than `detect.late.maxWait` stops holding detection back
 *   and its data, when it comes, is late.
 * - **Late data**: ingest records the earliest late bucket per series; the next tick restores the
 *   newest hourly checkpoint before it, judges that bucket and everything after it again, rewrites what
 *   the detector said, and hands the re-judged points to alerting flagged `late`.
 * - **Learning**: until `detect.learning` after its first non-empty bucket a series is shown as
 *   learning and pages nobody.
 * Detector state is persisted per series, so any worker process can run the next tick: a small row
 * every tick (how far the series is judged, and the commit's stamp) and the detector's full snapshot
 * (its base, ~37 KB, its number arrays packed: src/detect/state-packing.ts) every `BASE_EVERY` buckets,
 * staggered over the series; a detector is restored from its base and fed the stored buckets since
 * again, silently (the detector is deterministic, and late data re-judges from a checkpoint anyway). A process keeps its detectors between ticks
 * (`DetectorCache`), used only while the saved row still carries the stamp of its own commit. `runDetectTick` judges every series in one go (tools, tests, the CSV-free one-shot path);
 * the detect worker splits a tick over series groups that several processes share
 * (workers/detect-groups.ts), each group under its own renewed Redis lease.
 */
import { randomUUID } from 'node:crypto';
import { compileDetectorOptions, keyMatches, type CompiledSeries } from '../src/config/detect.js';
import type { Anomaly } from '../src/domain/anomaly.js';
import { createDetector, restoreDetector, type Detector, type DetectorOutput } from '../src/detect/detector.js';
import type { DetectorOptions } from '../src/detect/options.js';
import type { DetectorState } from '../src/detect/state.js';
import { isPackedState, packState, unpackState, type PackedState } from '../src/detect/state-packing.js';
import { bucketStart, isCounterSeries } from '../src/series/counts.js';
import { seriesGroup } from '../src/series/group.js';
import type { StoredDetectorPoint } from '../src/store/detector-point-store.js';
import type { Checkpoint, LateMark } from '../src/store/late-store.js';
import type { Point } from '../src/domain/point.js';
import { baseKey, commitTick, NO_ALERTING, stateKey, type DetectorWrites } from '../src/store/tick-store.js';
import { metricSteps, metricWatermark, readMetricCursor } from '../src/sources/metric-pull/cursor.js';
import { configuredPolls } from '../src/sources/poll.js';
import type { ServiceContext } from './context.js';

/** History the detector learns from when a series has no saved state (two weeks: daily and weekly cycles). */
export const WARMUP_HISTORY_MS = 14 * 86_400_000;
const HOUR = 3_600_000;

/** A series' detector state as saved in the kv store (`detect.state.<key>`, written every tick). */
interface SavedState {
  /** The last bucket judged. */
  readonly t: number;
  /** Start of the first non-empty bucket seen (null: none yet; absent in states saved before learning existed). */
  readonly firstSeen?: number | null;
  /** The bucket of the base (`detect.base.<key>`) the detector is restored from before it is fed the buckets up to `t`. */
  readonly base?: number;
  /** The commit that wrote the row: a process's cached detector serves only while the row carries its stamp. */
  readonly stamp?: string;
  /** Rows written before the base was split off: the detector's state itself, at `t`. */
  readonly state?: DetectorState;
}

/** A detector's full snapshot (`detect.base.<key>`), written every `BASE_EVERY` buckets. */
interface SavedBase {
  readonly t: number;
  /** Packed (src/detect/state-packing.ts); bases written before packing hold the plain state. */
  readonly state: PackedState | DetectorState;
}

/** A detector's state as a base or checkpoint stores it (packed: about half the time to read back). */
const storedState = (detector: Detector): PackedState => packState(detector.snapshot());

/**
 * A detector restored from a stored state as read from the store, packed or plain (stored before packing):
 * the detector takes it over (no copy), so nothing else may hold it. Throws on a state it cannot read.
 */
function restoreStored(options: DetectorOptions, stored: PackedState | DetectorState): Detector {
  return restoreDetector(options, isPackedState(stored) ? unpackState(stored) : stored, true);
}

/**
 * Buckets between two full snapshots of a series' detector (fewer than this are fed again on a restore).
 * Packed, a base costs about what a third less of them did as JSON: 10 writes the bytes 15 did then.
 */
export const BASE_EVERY = 10;

/** Does judging up to `t` (from a base at `baseT`) cross a base boundary of this series? Staggered by the key's hash. */
function baseDue(key: string, baseT: number, t: number, step: number): boolean {
  const phase = seriesGroup(key, BASE_EVERY);
  return Math.floor((Math.floor(t / step) + phase) / BASE_EVERY) !== Math.floor((Math.floor(baseT / step) + phase) / BASE_EVERY);
}

/** The bucket of the last base boundary at or before `t` of this series (where a running service last wrote its base). */
export function lastBaseBoundary(key: string, t: number, step: number): number {
  const phase = seriesGroup(key, BASE_EVERY);
  const k = Math.floor(t / step);
  return (k - ((((k + phase) % BASE_EVERY) + BASE_EVERY) % BASE_EVERY)) * step;
}

/** The kv row of a series' base: its detector's full snapshot at bucket `t`. */
export const baseRow = (key: string, t: number, detector: Detector): { key: string; value: SavedBase } => ({ key: baseKey(key), value: { t, state: storedState(detector) } });

/** The kv row of a series' state: judged up to `t`, restored from the base at `base`, written by the commit `stamp`. */
export const stateRow = (key: string, t: number, base: number, firstSeen: number | null, stamp: string): { key: string; value: SavedState } => ({
  key: stateKey(key),
  value: { t, firstSeen, base, stamp },
});

/** A detector a process kept after its commit, and the stamp that commit wrote. */
export interface CachedDetector {
  readonly t: number;
  readonly stamp: string;
  readonly detector: Detector;
  /** The base its saved row points at. */
  readonly base: number;
}

/**
 * Detectors kept between ticks, per series group, by the process that judges the group. A group's
 * detectors are taken out while a job feeds them and put back only after its commit, so a job that
 * fails or loses its lease leaves none behind; a detector serves only while the saved row carries the
 * stamp it was committed with (another process judged the series since, or a model change reset it:
 * the row says otherwise and the state is read again).
 */
export class DetectorCache {
  private readonly groups = new Map<number, { at: number; detectors: Map<string, CachedDetector> }>();

  /** Removes and returns a group's detectors (empty when none are held). */
  take(group: number): Map<string, CachedDetector> {
    const held = this.groups.get(group);
    this.groups.delete(group);
    return held?.detectors ?? new Map();
  }

  /** Keeps a group's detectors after its commit; forgets groups not judged here for `idleMs` (moved to another process). */
  put(group: number, detectors: Map<string, CachedDetector>, now: number, idleMs = 600_000): void {
    for (const [g, held] of this.groups) if (now - held.at > idleMs) this.groups.delete(g);
    this.groups.set(group, { at: now, detectors });
  }

  /** Series held (all groups). */
  get size(): number {
    let n = 0;
    for (const held of this.groups.values()) n += held.detectors.size;
    return n;
  }
}

/** One judged bucket as alerting receives it. */
export interface JudgedPoint extends DetectorOutput {
  /** Judged again because data arrived after it had been judged. */
  readonly late: boolean;
}

export interface SeriesTick {
  readonly key: string;
  readonly reference: string | null;
  /** Points for alerting (new buckets, and late re-judged ones), oldest first; learning points are left out. */
  readonly outputs: readonly JudgedPoint[];
}

/** What alerting decides on: the judged series of a tick (or of several ticks' group rows). */
export interface JudgedTick {
  readonly now: number;
  /** Start of the last bucket judged (null when nothing is complete yet). */
  readonly judgedUntil: number | null;
  readonly series: readonly SeriesTick[];
  /** Every watched series key (judged this tick or not). */
  readonly watched: readonly string[];
}

export interface TickResult extends JudgedTick {
  readonly anomalies: readonly Anomaly[];
  /** What this tick decided for the detector's side; committed by alerting (or `commitDetectTick`). */
  readonly writes: DetectorWrites;
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

/** Values of `key` at each bucket of [from, to) from its stored points: counters read absence as 0, pushed series as missing. */
function fillBuckets(key: string, points: readonly Point[], from: number, to: number, step: number): Array<number | null> {
  const byT = new Map(points.map((p) => [p.t, p.v]));
  const fill = isCounterSeries(key) ? 0 : null;
  const out: Array<number | null> = [];
  for (let t = from; t < to; t += step) out.push(byT.get(t) ?? fill);
  return out;
}

/** Values of `key` at each bucket of [from, to), read from the store. */
async function valuesAt(ctx: ServiceContext, key: string, from: number, to: number, step: number): Promise<Array<number | null>> {
  return fillBuckets(key, await ctx.store.series.read(key, from, to), from, to, step);
}

/** Stored values of a series and its reference over [from, to) (read already, e.g. in one query for many series). */
export interface SeriesValues {
  readonly values: ReadonlyArray<number | null>;
  readonly refs: ReadonlyArray<number | null> | null;
}

/**
 * Runs the detector over [from, to) for one series; snapshots the state at every hour boundary at or
 * after `checkpointFrom` (the checkpoints late data restores). `preread`: the values, when read already.
 */
export async function runSeries(
  ctx: ServiceContext,
  series: CompiledSeries,
  detector: Detector,
  from: number,
  to: number,
  checkpointFrom = Number.POSITIVE_INFINITY,
  preread?: SeriesValues,
): Promise<{ outputs: DetectorOutput[]; checkpoints: Checkpoint[] }> {
  const step = ctx.config.series.step;
  const values = preread?.values ?? (await valuesAt(ctx, series.key, from, to, step));
  const refs = preread ? preread.refs : series.reference ? await valuesAt(ctx, series.reference, from, to, step) : null;
  const outputs: DetectorOutput[] = [];
  const checkpoints: Checkpoint[] = [];
  for (let i = 0, t = from; t < to; i += 1, t += step) {
    outputs.push(refs ? detector.update(t, values[i] ?? null, refs[i] ?? null) : detector.update(t, values[i] ?? null));
    if ((t + step) % HOUR === 0 && t >= checkpointFrom) checkpoints.push({ key: series.key, t, state: storedState(detector) });
  }
  return { outputs, checkpoints };
}

export function toAnomaly(key: string, o: DetectorOutput): Anomaly | null {
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

/**
 * Where a tick may judge up to (exclusive): buckets that closed `series.settle` ago, and that every
 * polled source's watermark (its last successful poll) has passed — except sources lagging more than
 * `detect.late.maxWait` (stopped, failing), which are left out so they cannot stall detection.
 */
export async function judgingEnd(ctx: ServiceContext, now: number): Promise<{ end: number; waitingFor: string[]; leftOut: string[] }> {
  const step = ctx.config.series.step;
  let limit = now - ctx.config.series.settle;
  const waitingFor: string[] = [];
  const leftOut: string[] = [];
  // Every polled message source (metric pulls have their own backfill wait): a new kind needs no line here.
  const polled = [...new Set(configuredPolls(ctx.config.sources).filter((p) => p.kind !== 'prometheus' && p.kind !== 'graphite').map((p) => p.source))];
  // A metric source is complete up to its cursor (the end of its last pulled bucket), not its last poll.
  const pulled = new Map([...ctx.config.sources.prometheus, ...ctx.config.sources.graphite].map((s) => [s.name, metricSteps(s, step)]));
  for (const name of [...polled, ...pulled.keys()]) {
    const status = await ctx.sources.get(name);
    const steps = pulled.get(name);
    const lastSuccess = status?.lastSuccessAt ? Date.parse(status.lastSuccessAt) : null;
    const watermark = steps && lastSuccess !== null ? metricWatermark(await readMetricCursor((c) => ctx.sources.getCursor(c), name, steps.keys()), steps) : lastSuccess;
    // Lagging is judged by the last successful poll: a metric source's data trails it by design (delay + step).
    if (watermark === null || lastSuccess === null || now - lastSuccess > ctx.config.detect.late.maxWait) {
      leftOut.push(name);
      continue;
    }
    if (watermark < limit) {
      limit = watermark;
      waitingFor.push(name);
    }
  }
  return { end: bucketStart(limit, step), waitingFor, leftOut };
}

/** Has this value anything in it (a complaint counted, a metric pushed)? */
const nonEmpty = (key: string, v: number | null): boolean => v !== null && (!isCounterSeries(key) || v !== 0);

/** What judging a set of series decided (a whole tick's, or one series group's). */
export interface Judged {
  readonly series: SeriesTick[];
  readonly anomalies: Anomaly[];
  readonly writes: Omit<DetectorWrites, 'tick' | 'lateHandled'>;
  /** Late marks judged again (series keys and references of the series judged). */
  readonly lateHandled: Map<string, number>;
  /** The detectors as `writes` saves them, with the stamp it carries: for a `DetectorCache` once committed. */
  readonly detectors: Map<string, CachedDetector>;
}

/** Series read from the store in one go (their states, then their values in one query per 500 keys). */
const BATCH = 500;
/** Bases read per query (~37 KB of text each, restored and dropped at once: a read holds ~2 MB, not ~18 MB). */
const BASE_BATCH = 50;

/**
 * Judges `watched` up to `end` (exclusive): every complete bucket not judged yet, and again every bucket
 * late data reached (`marks`). Reads in batches; writes nothing (the caller commits `writes`). `held`:
 * detectors this process kept since its last commit (`DetectorCache.take`), used where the saved row
 * still carries their stamp; the rest are restored from their base and fed the buckets since again.
 */
export async function judgeSeries(
  ctx: ServiceContext,
  watched: readonly CompiledSeries[],
  end: number,
  marks: ReadonlyMap<string, LateMark>,
  held: ReadonlyMap<string, CachedDetector> = new Map(),
): Promise<Judged> {
  const step = ctx.config.series.step;
  const config = ctx.config.detect;
  const results: SeriesTick[] = [];
  const anomalies: Anomaly[] = [];
  const states: Array<{ key: string; value: SavedState | SavedBase }> = [];
  const points: StoredDetectorPoint[] = [];
  const checkpoints: Checkpoint[] = [];
  const lateHandled = new Map<string, number>();
  const detectors = new Map<string, CachedDetector>();
  const stamp = randomUUID();
  const checkpointFrom = end - config.late.window;

  interface Plan {
    series: CompiledSeries;
    saved: SavedState | null;
    usable: boolean;
    rejudge: number | null;
    detector: Detector | null;
    from: number;
    /** Buckets up to this one were judged already: fed to the detector again, silently. */
    replayUntil: number;
    /** The base the detector started from (null: none saved; a new one is written). */
    base: number | null;
  }

  for (let b = 0; b < watched.length; b += BATCH) {
    const batch = watched.slice(b, b + BATCH);
    const saves = await ctx.store.kv.getMany<SavedState>(batch.map((s) => stateKey(s.key)));
    const plans: Plan[] = [];
    for (const series of batch) {
      const options = { ...series.options, step };
      const saved = saves.get(stateKey(series.key)) ?? null;
      const usable = saved !== null && saved.t >= end - WARMUP_HISTORY_MS;
      const cached = held.get(series.key);
      const current = usable && cached !== undefined && saved.stamp !== undefined && cached.stamp === saved.stamp && cached.t === saved.t ? cached : null;
      // A state already past this tick (a tick's job run late, after a newer one): nothing to do here.
      if (usable && saved.t > end - step) {
        if (current) detectors.set(series.key, current);
        continue;
      }
      // The earliest late bucket of the series or of its reference (traffic pushed late re-judges its rates).
      const markOf = (k: string | null) => (k === null ? undefined : marks.get(k));
      const lateT = Math.min(markOf(series.key)?.t ?? Infinity, markOf(series.reference)?.t ?? Infinity);
      for (const k of [series.key, series.reference]) {
        const m = markOf(k);
        if (k !== null && m) lateHandled.set(k, m.seq);
      }
      const rejudge = usable && lateT <= saved.t ? Math.max(lateT, end - config.late.window) : null;

      let detector: Detector | null = null;
      let from = end - WARMUP_HISTORY_MS;
      let base: number | null = null;
      let replayUntil = Number.NEGATIVE_INFINITY;
      if (usable) {
        try {
          if (rejudge !== null) {
            const cp = await ctx.store.late.checkpointBefore(series.key, rejudge);
            if (cp && cp.t < saved.t) {
              detector = restoreStored(options, cp.state as PackedState | DetectorState);
              from = cp.t + step;
            }
            // No checkpoint before it (a young state): judge the whole history again.
          } else if (current) {
            detector = current.detector;
            from = saved.t + step;
            base = current.base;
          } else if (saved.state) {
            // A row from before the base was split off: the state itself.
            detector = restoreStored(options, saved.state);
            from = saved.t + step;
          } else {
            // Restored from its base below (one read for the batch); fed again up to `saved.t`.
            replayUntil = saved.t;
          }
        } catch {
          detector = null; // a state from another detector version: learn again
        }
      }
      // Judged up to the bucket before `end` already (and nothing late): nothing to do; a kept detector stays valid.
      if (usable && rejudge === null && saved.t + step >= end) {
        if (current) detectors.set(series.key, current);
        continue;
      }
      plans.push({ series, saved, usable, rejudge, detector, from, replayUntil, base });
    }

    // Bases of the series restored from them, in one read; a base missing (or not the one the row names): learn again, silently up to `saved.t`.
    const restoring = plans.filter((p) => p.detector === null && p.replayUntil > Number.NEGATIVE_INFINITY);
    for (let i = 0; i < restoring.length; i += BASE_BATCH) {
      const chunk = restoring.slice(i, i + BASE_BATCH);
      const bases = await ctx.store.kv.getMany<SavedBase>(chunk.map((p) => baseKey(p.series.key)));
      for (const p of chunk) {
        const found = bases.get(baseKey(p.series.key));
        if (found && found.t === p.saved?.base) {
          try {
            p.detector = restoreStored({ ...p.series.options, step }, found.state);
            p.from = found.t + step;
            p.base = found.t;
          } catch {
            p.detector = null;
          }
        }
      }
    }
    for (const p of plans) p.detector ??= createDetector({ ...p.series.options, step });

    // Values of the batch, one read per distinct start (in steady state all start at the same bucket).
    const byFrom = new Map<number, Set<string>>();
    for (const p of plans) {
      let keys = byFrom.get(p.from);
      if (!keys) byFrom.set(p.from, (keys = new Set()));
      keys.add(p.series.key);
      if (p.series.reference) keys.add(p.series.reference);
    }
    const read = new Map<number, Map<string, Array<number | null>>>();
    for (const [from, keys] of byFrom) {
      const stored = await ctx.store.series.readMany([...keys], from, end);
      read.set(from, new Map([...keys].map((k) => [k, fillBuckets(k, stored.get(k) ?? [], from, end, step)])));
    }

    for (const { series, saved, usable, rejudge, detector: planned, from, replayUntil, base } of plans) {
      const detector = planned as Detector;
      const values = read.get(from);
      const preread: SeriesValues = { values: values?.get(series.key) ?? [], refs: series.reference ? (values?.get(series.reference) ?? []) : null };
      const run = await runSeries(ctx, series, detector, from, end, checkpointFrom, preread);
      // What is fed again only rebuilds the detector: judged, stored and checkpointed already.
      const outputs = run.outputs.filter((o) => o.t > replayUntil);
      checkpoints.push(...run.checkpoints.filter((c) => c.t > replayUntil));
      // A state saved before learning existed has history: treat it as seen long ago.
      let firstSeen: number | null = saved ? (saved.firstSeen === undefined ? 0 : saved.firstSeen) : null;
      for (const o of outputs) {
        if (nonEmpty(series.key, o.value) && (firstSeen === null || o.t < firstSeen)) firstSeen = o.t;
      }
      // A full snapshot when the detector was rebuilt (new, re-judged, learnt again) or a base boundary is crossed.
      const t = end - step;
      const newBase = base === null || rejudge !== null || baseDue(series.key, base, t, step) ? t : base;
      if (newBase === t) states.push(baseRow(series.key, t, detector));
      states.push(stateRow(series.key, t, newBase, firstSeen, stamp));
      detectors.set(series.key, { t, stamp, detector, base: newBase });

      // Which verdicts go to alerting: new buckets (on a fresh start, only the last `startupWindow`), and
      // the buckets late data reached; never a learning one.
      const alertFrom = usable && saved ? Math.min(saved.t + step, rejudge ?? Infinity) : end - config.startupWindow;
      const learning = (t: number) => firstSeen === null || t < firstSeen + config.learning;
      const live: JudgedPoint[] = [];
      for (const o of outputs) {
        const late = rejudge !== null && usable && saved !== null && o.t >= rejudge && o.t <= saved.t;
        const isLearning = learning(o.t);
        // Nothing to show before the series' first data (a fresh series warms up on two empty weeks).
        if (firstSeen === null || o.t < firstSeen) continue;
        points.push({
          series: series.key,
          t: o.t,
          value: o.value,
          expected: o.expected,
          lower: o.lower,
          upper: o.upper,
          score: o.score,
          direction: o.direction,
          reason: o.reason,
          alert: o.alert,
          learning: isLearning,
          late,
          correlation: o.correlation,
          usualCorrelation: o.usualCorrelation,
        });
        if (o.t < alertFrom || isLearning) continue;
        live.push({ ...o, late });
        const a = toAnomaly(series.key, o);
        if (a) anomalies.push(a);
      }
      results.push({ key: series.key, reference: series.reference, outputs: live });
    }
  }
  return { series: results, anomalies, writes: { states, points, checkpoints, checkpointsBefore: checkpointFrom - HOUR }, lateHandled, detectors };
}

/** One tick: judge every complete bucket not judged yet, and again every bucket late data reached. */
export async function runDetectTick(ctx: ServiceContext, now: number): Promise<TickResult> {
  const step = ctx.config.series.step;
  const { end } = await judgingEnd(ctx, now);
  // Announced (and committed) before any count is read: data stored after this for an earlier bucket is late.
  await ctx.store.late.raiseHorizon(end, now);
  const marks = await ctx.store.late.marks();
  const watched = await watchedSeries(ctx);
  const judged = await judgeSeries(ctx, watched, end, marks);
  const lateHandled = judged.lateHandled;
  // Marks of series nobody watches (or whose buckets were not judged yet) need nothing more.
  for (const [key, m] of marks) if (!lateHandled.has(key)) lateHandled.set(key, m.seq);

  const judgedUntil = end - step;
  return {
    now,
    judgedUntil: watched.length > 0 ? judgedUntil : null,
    series: judged.series,
    watched: watched.map((s) => s.key),
    anomalies: judged.anomalies,
    writes: {
      ...judged.writes,
      lateHandled: [...lateHandled].map(([key, seq]) => ({ key, seq })),
      tick: { at: now, judgedUntil: watched.length > 0 ? judgedUntil : null },
    },
  };
}

/** Commits a tick's detector writes alone (alerting disabled, tools): the same one transaction. */
export async function commitDetectTick(ctx: ServiceContext, result: TickResult): Promise<void> {
  await commitTick(ctx.store, result.writes, NO_ALERTING);
}
