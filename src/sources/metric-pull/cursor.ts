/**
 * The cursors of a metric source: one per configured series entry (a row named
 * `<source>|<name template>`), holding the start of the last complete bucket pulled and stored. A
 * cursor is saved in the same transaction as the points it covers, so it never runs ahead of them;
 * the next poll starts at the bucket after it. One row per entry keeps each write small however many
 * entries a source has.
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

/** What `/api/sources` shows as a metric source's cursor: each entry's, by name template (null: not pulled yet). */
export interface MetricCursor {
  readonly queries: Readonly<Record<string, QueryCursor | null>>;
}

const cursorSchema = z.object({ last: z.string().datetime(), series: z.number().int().min(0).default(0), overCap: z.number().int().min(0).default(0) });

/** The database name of one entry's cursor. */
export function metricCursorName(source: string, template: string): string {
  return `${source}|${template}`;
}

/** A stored entry cursor, or null when there is none or it cannot be read (then the entry starts over from its backfill). */
export function parseQueryCursor(raw: unknown): QueryCursor | null {
  const parsed = cursorSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Reads the cursor of each entry of a metric source. */
export async function readMetricCursor(
  getCursor: (name: string) => Promise<unknown>,
  source: string,
  templates: Iterable<string>,
): Promise<MetricCursor> {
  const queries: Record<string, QueryCursor | null> = {};
  for (const template of templates) queries[template] = parseQueryCursor(await getCursor(metricCursorName(source, template)));
  return { queries };
}

/**
 * How far a metric source's data is complete (epoch ms, exclusive): the end of the oldest entry's last
 * pulled bucket; null until every configured entry has pulled once. `steps` maps each entry's name
 * template to its step.
 */
export function metricWatermark(cursor: MetricCursor, steps: ReadonlyMap<string, number>): number | null {
  let watermark = Number.POSITIVE_INFINITY;
  for (const [name, step] of steps) {
    const entry = cursor.queries[name];
    if (entry === undefined || entry === null) return null;
    watermark = Math.min(watermark, Date.parse(entry.last) + step);
  }
  return Number.isFinite(watermark) ? watermark : null;
}

/** Name template → step of each series entry of a metric source (`seriesStep`: the default step). */
export function metricSteps(source: { readonly series: ReadonlyArray<{ readonly name: string; readonly step?: number | undefined }> }, seriesStep: number): Map<string, number> {
  return new Map(source.series.map((s) => [s.name, s.step ?? seriesStep]));
}
