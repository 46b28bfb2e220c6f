/**
 * The cursor of a metric source: per configured series (keyed by its name template), the start of the
 * last complete bucket pulled and stored. It is saved in the same transaction as the points it covers,
 * so it never runs ahead of them; the next poll starts at the bucket after it.
 */
import { z } from 'zod';

export interface QueryCursor {
  /** Start of the last complete bucket pulled (ISO). */
  readonly last: string;
  /** Radar series the query produced in its last pull. */
  readonly series: number;
  /** Series left out in its last pull: past `maxSeries`, or no usable name (see the log). */
  readonly overCap: number;
}

export interface MetricCursor {
  readonly queries: Readonly<Record<string, QueryCursor>>;
}

const cursorSchema = z.object({
  queries: z.record(z.object({ last: z.string().datetime(), series: z.number().int().min(0).default(0), overCap: z.number().int().min(0).default(0) })),
});

/** The stored cursor, or null when there is none or it cannot be read (then each series starts over from its backfill). */
export function parseMetricCursor(raw: unknown): MetricCursor | null {
  const parsed = cursorSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/**
 * How far a metric source's data is complete (epoch ms, exclusive): the end of the oldest series'
 * last pulled bucket; null until every configured series has pulled once. `steps` maps each configured
 * name template to its step.
 */
export function metricWatermark(raw: unknown, steps: ReadonlyMap<string, number>): number | null {
  const cursor = parseMetricCursor(raw);
  if (cursor === null) return null;
  let watermark = Number.POSITIVE_INFINITY;
  for (const [name, step] of steps) {
    const entry = cursor.queries[name];
    if (entry === undefined) return null;
    watermark = Math.min(watermark, Date.parse(entry.last) + step);
  }
  return Number.isFinite(watermark) ? watermark : null;
}

/** Name template → step of each series entry of a metric source (`seriesStep`: the default step). */
export function metricSteps(source: { readonly series: ReadonlyArray<{ readonly name: string; readonly step?: number | undefined }> }, seriesStep: number): Map<string, number> {
  return new Map(source.series.map((s) => [s.name, s.step ?? seriesStep]));
}
