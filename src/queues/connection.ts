import { Redis, type RedisOptions } from 'ioredis';
import { RadarError } from '../platform/errors.js';

/** ioredis options BullMQ needs: no per-request retry limit (workers block), offline queue on. */
export function redisOptions(url: string, extra: RedisOptions = {}): { url: string; options: RedisOptions } {
  return { url, options: { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra } };
}

export function createRedis(url: string, extra: RedisOptions = {}): Redis {
  const { options } = redisOptions(url, extra);
  return new Redis(url, options);
}

/** One PING with a short timeout and no reconnect loop: does anything answer at `url`? */
export async function pingRedis(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** BullMQ loses jobs under any eviction policy but noeviction: say so loudly. */
export async function checkEvictionPolicy(client: Redis): Promise<string | null> {
  try {
    const reply = (await client.config('GET', 'maxmemory-policy')) as string[];
    const policy = reply[1] ?? null;
    return policy;
  } catch (cause) {
    throw new RadarError('ERR_REDIS_UNAVAILABLE', 'cannot read maxmemory-policy', { cause, retryable: true });
  }
}
