/**
 * The Prometheus source: series pulled from a Prometheus-compatible HTTP API (`/api/v1/query_range`:
 * Prometheus, VictoriaMetrics, Thanos, Mimir). See `metric-pull/poll-handler.ts` for the cursor,
 * backfill and retry rules.
 */
import { prometheusSourceSchema, type PrometheusSourceConfig } from '../../config/metric-sources.js';
import { compileEntries, metricPollHandler, type MetricPollResult } from '../metric-pull/poll-handler.js';
import type { SourcePollHandler } from '../source-poll-handler.js';
import { queryRange, type PrometheusEntry } from './query-range.js';

export type PrometheusPollHandler = SourcePollHandler<'prometheus', MetricPollResult>;

/** `seriesStep`: the radar's bucket width (`series.step`), the default step of every entry. */
export function createPrometheusPollHandler(configs: readonly PrometheusSourceConfig[], deps: { readonly seriesStep: number }): PrometheusPollHandler {
  const entries = new Map(configs.map((c, i) => [c.name, compileEntries<PrometheusEntry>('prometheus', i, c.series, deps.seriesStep)]));
  return metricPollHandler<'prometheus', PrometheusSourceConfig, PrometheusEntry>({
    kind: 'prometheus',
    configs,
    schema: prometheusSourceSchema,
    entries: (source) => entries.get(source.name) ?? [],
    fetcher: { fetch: queryRange },
  });
}
