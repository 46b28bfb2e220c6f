import type { Logger } from 'pino';
import type { RedisClient } from '../queues/connection.js';
import type { ServiceConfig } from '../config/service.js';
import type { Clock } from '../platform/clock.js';
import type { Metrics } from '../platform/metrics.js';
import type { Queues } from '../queues/queues.js';
import type { SourceState } from '../sources/source-state.js';
import type { Store } from '../store/store.js';
import type { OutboxEntry } from '../store/outbox-store.js';
import type { Alert } from '../domain/alert.js';
import type { Evidence } from '../alerting/evidence.js';
import type { Classification } from '../domain/classification.js';
import type { Lang } from '../domain/message.js';
import type { Authenticator } from './auth.js';
import type { Explanation } from '../classify/classifier.js';

/** What the review queue reads of a classifier's explanation. */
export type ReviewExplanation = Pick<Explanation, 'keywordScore' | 'learnedScore' | 'ranking'>;

/** Everything the HTTP app needs; the service context provides it (tests build their own). */
/** How a hand over pages the new owner (the alerting engine, workers/alerting.ts, is one). */
export interface HandOverPager {
  /** The evidence as it stands at `now`, for the page. */
  evidence(alert: Alert, now: number): Promise<Evidence>;
  /** The pages telling `alert.owner` that `by` handed the incident over: outbox entries, one per notifier. */
  handOverPages(alert: Alert, evidence: Evidence | null, by: string, at: number): readonly OutboxEntry[];
}

export interface ApiDeps {
  readonly config: ServiceConfig;
  readonly log: Logger;
  readonly clock: Clock;
  readonly redis: RedisClient;
  readonly store: Store;
  readonly queues: Queues;
  readonly sources: SourceState;
  readonly metrics: Metrics;
  readonly auth: Authenticator;
  /** Key of the author/contact hash of pushed messages and reports (one per deployment, never a default). */
  readonly authorKey: string;
  readonly classifier: {
    readonly current: {
      classify(text: string, lang?: Lang | null): Classification;
      /** The layers' scores (the live classifier has it; the review queue orders by them, else by `score`). */
      explain?(text: string, lang?: Lang | null, channel?: string | null): ReviewExplanation;
    };
    readonly lastError: string | null;
    readonly loadedAt: number;
    /** Category names of the keyword config in use (a relabel must name one of them). */
    readonly categories: readonly string[];
    /** The model version in use (the live classifier has one). */
    readonly version?: string;
  };
  /**
   * Alerting, when this process runs it: the secret that signs ack links, and the pages that tell a
   * new owner an incident was handed over to them (outbox entries, one per notifier).
   */
  readonly alerting?: { readonly ackSecret: string | null; readonly handOver?: HandOverPager };
}
