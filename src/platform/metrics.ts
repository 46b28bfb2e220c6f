import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process (`GET /metrics`). One registry per service instance (tests make many). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'radar_' });
  return {
    registry,
    ingested: new Counter({ name: 'radar_messages_ingested_total', help: 'Messages stored (new, deduplicated).', labelNames: ['channel', 'source'] as const, registers: [registry] }),
    duplicates: new Counter({ name: 'radar_messages_duplicate_total', help: 'Messages delivered again and skipped.', registers: [registry] }),
    classified: new Counter({ name: 'radar_messages_classified_total', help: 'Messages classified.', labelNames: ['lang'] as const, registers: [registry] }),
    complaints: new Counter({ name: 'radar_complaints_total', help: 'Complaints stored, by category and channel.', labelNames: ['category', 'channel'] as const, registers: [registry] }),
    jobFailures: new Counter({ name: 'radar_job_failures_total', help: 'Failed job attempts.', labelNames: ['queue', 'final'] as const, registers: [registry] }),
    deadLetters: new Counter({ name: 'radar_dead_letters_total', help: 'Messages set aside as dead letters.', labelNames: ['queue'] as const, registers: [registry] }),
    queueDepth: new Gauge({ name: 'radar_queue_depth', help: 'Jobs per queue and state.', labelNames: ['queue', 'state'] as const, registers: [registry] }),
    sourceLag: new Gauge({ name: 'radar_source_lag_seconds', help: 'Seconds since a source last polled successfully.', labelNames: ['source'] as const, registers: [registry] }),
    sourceFetched: new Gauge({ name: 'radar_source_fetched_total', help: 'Messages fetched by a source since it was added.', labelNames: ['source'] as const, registers: [registry] }),
    rateLimitRemaining: new Gauge({ name: 'radar_source_rate_limit_remaining', help: 'Remaining API quota a source last saw.', labelNames: ['source'] as const, registers: [registry] }),
    ingestBatch: new Histogram({ name: 'radar_ingest_batch_size', help: 'Messages per database write.', buckets: [1, 10, 50, 100, 250, 500, 1000, 2000], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
