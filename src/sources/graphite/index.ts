/**
 * The Graphite source: series pulled from Graphite's render API (`/render?format=json`). See
 * `metric-pull/poll-handler.ts` for the cursor, backfill and retry rules.
 */
import { graphiteSourceSchema, type GraphiteSourceConfig } from '../../config/metric-sources.js';
import { configFingerprint } from '../config-fingerprint.js';
import { compileEntries, createMetricPoll, type MetricPollResult } from '../metric-pull/poll-handler.js';
import type { PollContext, PollHandler } from '../poll.js';
import { render, type GraphiteEntry } from './render.js';

export interface GraphitePollHandler extends PollHandler {
  readonly kind: 'graphite';
  /** The same as `poll`, returning what it did. */
  pollOnce(job: { readonly source: string }, ctx: PollContext): Promise<MetricPollResult>;
}

/** `seriesStep`: the radar's bucket width (`series.step`), the default step of every entry. */
export function createGraphitePollHandler(configs: readonly GraphiteSourceConfig[], deps: { readonly seriesStep: number }): GraphitePollHandler {
  const entries = new Map(configs.map((c, i) => [c.name, compileEntries<GraphiteEntry>('graphite', i, c.series, deps.seriesStep)]));
  const { pollOnce } = createMetricPoll<GraphiteSourceConfig, GraphiteEntry>({
    kind: 'graphite',
    configs,
    entries: (source) => entries.get(source.name) ?? [],
    fetcher: { fetch: render },
  });
  return {
    kind: 'graphite',
    schedules: configs.map((c) => ({ source: c.name, everyMs: c.pollInterval, fingerprint: configFingerprint('graphite', graphiteSourceSchema, c) })),
    async poll(job, ctx) {
      await pollOnce(job, ctx);
    },
    pollOnce,
  };
}
