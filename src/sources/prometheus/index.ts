/**
 * The Prometheus source: series pulled from a Prometheus-compatible HTTP API (`/api/v1/query_range`:
 * Prometheus, VictoriaMetrics, Thanos, Mimir). See `metric-pull/poll-handler.ts` for the cursor,
 * backfill and retry rules.
 */
import { prometheusSourceSchema, type PrometheusSourceConfig } from '../../config/metric-sources.js';
import { configFingerprint } from '../config-fingerprint.js';
import { compileEntries, createMetricPoll, type MetricPollResult } from '../metric-pull/poll-handler.js';
import type { PollContext, PollHandler } from '../poll.js';
import { queryRange, type PrometheusEntry } from './query-range.js';

export interface PrometheusPollHandler extends PollHandler {
  readonly kind: 'prometheus';
  /** The same as `poll`, returning what it did. */
  pollOnce(job: { readonly source: string }, ctx: PollContext): Promise<MetricPollResult>;
}

/** `seriesStep`: the radar's bucket width (`series.step`), the default step of every entry. */
export function createPrometheusPollHandler(configs: readonly PrometheusSourceConfig[], deps: { readonly seriesStep: number }): PrometheusPollHandler {
  const entries = new Map(configs.map((c, i) => [c.name, compileEntries<PrometheusEntry>('prometheus', i, c.series, deps.seriesStep)]));
  const { pollOnce } = createMetricPoll<PrometheusSourceConfig, PrometheusEntry>({
    kind: 'prometheus',
    configs,
    entries: (source) => entries.get(source.name) ?? [],
    fetcher: { fetch: queryRange },
  });
  return {
    kind: 'prometheus',
    schedules: configs.map((c) => ({ source: c.name, everyMs: c.pollInterval, fingerprint: configFingerprint('prometheus', prometheusSourceSchema, c) })),
    async poll(job, ctx) {
      await pollOnce(job, ctx);
    },
    pollOnce,
  };
}
