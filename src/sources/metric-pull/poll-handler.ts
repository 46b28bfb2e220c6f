/**
 * The poll of one metric source (Prometheus or Graphite): for each configured series entry, every
 * complete bucket since its cursor — the backfill on the first poll — in requests of at most
 * `maxPointsPerRequest` points, each request's points stored with the advanced cursor in one
 * transaction (`PollContext.storeSeries`). Stored values replace the bucket (a re-fetch overwrites,
 * never adds); a bucket with no sample is stored as nothing, a gap, as for pushed series.
 *
 * A failed request leaves its entry's cursor where it was, so the next poll (BullMQ's retry, or the
 * next scheduled one) fetches the same buckets again: a timeout, a 5xx or a restarting server loses no
 * bucket. The other entries of the source go on; the poll then fails with the first error, which the
 * poll worker records (and stops the source for, when retrying cannot help).
 */
import type { ZodTypeAny } from 'zod';
import type { Point } from '../../domain/point.js';
import type { MetricSourceConfig } from '../../config/metric-sources.js';
import { RadarError } from '../../platform/errors.js';
import { parseNameTemplate, renderName, type TemplatePart } from '../../series/name-template.js';
import type { PollContext } from '../poll.js';
import { sourcePollHandler, type SourcePollHandler } from '../source-poll-handler.js';
import { SourceAuthError, SourceRateLimitError } from '../poll.js';
import { metricCursorName, parseQueryCursor, type MetricCursor, type QueryCursor } from './cursor.js';
import { MetricSourceError } from './http.js';
import { pullRange, splitRange } from './pull-range.js';

/** One series as the server returned it, its points already placed at the start of their bucket. */
export interface PulledSeries {
  /** Labels (Prometheus) or tags (Graphite). */
  readonly labels: Readonly<Record<string, string>>;
  /** Dot-separated parts of the returned name (Graphite's `target`); empty for Prometheus. */
  readonly nodes: readonly string[];
  readonly points: readonly Point[];
}

/** One configured series entry, compiled. */
export interface CompiledEntry<E> {
  readonly entry: E;
  readonly name: string;
  readonly parts: readonly TemplatePart[];
  readonly step: number;
  readonly maxSeries: number;
}

/** What a kind (Prometheus, Graphite) adds: the request of one range of one entry. */
export interface MetricFetcher<S extends MetricSourceConfig, E> {
  /** Buckets [from, to] (starts, inclusive) of one entry; points outside are dropped by the caller. */
  fetch(source: S, entry: CompiledEntry<E>, range: { readonly from: number; readonly to: number }, ctx: PollContext): Promise<PulledSeries[]>;
}

/** What one poll did (logged; returned for tests and benchmarks). */
export interface MetricPollResult {
  readonly requests: number;
  /** Points stored. */
  readonly points: number;
  /** Radar series written. */
  readonly series: number;
  /** Series left out (past maxSeries, no usable name). */
  readonly overCap: number;
  readonly failed: number;
  readonly cursor: MetricCursor;
}

/**
 * Compiles the series entries of `source`: templates parsed, steps resolved against `seriesStep`.
 * Throws ERR_CONFIG naming the key when a step is not a whole multiple of `series.step`.
 */
export function compileEntries<E extends { readonly name: string; readonly step?: number | undefined; readonly maxSeries: number }>(
  kind: string,
  index: number,
  entries: readonly E[],
  seriesStep: number,
): CompiledEntry<E>[] {
  return entries.map((entry, j) => {
    const parsed = parseNameTemplate(entry.name);
    const key = `sources.${kind}[${index}].series[${j}]`;
    if ('problem' in parsed) throw new RadarError('ERR_CONFIG', `${key}.name: series name template ${parsed.problem}`, { context: { key } });
    const step = entry.step ?? seriesStep;
    if (step % seriesStep !== 0) {
      throw new RadarError('ERR_CONFIG', `${key}.step: must be a whole multiple of series.step (${seriesStep} ms), not ${step} ms`, { context: { key } });
    }
    return { entry, name: entry.name, parts: parsed.parts, step, maxSeries: entry.maxSeries };
  });
}

