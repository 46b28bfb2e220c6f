/**
 * The Graphite source: series pulled from Graphite's render API (`/render?format=json`). See
 * `metric-pull/poll-handler.ts` for the cursor, backfill and retry rules.
 */
import { graphiteSourceSchema, type GraphiteSourceConfig } from '../../config/metric-sources.js';
import { compileEntries, metricPollHandler, type MetricPollResult } from '../metric-pull/poll-handler.js';
import type { SourcePollHandler } from '../source-poll-handler.js';
import { render, type GraphiteEntry } from './render.js';

export type GraphitePollHandler = SourcePollHandler<'graphite', MetricPollResult>;

/** `seriesStep`: the radar's bucket width (`series.step`), the default step of every entry. */
export function createGraphitePollHandler(configs: readonly GraphiteSourceConfig[], deps: { readonly seriesStep: number }): GraphitePollHandler {
  const entries = new Map(configs.map((c, i) => [c.name, compileEntries<GraphiteEntry>('graphite', i, c.series, deps.seriesStep)]));
  return metricPollHandler<'graphite', GraphiteSourceConfig, GraphiteEntry>({
    kind: 'graphite',
    configs,
    schema: graphiteSourceSchema,
    entries: (source) => entries.get(source.name) ?? [],
    fetcher: { fetch: render },
  });
}
