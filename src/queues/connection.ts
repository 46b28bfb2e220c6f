import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { CLUSTER_NODE_PATTERN } from '../config/service.js';
import { RadarError } from '../platform/errors.js';

/** A connection to one Redis (`redis.url`) or to a Redis Cluster (`redis.cluster`): every caller takes either. */
export type RedisClient = Redis | Cluster;

/**
 * Where Redis is: one server by URL, the seed nodes of a Redis Cluster, or the Sentinels that name
 * the primary (then the URL only lends its user, password and TLS).
 */
export interface RedisTarget {
  readonly url: string;
  /** `host:port` seed nodes of a Redis Cluster; empty: one Redis at `url`. */
  readonly cluster: readonly string[];
  /** `host:port` of Redis Sentinels; empty: none. */
  readonly sentinels?: readonly string[];
  /** The primary's name the sentinels monitor. */
  readonly sentinelName?: string;
}


/** ioredis options BullMQ needs: no per-request retry limit (workers block), offline queue on. */
export function redisOptions(url: string, extra: RedisOptions = {}): { url: string; options: RedisOptions } {
  return { url, options: { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra } };
}

export function createRedis(url: string, extra: RedisOptions = {}): Redis {
  const { options } = redisOptions(url, extra);
  return new Redis(url, options);
}

/** Seed nodes from `host:port` strings (validated by the config schema; a bad one throws here too). */
export function clusterNodes(list: readonly string[]): Array<{ host: string; port: number }> {
  return list.map((entry) => {
    const match = CLUSTER_NODE_PATTERN.exec(entry);
    if (!match) throw new RadarError('ERR_CONFIG', `redis.cluster: "${entry}" is not host:port`);
    return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port: Number(match[2]) };
  });
}

/** The user, password and TLS of `url`, applied to every node of a cluster. */
function credentialsOf(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {};
  }
  return {
    ...(parsed.username !== '' ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password !== '' ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** An ioredis Cluster with the options BullMQ needs on every node connection. */
export function createCluster(target: RedisTarget, extra: { redisOptions?: RedisOptions; cluster?: ClusterOptions } = {}): Cluster {
  return new Cluster(clusterNodes(target.cluster), {
    enableReadyCheck: true,
    ...extra.cluster,
    redisOptions: { maxRetriesPerRequest: null, ...credentialsOf(target.url), ...extra.redisOptions },
  });
}

/** The primary the sentinels name (followed through a failover), with the options BullMQ needs. */
export function createSentinelRedis(target: RedisTarget, extra: RedisOptions = {}): Redis {
  return new Redis({
    sentinels: clusterNodes(target.sentinels ?? []),
    name: target.sentinelName ?? 'mymaster',
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    ...credentialsOf(target.url),
    ...extra,
  });
}

/** One Redis, a Redis Cluster, or the primary Sentinel names, as the config says. */
export function connectRedis(target: RedisTarget): RedisClient {
  if (target.cluster.length > 0 && (target.sentinels?.length ?? 0) > 0) throw new RadarError('ERR_CONFIG', 'redis: set cluster or sentinels, not both');
  if (target.cluster.length > 0) return createCluster(target);
  if ((target.sentinels?.length ?? 0) > 0) return createSentinelRedis(target);
  return createRedis(target.url);
}

/** Does the primary the sentinels name answer a PING? */
export async function pingSentinelPrimary(target: RedisTarget, timeoutMs = 3000): Promise<boolean> {
  const client = createSentinelRedis(target, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, sentinelRetryStrategy: () => null, retryStrategy: () => null, enableOfflineQueue: false });
  return pingOnce(client, timeoutMs * 2);
}

/**
 * Connects a lazy, non-retrying client, sends one PING, and disconnects: true on PONG, false on any error
 * or when nothing answered within `limitMs`. The one way every `ping*` below asks "does it answer?".
 */
async function pingOnce(client: RedisClient, limitMs: number): Promise<boolean> {
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), limitMs);
    });
    const answer = (async () => {
      await client.connect();
      return (await client.ping()) === 'PONG';
    })();
    return await Promise.race([answer, timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** What `target` names, for messages: the URL's host, or the seed nodes. */
export function describeTarget(target: RedisTarget): string {
  if (target.cluster.length > 0) return `Redis Cluster ${target.cluster.join(', ')}`;
  if ((target.sentinels?.length ?? 0) > 0) return `Redis primary "${target.sentinelName ?? 'mymaster'}" of the sentinels ${(target.sentinels ?? []).join(', ')}`;
  try {
    return new URL(target.url).host;
  } catch {
    return target.url;
  }
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
  return pingOnce(client, timeoutMs * 2);
}

/** Does the cluster answer: its slots are known (some seed node answered) and a PING gets a PONG? */
export async function pingCluster(target: RedisTarget, timeoutMs = 3000): Promise<boolean> {
  const client = createCluster(target, {
    cluster: { lazyConnect: true, clusterRetryStrategy: () => null, enableOfflineQueue: false, slotsRefreshTimeout: timeoutMs },
    redisOptions: { connectTimeout: timeoutMs, maxRetriesPerRequest: 0 },
  });
  return pingOnce(client, timeoutMs * 2);
}

/**
 * Every key matching `pattern`: SCAN on one Redis, SCAN on each master of a cluster (a cluster's SCAN
 * would see one node's keys only).
 */
export async function scanKeys(client: RedisClient, pattern: string): Promise<string[]> {
  const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
  const found: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
  }
  return found;
}

/** BullMQ loses jobs under any eviction policy but noeviction: say so loudly. */
export async function checkEvictionPolicy(client: RedisClient): Promise<string | null> {
  try {
    const reply = (await client.config('GET', 'maxmemory-policy')) as string[];
    const policy = reply[1] ?? null;
    return policy;
  } catch (cause) {
    throw new RadarError('ERR_REDIS_UNAVAILABLE', 'cannot read maxmemory-policy', { cause, retryable: true });
  }
}

/** A new connection like `client` (its own socket: a BullMQ worker blocks on it and closes it). */
export function duplicateRedis(client: RedisClient): RedisClient {
  return client instanceof Cluster ? client.duplicate() : client.duplicate();
}
