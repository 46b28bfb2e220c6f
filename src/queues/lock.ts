/**
 * The one cluster-wide lock: a Redis key set with `SET key token NX PX lease`, kept alive while the work
 * runs and released only by its holder.
 *
 * - **Short lease, renewed.** The key expires `leaseMs` after the last renewal; a renewal runs every
 *   `leaseMs / 3` while `fn` runs (compare-and-pexpire in Lua: only the holder's token extends it). A
 *   process that dies (kill -9) stops renewing, so its lock is gone within one lease.
 * - **Lost lease.** When a renewal finds another token (or no key), or no renewal has succeeded for a
 *   whole lease (Redis unreachable: the key may have expired and someone else may hold it now), the
 *   lease is lost: `lease.signal` aborts and `lease.lost` turns true. Work that writes must check it
 *   before each write and stop.
 * - **Release by compare-and-delete** (Lua): a holder whose lease expired never deletes the lock a new
 *   holder took since.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from './connection.js';
import { RadarError } from '../platform/errors.js';

export interface Lease {
  /** Aborts when the lease is lost (reason: a RadarError `ERR_LOCK_LOST`). */
  readonly signal: AbortSignal;
  /** True once the lease is lost: another holder may be running; write nothing more. */
  readonly lost: boolean;
}

/** KEYS[1] = lock, ARGV[1] = token, ARGV[2] = lease ms. 1 when the holder's lease was extended. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/** KEYS[1] = lock, ARGV[1] = token. 1 when the holder's key was deleted. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * SET NX PX leaseMs; renewed every leaseMs/3 while fn runs (compare-and-pexpire Lua); released by
 * compare-and-delete (Lua). When a renewal fails the lease is lost: signal aborts and lost is true.
 * `{ acquired: false }` when another holder has the lock (fn is not called). An error thrown by `fn`
 * propagates after the release.
 */
export async function withLock<T>(
  redis: RedisClient,
  key: string,
  opts: { leaseMs: number },
  fn: (lease: Lease) => Promise<T>,
): Promise<{ acquired: true; value: T } | { acquired: false }> {
  const leaseMs = Math.round(opts.leaseMs);
  if (!Number.isFinite(leaseMs) || leaseMs < 30) throw new RangeError(`lock lease must be at least 30 ms (got ${opts.leaseMs})`);
  const token = `${process.pid}:${randomUUID()}`;
  const requestedAt = performance.now();
  if ((await redis.set(key, token, 'PX', leaseMs, 'NX')) !== 'OK') return { acquired: false };

  const controller = new AbortController();
  let lost = false;
  let done = false;
  const lose = (why: string, cause?: unknown) => {
    if (lost || done) return;
    lost = true;
    controller.abort(new RadarError('ERR_LOCK_LOST', `lock lease lost: ${why}`, { context: { key }, cause, retryable: true }));
  };
  const lease: Lease = {
    signal: controller.signal,
    get lost() {
      return lost;
    },
  };

  // The lease is known valid until `validUntil` (measured from before the command was sent, so a slow
  // reply can only shorten it). When that passes without a confirmed renewal, the lease is lost.
  let validUntil = requestedAt + leaseMs;
  let expiry: NodeJS.Timeout | undefined;
  const armExpiry = () => {
    clearTimeout(expiry);
    expiry = setTimeout(() => lose('no renewal confirmed within the lease'), Math.max(0, validUntil - performance.now()));
  };
  armExpiry();
  let renewing = false;
  const renew = async () => {
    if (renewing || lost || done) return;
    renewing = true;
    const sentAt = performance.now();
    try {
      const extended = await redis.eval(RENEW, 1, key, token, String(leaseMs));
      if (done || lost) return;
      if (extended === 1) {
        validUntil = sentAt + leaseMs;
        armExpiry();
      } else lose('the lock is held by another token or expired');
    } catch {
      // Redis did not answer: keep trying; the expiry timer decides when the lease can no longer be trusted.
    } finally {
      renewing = false;
    }
  };
  const renewal = setInterval(() => void renew(), Math.max(10, Math.floor(leaseMs / 3)));

  try {
    const value = await fn(lease);
    return { acquired: true, value };
  } finally {
    done = true;
    clearInterval(renewal);
    clearTimeout(expiry);
    // Redis may be unreachable (ioredis then queues the command until it reconnects): wait at most one
    // lease for the release; after that the key has expired by itself.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      redis.eval(RELEASE, 1, key, token).catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, leaseMs);
      }),
    ]);
    clearTimeout(timer);
  }
}

/**
 * Takes every lock of `keys` (in order, each as `withLock` does) and runs `fn` under all of them; the
 * lease is lost as soon as any of them is. `{ acquired: false }` when one is held by someone else (the
 * ones taken already are released).
 */
export async function withLocks<T>(
  redis: RedisClient,
  keys: readonly string[],
  opts: { leaseMs: number },
  fn: (lease: Lease) => Promise<T>,
): Promise<{ acquired: true; value: T } | { acquired: false }> {
  const leases: Lease[] = [];
  const take = async (i: number): Promise<{ acquired: true; value: T } | { acquired: false }> => {
    const key = keys[i];
    if (key === undefined) {
      const lease: Lease = {
        signal: AbortSignal.any(leases.map((l) => l.signal)),
        get lost() {
          return leases.some((l) => l.lost);
        },
      };
      return { acquired: true, value: await fn(lease) };
    }
    const run = await withLock(redis, key, opts, async (lease) => {
      leases.push(lease);
      return take(i + 1);
    });
    return run.acquired ? run.value : { acquired: false };
  };
  return take(0);
}
