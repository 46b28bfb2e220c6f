/**
 * Metrics read at scrape time from where their truth lives (queues, source state, the store), so every
 * process that serves `/metrics` — the api, or a worker-only process's own listener
 * (`workers/metrics-server.ts`) — reports the same values whichever process last did the work.
 */
import type { Gauge } from 'prom-client';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/service.js';
import type { Clock } from '../platform/clock.js';
import { setCounterTotal, type Metrics } from '../platform/metrics.js';
import type { Queues } from '../queues/queues.js';
import { bucketStart } from '../series/counts.js';
import { exportedSeriesKeys, exportGauges, type ExportSample } from '../series/export-gauges.js';
import type { SourceState } from '../sources/source-state.js';
import type { StoredDetectorPoint } from '../store/detector-point-store.js';
import type { Store } from '../store/store.js';
import { TICK_KEY, type TickInfo } from '../store/tick-store.js';

/** How long the scrape's database reads may take (PostgreSQL `statement_timeout`); a slower read keeps the last values. */
export const SCRAPE_QUERY_TIMEOUT_MS = 2000;
/** Most watched series a scrape exports as `radar_detector_*` (one bounded, indexed read). */
export const MAX_EXPORTED_SERIES = 1000;

export interface ScrapeDeps {
  readonly queues: Queues;
  readonly sources: SourceState;
  readonly store: Store;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly config: Pick<ServiceConfig, 'series'>;
  /** Category names of the keyword config in use: the bounded `category` label set. */
  readonly classifier: { readonly categories: readonly string[] };
}

/**
 * The last complete bucket: the newest one the detector judged (past `series.settle` and every polled
 * source's watermark, see workers/detect.ts), or, before any tick, the newest one past `series.settle`.
 */
export function lastCompleteBucket(tick: TickInfo | null, now: number, step: number, settle: number): number {
  return tick?.judgedUntil ?? bucketStart(now - settle, step) - step;
}

/**
 * Complaint counts and rates of the last complete bucket and what the detector said of it, from the
 * stored series and `detector_points`: the same in every process and across restarts. Reads only, bounded
 * (primary-key lookups for a fixed list of keys, one indexed range with a LIMIT, a statement timeout on
 * PostgreSQL); the gauges are replaced in one synchronous step, so a scrape never sees half of them.
 */
async function refreshSeriesGauges(deps: ScrapeDeps): Promise<void> {
  const { metrics } = deps;
  const { step, settle, reference } = deps.config.series;
  const categories = deps.classifier.categories;
  const now = deps.clock.now();
  const read = await deps.store.readOnly(SCRAPE_QUERY_TIMEOUT_MS, async (db) => {
    const bucket = lastCompleteBucket(await deps.store.kv.get<TickInfo>(TICK_KEY, db), now, step, settle);
    const values = await deps.store.series.valuesAt(exportedSeriesKeys(categories, reference), bucket, db);
    const detector = await deps.store.detectorPoints.atBucket(bucket, MAX_EXPORTED_SERIES, db);
    return { bucket, values, detector };
  });
  const g = exportGauges(read.values, categories, reference);
  const byLabel = [
    [metrics.bucketCategory, metrics.rateCategory, g.byCategory],
    [metrics.bucketChannel, metrics.rateChannel, g.byChannel],
    [metrics.bucketLanguage, metrics.rateLanguage, g.byLanguage],
  ] as const;
  const detectorGauges: Array<[Metrics['detectorValue'], (p: StoredDetectorPoint) => number | null | undefined]> = [
    [metrics.detectorValue, (p) => p.value],
    [metrics.detectorExpected, (p) => p.expected],
    [metrics.detectorLower, (p) => p.lower],
    [metrics.detectorUpper, (p) => p.upper],
    [metrics.detectorScore, (p) => p.score],
    [metrics.detectorLearning, (p) => (p.learning ? 1 : 0)],
    [metrics.detectorCorrelation, (p) => p.correlation],
  ];
  // From here on synchronous: no other scrape can render between the resets and the sets.
  metrics.bucketStart.set(read.bucket / 1000);
  metrics.bucketLength.set(step / 1000);
  metrics.bucketComplaints.set(g.total.count);
  metrics.rateComplaints.reset();
  if (g.total.rate !== null) metrics.rateComplaints.set(g.total.rate);
  metrics.bucketReference.reset();
  if (g.reference !== null) metrics.bucketReference.set({ series: reference }, g.reference);
  for (const [counts, rates, samples] of byLabel as ReadonlyArray<readonly [Gauge<string>, Gauge<string>, ReadonlyArray<ExportSample<string>>]>) {
    counts.reset();
    rates.reset();
    for (const s of samples) {
      counts.set(s.labels, s.count);
      if (s.rate !== null) rates.set(s.labels, s.rate);
    }
  }
  for (const [gauge] of detectorGauges) gauge.reset();
  for (const p of read.detector) {
    for (const [gauge, pick] of detectorGauges) {
      const v = pick(p);
      if (v !== null && v !== undefined && Number.isFinite(v)) gauge.set({ series: p.series }, v);
    }
  }
}

/**
 * Refreshes queue depth, source lag/fetched/quota, firing alerts, the outbox backlog, and the complaint
 * counts, rates and detector verdicts of the last complete bucket; a failing read leaves the last values
 * and is logged. Never writes.
 */
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
    ['series', () => refreshSeriesGauges(deps)],
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