/** Gives each returned series its radar key: capped at `maxSeries` in key order, the rest reported. */
export function nameSeries(
  entry: Pick<CompiledEntry<unknown>, 'parts' | 'maxSeries'>,
  pulled: readonly PulledSeries[],
): { kept: Map<string, Point[]>; overCap: string[]; unnamed: string[] } {
  const byKey = new Map<string, Point[]>();
  const unnamed: string[] = [];
  for (const s of pulled) {
    const named = renderName(entry.parts, s.labels, s.nodes);
    if ('problem' in named) {
      unnamed.push(`${describeLabels(s)} ${named.problem}`);
      continue;
    }
    if (byKey.has(named.key)) {
      unnamed.push(`${describeLabels(s)} has the same name as another series ("${named.key}"); add a placeholder that tells them apart`);
      continue;
    }
    byKey.set(named.key, [...s.points]);
  }
  const keys = [...byKey.keys()].sort();
  const kept = new Map(keys.slice(0, entry.maxSeries).map((key) => [key, byKey.get(key) as Point[]]));
  return { kept, overCap: keys.slice(entry.maxSeries), unnamed };
}

function describeLabels(s: PulledSeries): string {
  const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`);
  const text = labels.length > 0 ? `{${labels.join(',')}}` : s.nodes.length > 0 ? s.nodes.join('.') : '{}';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Runs `tasks` with at most `limit` at once. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

export interface MetricPollHandlerParts<K extends 'prometheus' | 'graphite', S extends MetricSourceConfig, E> {
  readonly kind: K;
  readonly configs: readonly S[];
  /** The entry's schema (which fields are secrets, for the fingerprint). */
  readonly schema: ZodTypeAny;
  readonly entries: (source: S) => readonly CompiledEntry<E>[];
  readonly fetcher: MetricFetcher<S, E>;
}

/** The poll handler of a metric source, shared by the Prometheus and Graphite handlers. */
export function metricPollHandler<K extends 'prometheus' | 'graphite', S extends MetricSourceConfig, E>(parts: MetricPollHandlerParts<K, S, E>): SourcePollHandler<K, MetricPollResult> {
  return sourcePollHandler({
    kind: parts.kind,
    configs: parts.configs,
    schema: parts.schema,
    everyMs: (c) => c.pollInterval,
    unknownSource: (source) => new MetricSourceError(source, `no ${parts.kind} source named "${source}" is configured`, { retryable: false }),
    idle: () => ({ requests: 0, points: 0, series: 0, overCap: 0, failed: 0, cursor: { queries: {} } }),
    run,
  });

  async function run(source: S, ctx: PollContext): Promise<MetricPollResult> {
    const entries = parts.entries(source);
    // Each entry's cursor as it is stored. Writes go one at a time; pieces that are ready while a write
    // runs are stored together by the next one (one transaction for many entries).
    const queries: Record<string, QueryCursor | null> = {};
    const storedCursors = await ctx.state.getCursors<unknown>(entries.map((entry) => metricCursorName(source.name, entry.name)));
    for (const entry of entries) {
      const stored = storedCursors.get(metricCursorName(source.name, entry.name)) ?? null;
      queries[entry.name] = parseQueryCursor(stored);
      if (stored !== null && queries[entry.name] === null) ctx.log.warn({ source: source.name, series: entry.name }, 'stored cursor unreadable; this series starts over from its backfill');
    }
    interface Batch {
      readonly points: Map<string, Map<number, number>>;
      readonly updates: Record<string, QueryCursor>;
      readonly waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
    }
    let pending: Batch | null = null;
    let flushing: Promise<void> | null = null;
    const flush = async (): Promise<void> => {
      while (pending !== null) {
        const batch: Batch = pending;
        pending = null;
        try {
          const points = new Map([...batch.points].map(([key, byT]) => [key, [...byT].map(([t, v]) => ({ t, v }))]));
          const cursors = new Map(Object.entries(batch.updates).map(([name, cursor]) => [metricCursorName(source.name, name), cursor]));
          await ctx.storeSeries(source.name, points, cursors);
          Object.assign(queries, batch.updates);
          for (const w of batch.waiters) w.resolve();
        } catch (error) {
          for (const w of batch.waiters) w.reject(error);
        }
      }
      flushing = null;
    };
    const store = (points: ReadonlyMap<string, readonly Point[]>, name: string, next: QueryCursor): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const batch: Batch = (pending ??= { points: new Map(), updates: {}, waiters: [] });
        for (const [key, list] of points) {
          const byT = batch.points.get(key) ?? new Map<number, number>();
          for (const p of list) byT.set(p.t, p.v);
          batch.points.set(key, byT);
        }
        batch.updates[name] = next;
        batch.waiters.push({ resolve, reject });
        flushing ??= flush();
      });

    const totals = { requests: 0, points: 0, series: 0, overCap: 0, failed: 0 };
    const errors: unknown[] = [];
    const now = ctx.now();
    await pool(entries, source.concurrency, async (entry) => {
      try {
        await pullEntry(source, entry, now, ctx, queries[entry.name] ?? null, store, totals);
      } catch (error) {
        totals.failed += 1;
        errors.push(error);
        ctx.log.warn({ source: source.name, series: entry.name, err: error }, 'metric pull failed; retried from the cursor');
      }
    });
    const result: MetricPollResult = { ...totals, cursor: { queries: { ...queries } } };
    if (errors.length > 0) throw pickError(source.name, errors, totals.failed, entries.length);
    await ctx.state.recordSuccess(source.name, { now: ctx.now(), fetched: totals.points, skipped: totals.overCap });
    ctx.log.info({ source: source.name, ...totals }, `${parts.kind} poll done`);
    return result;
  }

  async function pullEntry(
    source: S,
    entry: CompiledEntry<E>,
    now: number,
    ctx: PollContext,
    cursor: QueryCursor | null,
    store: (points: ReadonlyMap<string, readonly Point[]>, name: string, next: QueryCursor) => Promise<void>,
    totals: { requests: number; points: number; series: number; overCap: number },
  ): Promise<void> {
    const range = pullRange(cursor === null ? null : Date.parse(cursor.last), now, { step: entry.step, delay: source.delay, backfill: source.backfill });
    if (range.skipped > 0) {
      ctx.log.warn({ source: source.name, series: entry.name, buckets: range.skipped }, 'cursor older than the backfill period: the buckets before it are not pulled');
    }
    if (range.to < range.from) return;
    for (const piece of splitRange(range.from, range.to, entry.step, source.maxPointsPerRequest)) {
      if (ctx.signal.aborted) return;
      const pulled = await parts.fetcher.fetch(source, entry, piece, ctx);
      totals.requests += 1;
      const inRange = pulled.map((s) => ({ ...s, points: s.points.filter((p) => p.t >= piece.from && p.t <= piece.to && Number.isFinite(p.v)) }));
      const { kept, overCap, unnamed } = nameSeries(entry, inRange);
      if (overCap.length > 0) {
        ctx.log.warn({ source: source.name, series: entry.name, maxSeries: entry.maxSeries, left: overCap.length, first: overCap.slice(0, 10) }, 'query returned more series than maxSeries; the rest are left out');
      }
      if (unnamed.length > 0) ctx.log.warn({ source: source.name, series: entry.name, left: unnamed.length, first: unnamed.slice(0, 10) }, 'series without a usable name left out');
      let points = 0;
      for (const p of kept.values()) points += p.length;
      const left = overCap.length + unnamed.length;
      await store(kept, entry.name, { last: new Date(piece.to).toISOString(), series: kept.size, overCap: left });
      totals.points += points;
      if (piece.to === range.to) {
        totals.series += kept.size;
        totals.overCap += left;
      }
    }
  }
}

/** The error the poll fails with: the one that says most about what to do (auth, then bad config, then rate limit, then retry). */
function pickError(source: string, errors: readonly unknown[], failed: number, total: number): unknown {
  const auth = errors.find((e) => e instanceof SourceAuthError);
  if (auth) return auth;
  const fatal = errors.find((e) => e instanceof RadarError && !e.retryable && !(e instanceof SourceRateLimitError));
  if (fatal) return fatal;
  const limited = errors.find((e) => e instanceof SourceRateLimitError);
  if (limited) return limited;
  const first = errors[0];
  const message = first instanceof Error ? first.message : String(first);
  return new MetricSourceError(source, failed === 1 && total === 1 ? message : `${failed} of ${total} series failed; first: ${message}`, { retryable: true, cause: first });
}
