import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one process (`GET /metrics`). One registry per service instance (tests make many).
 *
 * Naming follows the Prometheus conventions: a Counter only goes up and its name ends in `_total`; a Gauge
 * (a value that can go down, or a time stamp) never does; units are in the name (`_seconds`).
 * A test checks every definition here (`test/unit/platform/metrics.test.ts`).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'radar_' });
  // prom-client's gauges `nodejs_active_{resources,handles,requests}_total` break the convention (a gauge
  // named like a counter); each is the sum of the labelled gauge of the same name without `_total`.
  for (const what of ['resources', 'handles', 'requests']) registry.removeSingleMetric(`radar_nodejs_active_${what}_total`);
  return {
    registry,
    ingested: new Counter({ name: 'radar_messages_ingested_total', help: 'Messages stored (new, deduplicated).', labelNames: ['channel', 'source'] as const, registers: [registry] }),
    duplicates: new Counter({ name: 'radar_messages_duplicate_total', help: 'Messages delivered again and skipped.', registers: [registry] }),
    classified: new Counter({ name: 'radar_messages_classified_total', help: 'Messages classified.', labelNames: ['lang'] as const, registers: [registry] }),
    complaints: new Counter({
      name: 'radar_complaints_total',
      help: 'Complaints stored by this process, per matched category (a keyword-config category, none, or other), channel and language (en, ru, other).',
      labelNames: ['category', 'channel', 'language'] as const,
      registers: [registry],
    }),
    lateMessages: new Counter({ name: 'radar_late_messages_total', help: 'Messages stored for a bucket the detector had already judged (late data).', labelNames: ['source'] as const, registers: [registry] }),
    jobFailures: new Counter({ name: 'radar_job_failures_total', help: 'Failed job attempts.', labelNames: ['queue', 'final'] as const, registers: [registry] }),
    webhookRejected: new Counter({
      name: 'radar_webhook_rejected_total',
      help: 'Webhook calls refused, per source (`unknown` for a name not configured) and reason (missing-signature, bad-signature, stale, unknown-source).',
      labelNames: ['source', 'reason'] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({ name: 'radar_dead_letters_total', help: 'Messages set aside as dead letters.', labelNames: ['queue'] as const, registers: [registry] }),
    queueDepth: new Gauge({ name: 'radar_queue_depth', help: 'Jobs per queue and state.', labelNames: ['queue', 'state'] as const, registers: [registry] }),
    sourceLag: new Gauge({ name: 'radar_source_lag_seconds', help: 'Seconds since a source last polled successfully.', labelNames: ['source'] as const, registers: [registry] }),
    sourceFetched: new Counter({ name: 'radar_source_fetched_total', help: 'Messages fetched by a source since it was added (read from the store at scrape time).', labelNames: ['source'] as const, registers: [registry] }),
    rateLimitRemaining: new Gauge({ name: 'radar_source_rate_limit_remaining', help: 'Remaining API quota a source last saw.', labelNames: ['source'] as const, registers: [registry] }),
    detectLastTick: new Gauge({ name: 'radar_detect_last_tick_timestamp_seconds', help: 'Unix time of the last completed detector tick, per series group.', labelNames: ['group'] as const, registers: [registry] }),
    detectLag: new Gauge({ name: 'radar_detect_lag_seconds', help: 'Seconds between the newest judged bucket and now, per series group.', labelNames: ['group'] as const, registers: [registry] }),
    outboxBacklog: new Gauge({ name: 'radar_outbox_backlog', help: 'Notification intents written but not yet relayed to the queue.', registers: [registry] }),
    alertsFiring: new Gauge({ name: 'radar_alerts_firing', help: 'Alerts currently firing (read from the store at scrape time).', registers: [registry] }),
    notificationsSent: new Counter({ name: 'radar_notifications_sent_total', help: 'Notifications delivered, per notifier.', labelNames: ['notifier'] as const, registers: [registry] }),
    notificationsFailed: new Counter({ name: 'radar_notifications_failed_total', help: 'Failed notification attempts, per notifier; final="true" when no retry is left.', labelNames: ['notifier', 'final'] as const, registers: [registry] }),
    retentionPruned: new Counter({ name: 'radar_retention_pruned_total', help: 'Rows deleted or blanked by the retention job, per table and action.', labelNames: ['table', 'action'] as const, registers: [registry] }),
    // Complaint counts and rates of the last complete bucket, read from the stored series at scrape time (the
    // same in every process, across restarts); see src/api/scrape-metrics.ts and src/series/export-gauges.ts.
    bucketComplaints: new Gauge({ name: 'radar_complaints_in_bucket', help: 'Complaints in the last complete bucket (stored series).', registers: [registry] }),
    bucketCategory: new Gauge({ name: 'radar_category_complaints_in_bucket', help: 'Complaints in the last complete bucket per keyword-config category (a complaint may match several).', labelNames: ['category'] as const, registers: [registry] }),
    bucketChannel: new Gauge({ name: 'radar_channel_complaints_in_bucket', help: 'Complaints in the last complete bucket per channel.', labelNames: ['channel'] as const, registers: [registry] }),
    bucketLanguage: new Gauge({ name: 'radar_language_complaints_in_bucket', help: 'Complaints in the last complete bucket per language (en, ru, other).', labelNames: ['language'] as const, registers: [registry] }),
    rateComplaints: new Gauge({ name: 'radar_complaint_rate', help: 'Complaints per million of the reference series (traffic) in the last complete bucket.', registers: [registry] }),
    rateCategory: new Gauge({ name: 'radar_category_complaint_rate', help: 'Complaints per million of the reference in the last complete bucket, per category.', labelNames: ['category'] as const, registers: [registry] }),
    rateChannel: new Gauge({ name: 'radar_channel_complaint_rate', help: 'Complaints per million of the reference in the last complete bucket, per channel.', labelNames: ['channel'] as const, registers: [registry] }),
    rateLanguage: new Gauge({ name: 'radar_language_complaint_rate', help: 'Complaints per million of the reference in the last complete bucket, per language.', labelNames: ['language'] as const, registers: [registry] }),
    bucketReference: new Gauge({ name: 'radar_reference_in_bucket', help: 'The reference series (traffic) in the last complete bucket.', labelNames: ['series'] as const, registers: [registry] }),
    bucketStart: new Gauge({ name: 'radar_bucket_timestamp_seconds', help: 'Unix time of the start of the bucket the *_in_bucket and *_rate gauges describe.', registers: [registry] }),
    bucketLength: new Gauge({ name: 'radar_bucket_seconds', help: 'Length of a bucket of the stored series (series.step).', registers: [registry] }),
    // What the detector said of that bucket, per watched series (detector_points; bounded by the watched series).
    detectorValue: new Gauge({ name: 'radar_detector_value', help: 'The value the detector judged in the last complete bucket, per watched series.', labelNames: ['series'] as const, registers: [registry] }),
    detectorExpected: new Gauge({ name: 'radar_detector_expected', help: 'The value the detector expected in the last complete bucket.', labelNames: ['series'] as const, registers: [registry] }),
    detectorLower: new Gauge({ name: 'radar_detector_lower', help: 'Lower edge of the detector\'s expected band in the last complete bucket.', labelNames: ['series'] as const, registers: [registry] }),
    detectorUpper: new Gauge({ name: 'radar_detector_upper', help: 'Upper edge of the detector\'s expected band in the last complete bucket.', labelNames: ['series'] as const, registers: [registry] }),
    detectorScore: new Gauge({ name: 'radar_detector_score', help: 'Anomaly score in [0,1] of the last complete bucket (alerts from detect.threshold).', labelNames: ['series'] as const, registers: [registry] }),
    detectorLearning: new Gauge({ name: 'radar_detector_learning', help: '1 while a watched series is learning (too little history to know its normal: shown, never paged), else 0.', labelNames: ['series'] as const, registers: [registry] }),
    detectorCorrelation: new Gauge({ name: 'radar_detector_correlation', help: 'Rolling correlation of a series with its reference (series judged against one only); falling under 0.5 is decoupling.', labelNames: ['series'] as const, registers: [registry] }),
    ingestBatch: new Histogram({ name: 'radar_ingest_batch_size', help: 'Messages per database write.', buckets: [1, 10, 50, 100, 250, 500, 1000, 2000], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Sets a counter to a total kept elsewhere (the store), for counters read at scrape time. The total must
 * only grow (or restart from 0 when its owner is recreated, which Prometheus reads as a counter reset).
 */
export function setCounterTotal<L extends string>(counter: Counter<L>, labels: Partial<Record<L, string | number>>, total: number): void {
  counter.remove(labels);
  counter.inc(labels, total);
}

/**
 * Counts for a counter gathered over a batch and added once per label set (`add` … `addTo`): prom-client
 * builds and checks a label key on every `inc` (0.3–0.6 µs each here), which the ingest worker paid once
 * or twice per message. `values` are the label values in the order of `names`.
 */
export class CounterTally<L extends string> {
  private readonly counts = new Map<string, { readonly values: readonly string[]; n: number }>();

  constructor(private readonly names: readonly L[]) {}

  add(...values: string[]): void {
    const key = values.join('\u0000');
    const prev = this.counts.get(key);
    if (prev !== undefined) prev.n += 1;
    else this.counts.set(key, { values, n: 1 });
  }

  /** Adds the counts to `counter` and starts over. */
  addTo(counter: Counter<L>): void {
    for (const { values, n } of this.counts.values()) {
      const labels = {} as Record<L, string>;
      this.names.forEach((name, i) => (labels[name] = values[i] as string));
      counter.inc(labels, n);
    }
    this.counts.clear();
  }
}
