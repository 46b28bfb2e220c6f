/** Shared pieces of the metric source tests: a poll context wired like the poll worker, sources, readers. */
import { graphiteSourceSchema, prometheusSourceSchema, type GraphiteSourceConfig, type GraphiteSourceInput, type PrometheusSourceConfig, type PrometheusSourceInput } from '../../../src/config/metric-sources.js';
import type { Point } from '../../../src/domain/point.js';
import { metricCursorName, parseQueryCursor, type QueryCursor } from '../../../src/sources/metric-pull/cursor.js';
import type { PollContext } from '../../../src/sources/poll.js';
import type { ServiceContext } from '../../../workers/context.js';

export const MINUTE = 60_000;

export function promSource(url: string, overrides: Partial<PrometheusSourceInput> = {}): PrometheusSourceConfig {
  return prometheusSourceSchema.parse({ name: 'prom', url, requestTimeout: '5s', series: [{ name: 'errors.{service}', query: 'radar_test_errors' }], ...overrides });
}

export function graphiteSource(url: string, overrides: Partial<GraphiteSourceInput> = {}): GraphiteSourceConfig {
  return graphiteSourceSchema.parse({ name: 'graphite', url, requestTimeout: '5s', series: [{ name: 'logins.{1}', target: 'app.*.logins' }], ...overrides });
}

/** The PollContext the poll worker builds (real state, real store), with `now` pinned when given. */
export function pollContext(ctx: ServiceContext, now?: number): PollContext {
  return {
    log: ctx.log,
    state: ctx.sources,
    enqueue: (messages) => ctx.queues.enqueueMessages(messages),
    storeSeries: (_source, points, cursors) => ctx.store.storePulled(points, new Map([...cursors].map(([c, v]) => [c, JSON.stringify(v)])), ctx.clock.now()),
    deadLetter: (letter) => ctx.store.deadLetters.add({ ...letter, queue: 'poll' }, ctx.clock.now()),
    now: () => now ?? ctx.clock.now(),
    signal: new AbortController().signal,
  };
}

/** The stored cursor of one series entry (by its name template) of a metric source. */
export async function cursorOf(ctx: ServiceContext, source: string, template: string): Promise<QueryCursor | null> {
  return parseQueryCursor(await ctx.sources.getCursor(metricCursorName(source, template)));
}

/** Stored points of `key` in [from, to] as a bucket → value map. */
export async function stored(ctx: ServiceContext, key: string, from = 0, to = 8.64e15): Promise<Map<number, number>> {
  const points: Point[] = await ctx.store.series.read(key, from, to + 1);
  return new Map(points.map((p) => [p.t, p.v]));
}

/** The buckets where two bucket → value maps differ (a short list: a whole-map diff is unreadable and slow). */
export function differences(actual: ReadonlyMap<number, number>, expected: ReadonlyMap<number, number> | undefined, limit = 10): string[] {
  const out: string[] = [];
  const want = expected ?? new Map<number, number>();
  for (const t of [...new Set([...actual.keys(), ...want.keys()])].sort((a, b) => a - b)) {
    if (actual.get(t) !== want.get(t)) out.push(`${new Date(t).toISOString()}: stored ${actual.get(t) ?? 'nothing'}, expected ${want.get(t) ?? 'nothing'}`);
    if (out.length >= limit) break;
  }
  return out;
}
