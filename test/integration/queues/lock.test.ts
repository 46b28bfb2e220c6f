import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRadarError } from '../../../src/platform/errors.js';
import { createRedis } from '../../../src/queues/connection.js';
import { RedisKeys } from '../../../src/queues/keys.js';
import { withLock, withLocks } from '../../../src/queues/lock.js';
import { REDIS_URL, requireRedis, uniqueName } from '../../helpers/services.js';

let redis: Redis;
const keys = new RedisKeys(uniqueName('lock'));

beforeAll(async () => {
  await requireRedis();
  redis = createRedis(REDIS_URL);
});
afterAll(async () => {
  const found = await redis.keys(keys.pattern);
  if (found.length > 0) await redis.del(...found);
  redis.disconnect();
});

/** Resolves when `release()` is called: holds a lock open for as long as a test needs. */
function gate(): { wait: Promise<void>; release: () => void } {
  let release!: () => void;
  const wait = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { wait, release };
}

describe('withLock', () => {
  it('excludes a second holder while the first runs, and frees the key afterwards', async () => {
    const key = keys.lock('exclusion');
    const held = gate();
    const first = withLock(redis, key, { leaseMs: 5_000 }, async () => {
      await held.wait;
      return 'first';
    });
    await sleep(20);
    let secondRan = false;
    const second = await withLock(redis, key, { leaseMs: 5_000 }, async () => {
      secondRan = true;
    });
    expect(second).toEqual({ acquired: false });
    expect(secondRan).toBe(false);
    held.release();
    expect(await first).toEqual({ acquired: true, value: 'first' });
    expect(await redis.exists(key)).toBe(0);
    expect(await withLock(redis, key, { leaseMs: 5_000 }, async () => 'third')).toEqual({ acquired: true, value: 'third' });
  });

  it('many concurrent callers: exactly one runs at a time', async () => {
    const key = keys.lock('many');
    let inside = 0;
    let maxInside = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        withLock(redis, key, { leaseMs: 2_000 }, async () => {
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          await sleep(30);
          inside -= 1;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
  });

  it('renews the lease while a job runs for many leases, so nobody else acquires it', async () => {
    const key = keys.lock('renewal');
    const leaseMs = 150;
    const held = gate();
    let lostDuringJob: boolean | undefined;
    const job = withLock(redis, key, { leaseMs }, async (lease) => {
      await held.wait;
      lostDuringJob = lease.lost;
      return lease.signal.aborted;
    });
    // Five leases later the key still exists, with a fresh TTL, and a second caller is refused each time.
    for (let i = 0; i < 5; i += 1) {
      await sleep(leaseMs);
      expect(await redis.exists(key)).toBe(1);
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(leaseMs);
      expect(await withLock(redis, key, { leaseMs }, async () => 'intruder')).toEqual({ acquired: false });
    }
    held.release();
    expect(await job).toEqual({ acquired: true, value: false });
    expect(lostDuringJob).toBe(false);
    expect(await redis.exists(key)).toBe(0);
  });

  it('a holder whose lock was taken over never deletes the new holder’s lock, and learns it lost the lease', async () => {
    const key = keys.lock('takeover');
    const held = gate();
    let reason: unknown;
    const first = withLock(redis, key, { leaseMs: 300 }, async (lease) => {
      lease.signal.addEventListener('abort', () => {
        reason = lease.signal.reason;
      });
      await held.wait;
      return lease.lost;
    });
    await sleep(20);
    // The first holder's key expires (e.g. a long GC pause) and another process takes the lock.
    await redis.set(key, 'other-holder', 'PX', 60_000);
    await sleep(250); // at least one renewal attempt
    held.release();
    expect(await first).toEqual({ acquired: true, value: true });
    expect(await redis.get(key)).toBe('other-holder');
    expect(isRadarError(reason, 'ERR_LOCK_LOST')).toBe(true);
  });

  it('loses the lease (signal aborts) when Redis stops answering for a whole lease', async () => {
    const key = keys.lock('unreachable');
    const client = createRedis(REDIS_URL, { retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
    client.on('error', () => undefined);
    await client.connect();
    const result = await withLock(client, key, { leaseMs: 200 }, async (lease) => {
      client.disconnect(); // renewals now fail; the key expires by itself in Redis
      await new Promise<void>((resolve) => lease.signal.addEventListener('abort', () => resolve(), { once: true }));
      return lease.lost;
    });
    expect(result).toEqual({ acquired: true, value: true });
    await sleep(250);
    expect(await redis.exists(key)).toBe(0);
  });

  it('propagates the error fn throws, after releasing', async () => {
    const key = keys.lock('throws');
    await expect(
      withLock(redis, key, { leaseMs: 5_000 }, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await redis.exists(key)).toBe(0);
  });

  it('rejects a lease too short to renew', async () => {
    await expect(withLock(redis, keys.lock('short'), { leaseMs: 0 }, async () => 1)).rejects.toThrow(RangeError);
  });
});

describe('withLocks', () => {
  it('runs under every lock; refuses, releasing what it took, when one is held; frees them all afterwards', async () => {
    const all = ['a', 'b', 'c'].map((n) => keys.lock(`many-${n}`));
    const held = gate();
    const other = withLock(redis, all[1] as string, { leaseMs: 5_000 }, () => held.wait);
    await sleep(20);
    expect(await withLocks(redis, all, { leaseMs: 5_000 }, async () => 'ran')).toEqual({ acquired: false });
    expect(await redis.exists(all[0] as string)).toBe(0); // the first one, taken, was released
    held.release();
    await other;
    const run = await withLocks(redis, all, { leaseMs: 5_000 }, async () => {
      expect(await redis.exists(...all)).toBe(3);
      return 'ran';
    });
    expect(run).toEqual({ acquired: true, value: 'ran' });
    expect(await redis.exists(...all)).toBe(0);
  });

  it('loses the lease as soon as any one of them is lost', async () => {
    const all = ['x', 'y'].map((n) => keys.lock(`lose-${n}`));
    const run = await withLocks(redis, all, { leaseMs: 300 }, async (lease) => {
      await redis.set(all[1] as string, 'someone else');
      await sleep(250);
      return { lost: lease.lost, aborted: lease.signal.aborted };
    });
    expect(run).toEqual({ acquired: true, value: { lost: true, aborted: true } });
    await redis.del(...all);
  });
});
