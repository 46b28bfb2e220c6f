/**
 * One `/render?format=json` request of a Graphite target and its answer, parsed strictly. A Graphite
 * datapoint is stamped with the start of its interval; each lands in the bucket its time falls in, and
 * several datapoints in one bucket (a target finer than `step`) become one value by the entry's
 * `aggregate`. `null` datapoints are gaps. The range asked for is a step wider on each side (Graphite
 * rounds `from` up to its own interval) and the caller keeps only the buckets it asked for.
 */
import { z } from 'zod';
import type { Point } from '../../domain/point.js';
import type { GraphiteSourceConfig } from '../../config/metric-sources.js';
import { bucketStart } from '../../series/counts.js';
import type { PollContext } from '../poll.js';
import { MetricSourceError, requestJson } from '../metric-pull/http.js';
import type { CompiledEntry, PulledSeries } from '../metric-pull/poll-handler.js';

export const renderResponseSchema = z.array(
  z.object({
    target: z.string(),
    tags: z.record(z.union([z.string(), z.number()]).transform(String)).optional(),
    datapoints: z.array(z.tuple([z.number().nullable(), z.number()])),
  }),
);

export type GraphiteEntry = GraphiteSourceConfig['series'][number];

const AGGREGATE: Record<GraphiteEntry['aggregate'], (values: readonly number[]) => number> = {
  avg: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  sum: (v) => v.reduce((a, b) => a + b, 0),
  max: (v) => Math.max(...v),
  min: (v) => Math.min(...v),
  last: (v) => v[v.length - 1] as number,
};

/** Datapoints `[value, seconds]` → one point per bucket (null and non-finite values are gaps). */
export function bucketDatapoints(datapoints: ReadonlyArray<readonly [number | null, number]>, step: number, aggregate: GraphiteEntry['aggregate']): Point[] {
  const buckets = new Map<number, number[]>();
  for (const [value, seconds] of datapoints) {
    if (value === null || !Number.isFinite(value)) continue;
    const t = bucketStart(seconds * 1000, step);
    const list = buckets.get(t);
    if (list) list.push(value);
    else buckets.set(t, [value]);
  }
  return [...buckets].sort(([a], [b]) => a - b).map(([t, values]) => ({ t, v: AGGREGATE[aggregate](values) }));
}

/** Pulls buckets [from, to] of one entry. */
export async function render(
  source: GraphiteSourceConfig,
  entry: CompiledEntry<GraphiteEntry>,
  range: { readonly from: number; readonly to: number },
  ctx: PollContext,
): Promise<PulledSeries[]> {
  const step = entry.step;
  const form = new URLSearchParams({
    target: entry.entry.target,
    from: String(Math.floor((range.from - step) / 1000)),
    until: String(Math.floor((range.to + 2 * step) / 1000)),
    format: 'json',
  });
  const body = await requestJson({
    source: source.name,
    series: entry.name,
    url: `${source.url}/render`,
    method: 'GET',
    form,
    auth: source,
    timeoutMs: source.requestTimeout,
    maxBytes: source.maxResponseBytes,
    signal: ctx.signal,
    now: ctx.now,
    rateLimitWaitMs: source.pollInterval,
  });
  const parsed = renderResponseSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MetricSourceError(source.name, `${entry.name}: unexpected render response: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, {
      retryable: true,
      series: entry.name,
    });
  }
  return parsed.data.map((s) => ({
    labels: s.tags ?? {},
    nodes: s.target.split('.'),
    points: bucketDatapoints(s.datapoints, step, entry.entry.aggregate),
  }));
}
