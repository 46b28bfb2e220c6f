/**
 * Metrics read at scrape time from where their truth lives (queues, source state, the store), so every
 * process that serves `/metrics` — the api, or a worker-only process's own listener
 * (`workers/metrics-server.ts`) — reports the same values whichever process last did the work.
 */
import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.js';
import { setCounterTotal, type Metrics } from '../platform/metrics.js';
import type { Queues } from '../queues/queues.js';
import type { SourceState } from '../sources/source-state.js';
import type { Store } from '../store/store.js';

export interface ScrapeDeps {
  readonly queues: Queues;
  readonly sources: SourceState;
  readonly store: Store;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly log: Logger;
}

/** Refreshes queue depth, source lag/fetched/quota, firing alerts and the outbox backlog; a failing read leaves the last values and is logged. */
export async function refreshScrapeMetrics(deps: ScrapeDeps): Promise<void> {
  const { metrics } = deps;
  const parts: Array<[string, () => Promise<void>]> = [
    [
      'queues',
      async () => {
        const depths = await deps.queues.depths();
        for (const [queue, counts] of Object.entries(depths)) {
          for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue, state }, n);
        }
      },
    ],
    [
      'sources',
      async () => {
        const now = deps.clock.now();
        for (const s of await deps.sources.list()) {
          if (s.lastSuccessAt) metrics.sourceLag.set({ source: s.name }, (now - Date.parse(s.lastSuccessAt)) / 1000);
          setCounterTotal(metrics.sourceFetched, { source: s.name }, s.fetched);
          if (s.rateLimit?.remaining !== null && s.rateLimit?.remaining !== undefined) metrics.rateLimitRemaining.set({ source: s.name }, s.rateLimit.remaining);
        }
      },
    ],
    ['alerts', async () => metrics.alertsFiring.set(await deps.store.alerts.countInState('firing'))],
    // The relay sets it too after each pass; read here, every process's /metrics shows the backlog.
    ['outbox', async () => metrics.outboxBacklog.set(await deps.store.outbox.backlog())],
  ];
  await Promise.all(
    parts.map(async ([name, refresh]) => {
      try {
        await refresh();
      } catch (error) {
        deps.log.warn({ part: name, err: error }, 'metrics: scrape-time values not refreshed');
      }
    }),
  );
}
