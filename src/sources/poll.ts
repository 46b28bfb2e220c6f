import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/service.js';
import type { Message } from '../domain/message.js';
import type { Point } from '../domain/point.js';
import { RadarError } from '../platform/errors.js';
import type { NewDeadLetter } from '../store/dead-letter-store.js';
import type { PollKind } from './kinds.js';
import type { RateLimitInfo, SourceState } from './source-state.js';

export { POLL_KINDS, type PollKind } from './kinds.js';

/** What a poller may use: it fetches, enqueues, saves its cursor, and reports. No database, no queue internals. */
export interface PollContext {
  readonly log: Logger;
  readonly state: SourceState;
  /** Enqueues for ingest (idempotent by message id). Save the cursor only after this resolves. */
  readonly enqueue: (messages: readonly Message[]) => Promise<void>;
  /**
   * Metric sources: stores pulled points (each replaces its bucket: a re-fetch overwrites, never adds)
   * and the new cursors (by cursor name, each `<source>|…`) in one transaction, so a cursor never runs
   * ahead of its points. Refused (ERR_LOCK_LOST) once the poll's lock lease is lost.
   */
  readonly storeSeries: (source: string, points: ReadonlyMap<string, readonly Point[]>, cursors: ReadonlyMap<string, unknown>) => Promise<void>;
  /** Keeps a malformed item aside with the reason; the poll goes on with the next one. */
  readonly deadLetter: (letter: Omit<NewDeadLetter, 'queue'>) => Promise<void>;
  readonly now: () => number;
  /**
   * Aborted when the process shuts down or the poll's lock lease is lost (another process may poll
   * this source now): stop at the next safe point. After a lost lease `state` refuses every write.
   */
  readonly signal: AbortSignal;
}

/** One poll of one source (one mailbox). Throw the errors below to tell the worker what to do. */
export interface PollHandler {
  readonly kind: PollKind;
  /**
   * Source names this handler serves, with their poll interval (ms), optional mailboxes, and the
   * fingerprint of the source's config entry (`configFingerprint`): a source stopped on a rejected
   * credential stays stopped across restarts while it is unchanged.
   */
  readonly schedules: ReadonlyArray<{ readonly source: string; readonly everyMs: number; readonly mailbox?: string; readonly fingerprint: string }>;
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

/** One scheduled poll: a source, or one mailbox of a mail source, every `everyMs`. */
export interface PollSchedule {
  readonly kind: PollHandler['kind'];
  readonly source: string;
  readonly mailbox?: string;
  readonly everyMs: number;
}

/** The job scheduler id of one poll (`twitter|brand`, `imap|support|INBOX`), unique in the poll queue. */
export function pollSchedulerId(kind: string, source: string, mailbox?: string): string {
  return mailbox === undefined ? `${kind}|${source}` : `${kind}|${source}|${mailbox}`;
}

/** The lock name (`RedisKeys.lock`) that keeps two polls of one source or mailbox from overlapping. */
export function pollLockName(schedule: Pick<PollSchedule, 'kind' | 'source' | 'mailbox'>): string {
  return `poll:${pollSchedulerId(schedule.kind, schedule.source, schedule.mailbox)}`;
}

/** Longest poll lock lease: a poller killed mid-poll blocks its source at most this long (and never beyond one interval). */
export const MAX_POLL_LEASE_MS = 30_000;

/** The lease of a poll's lock: renewed while the poll runs; at most one poll interval. */
export function pollLeaseMs(everyMs: number): number {
  return Math.max(100, Math.min(MAX_POLL_LEASE_MS, everyMs));
}

/** Every poll the config schedules (what the poll handlers' `schedules` say), for status and health. */
export function configuredPolls(sources: ServiceConfig['sources']): PollSchedule[] {
  return [
    ...sources.twitter.map((s) => ({ kind: 'twitter' as const, source: s.name, everyMs: s.pollInterval })),
    ...sources.imap.flatMap((s) => s.mailboxes.map((mailbox) => ({ kind: 'imap' as const, source: s.name, mailbox, everyMs: s.pollInterval }))),
    ...sources.prometheus.map((s) => ({ kind: 'prometheus' as const, source: s.name, everyMs: s.pollInterval })),
    ...sources.graphite.map((s) => ({ kind: 'graphite' as const, source: s.name, everyMs: s.pollInterval })),
    ...sources.helpdesk.flatMap((s) => (s.poll === undefined ? [] : [{ kind: 'helpdesk' as const, source: s.name, everyMs: s.poll.interval }])),
    ...sources.appstore.map((s) => ({ kind: 'appstore' as const, source: s.name, everyMs: s.pollInterval })),
    ...sources.vk.map((s) => ({ kind: 'vk' as const, source: s.name, everyMs: s.pollInterval })),
    ...sources.telegram.filter((s) => s.mode === 'polling').map((s) => ({ kind: 'telegram' as const, source: s.name, everyMs: s.pollInterval })),
    ...sources.mastodon.map((s) => ({ kind: 'mastodon' as const, source: s.name, everyMs: s.pollInterval })),
    ...sources.reddit.map((s) => ({ kind: 'reddit' as const, source: s.name, everyMs: s.pollInterval })),
    ...sources.bluesky.map((s) => ({ kind: 'bluesky' as const, source: s.name, everyMs: s.pollInterval })),
  ];
}

/** Never spend a request we know will be refused: another worker may have seen the quota run out. */
export async function refuseWhileQuotaSpent(ctx: PollContext, source: string): Promise<void> {
  const known = (await ctx.state.get(source))?.rateLimit ?? null;
  if (known && known.remaining === 0 && known.resetAt !== null && known.resetAt > ctx.now()) {
    throw new SourceRateLimitError(source, known.resetAt, known);
  }
}
