/**
 * A process that starts while its database is down or unreachable (PostgreSQL restarting, a network
 * blip, the database host started after this one) waits for it, with backoff, logging each attempt,
 * instead of exiting; `/health` says "starting" meanwhile. Only a connection that could not be made or
 * was lost is waited for: bad credentials, a missing migration or a bad config still stop the start.
 */
import type { Logger } from 'pino';
import { describeError } from '../src/platform/errors.js';

/** Network errors of a connection that could not be made or was cut. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/** PostgreSQL SQLSTATEs of a server going away or not ready: admin/crash shutdown, starting up; class 08 is connection exceptions. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03']);

/**
 * Is `error` (or an error behind it) a database that could not be reached or was lost, rather than one
 * that answered "no"?
 *
 * @example isDatabaseUnreachable(new Error("connect ECONNREFUSED 127.0.0.1:5433", { cause })) // true when cause.code is ECONNREFUSED
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08'))) return true;
    if (/Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(e.message)) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnreachable(inner))) return true;
  }
  return false;
}

export interface WaitOptions {
  readonly log: Logger;
  /** First wait, ms (doubles up to `maxDelayMs`). */
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Told of each failed attempt (for /health). */
  readonly onWaiting?: (reason: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Runs `open` until it succeeds or fails with anything but an unreachable database; waits 1, 2, 4 … 30 s between attempts. */
export async function whenDatabaseReachable<T>(open: () => Promise<T>, options: WaitOptions): Promise<T> {
  const log = options.log.child({ module: 'database' });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxDelay = options.maxDelayMs ?? 30_000;
  let delay = options.firstDelayMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      const opened = await open();
      if (attempt > 1) log.info({ attempts: attempt }, 'database reachable: starting');
      return opened;
    } catch (error) {
      if (!isDatabaseUnreachable(error)) throw error;
      const reason = describeError(error);
      log.warn({ attempt, retryInMs: delay, reason }, 'database unreachable: retrying (this process is not ready until it connects)');
      options.onWaiting?.(reason);
      await sleep(delay);
      delay = Math.min(maxDelay, delay * 2);
    }
  }
}

