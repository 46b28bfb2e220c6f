import type { Logger } from 'pino';
import type { Message } from '../domain/message.js';
import { RadarError } from '../platform/errors.js';
import type { NewDeadLetter } from '../store/dead-letter-store.js';
import type { RateLimitInfo, SourceState } from './source-state.js';

/** What a poller may use: it fetches, enqueues, saves its cursor, and reports. No database, no queue internals. */
export interface PollContext {
  readonly log: Logger;
  readonly state: SourceState;
  /** Enqueues for ingest (idempotent by message id). Save the cursor only after this resolves. */
  readonly enqueue: (messages: readonly Message[]) => Promise<void>;
  /** Keeps a malformed item aside with the reason; the poll goes on with the next one. */
  readonly deadLetter: (letter: Omit<NewDeadLetter, 'queue'>) => Promise<void>;
  readonly now: () => number;
  /** Aborted when the process shuts down: stop at the next safe point. */
  readonly signal: AbortSignal;
}

/** One poll of one source (one mailbox). Throw the errors below to tell the worker what to do. */
export interface PollHandler {
  readonly kind: 'twitter' | 'imap';
  /** Source names this handler serves, with their poll interval (ms) and optional mailboxes. */
  readonly schedules: ReadonlyArray<{ readonly source: string; readonly everyMs: number; readonly mailbox?: string }>;
  poll(job: { readonly source: string; readonly mailbox?: string }, ctx: PollContext): Promise<void>;
}

/** Credentials rejected (401/403, IMAP auth failure): stop this source, keep the others going. Never retried. */
export class SourceAuthError extends RadarError {
  constructor(source: string, message: string, cause?: unknown) {
    super('ERR_SOURCE_AUTH', message, { context: { source }, cause, retryable: false });
    this.name = 'SourceAuthError';
  }
}

/** The remote API said "too many requests": wait until `resetAt` (epoch ms); never hammer. */
export class SourceRateLimitError extends RadarError {
  constructor(source: string, readonly resetAt: number, readonly rateLimit: RateLimitInfo | null, cause?: unknown) {
    super('ERR_RATE_LIMITED', `rate limited until ${new Date(resetAt).toISOString()}`, { context: { source }, cause, retryable: true });
    this.name = 'SourceRateLimitError';
  }
}
