/**
 * Every notifier failure says whether a retry could help. `retryDelayFor` turns that into the next
 * delay for a BullMQ job (null: do not retry, throw `UnrecoverableError`).
 */
import { RadarError } from '../platform/errors.js';

export interface NotifyErrorOptions {
  readonly retryable: boolean;
  /** HTTP status (or SMTP response code) when the server answered. */
  readonly status?: number | null;
  /** The server asked us to wait this long (429 Retry-After, Telegram retry_after). */
  readonly retryAfterMs?: number | null;
  readonly cause?: unknown;
}

export class NotifyError extends RadarError {
  readonly notifier: string;
  readonly status: number | null;
  readonly retryAfterMs: number | null;

  constructor(notifier: string, message: string, options: NotifyErrorOptions) {
    super(options.status === 429 ? 'ERR_RATE_LIMITED' : 'ERR_NOTIFY', message, {
      retryable: options.retryable,
      cause: options.cause,
      context: { notifier, status: options.status ?? null },
    });
    this.name = 'NotifyError';
    this.notifier = notifier;
    this.status = options.status ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

export function isNotifyError(error: unknown): error is NotifyError {
  return error instanceof NotifyError;
}

export interface RetryPolicy {
  /** First retry delay; doubles per attempt. */
  readonly baseMs?: number;
  readonly maxMs?: number;
  /** A server-requested wait longer than this is capped to it. */
  readonly maxRetryAfterMs?: number;
}

/**
 * The delay before the next attempt, or null when retrying cannot help (4xx, bad config, bugs).
 * `attemptsMade` counts attempts so far (1 after the first failure), as BullMQ passes it.
 *
 * @example retryDelayFor(new NotifyError('slack', '429', {retryable: true, status: 429, retryAfterMs: 30000}), 1) // 30000
 */
export function retryDelayFor(error: unknown, attemptsMade: number, policy: RetryPolicy = {}): number | null {
  if (!(error instanceof RadarError) || !error.retryable) return null;
  const maxMs = policy.maxMs ?? 15 * 60_000;
  if (error instanceof NotifyError && error.retryAfterMs !== null) {
    return Math.min(Math.max(error.retryAfterMs, 0), policy.maxRetryAfterMs ?? 60 * 60_000);
  }
  const base = policy.baseMs ?? 5_000;
  return Math.min(base * 2 ** Math.max(0, attemptsMade - 1), maxMs);
}

/**
 * A BullMQ custom backoff strategy (`settings.backoffStrategy` on the Worker, job option
 * `backoff: {type: 'notify'}`): -1 tells BullMQ not to retry.
 */
export function notifyBackoffStrategy(attemptsMade: number, _type?: string, error?: Error): number {
  return retryDelayFor(error, attemptsMade) ?? -1;
}
