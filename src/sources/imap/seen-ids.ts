/**
 * Which mails a source has already queued, by Message-ID (or fingerprint): a bounded set per source
 * in Redis. It is what keeps a changed UIDVALIDITY (a recreated or migrated mailbox: every UID and
 * so every message id changes) from ingesting the same mail twice, and it also folds the same mail
 * seen in two watched mailboxes of one source into one message.
 *
 * Bounded: a sorted set scored by the mail's date, trimmed to the newest `cap` entries. When it is
 * full, `horizon` gives the oldest date still remembered; a re-scan treats anything older as seen.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from '../../queues/connection.js';
import type { RedisKeys } from '../../queues/keys.js';

export interface SeenEntry {
  readonly key: string;
  /** The mail's date (epoch ms): trimming forgets the oldest first. */
  readonly at: number;
}

export interface SeenIds {
  /** For each key, was it already seen for this source? */
  has(source: string, keys: readonly string[]): Promise<boolean[]>;
  add(source: string, entries: readonly SeenEntry[]): Promise<void>;
  /** Oldest date still remembered once the set is full (older mail was forgotten), else null. */
  horizon(source: string): Promise<number | null>;
}

export const DEFAULT_SEEN_CAP = 200_000;

/** Members are hashed: 22 characters whatever the Message-ID's length. */
function member(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

/** The Redis key of a source's set, derived from its cursor key so it shares the prefix (and cleanup). */
export function seenIdsKey(keys: RedisKeys, source: string): string {
  return keys.seenMessageIds(source);
}

export function redisSeenIds(redis: RedisClient, keys: RedisKeys, options: { cap?: number } = {}): SeenIds {
  const cap = options.cap ?? DEFAULT_SEEN_CAP;
  return {
    async has(source, list) {
      if (list.length === 0) return [];
      const scores = (await redis.zmscore(seenIdsKey(keys, source), ...list.map(member))) as Array<string | null>;
      return scores.map((s) => s !== null);
    },
    async add(source, entries) {
      if (entries.length === 0) return;
      const key = seenIdsKey(keys, source);
      const args: Array<string | number> = [];
      for (const e of entries) args.push(e.at, member(e.key));
      await redis
        .multi()
        .zadd(key, ...args)
        .zremrangebyrank(key, 0, -(cap + 1))
        .exec();
    },
    async horizon(source) {
      const key = seenIdsKey(keys, source);
      const size = await redis.zcard(key);
      if (size < cap) return null;
      const oldest = (await redis.call('ZRANGE', key, '0', '0', 'WITHSCORES')) as unknown;
      const flat = Array.isArray(oldest) ? (oldest.flat() as unknown[]) : [];
      return flat[1] === undefined ? null : Number(flat[1]);
    },
  };
}

/** In-process set (unit tests and one-off tools; forgets everything on restart). */
export function memorySeenIds(cap = DEFAULT_SEEN_CAP): SeenIds {
  const sets = new Map<string, Map<string, number>>();
  const setOf = (source: string) => {
    let set = sets.get(source);
    if (!set) sets.set(source, (set = new Map()));
    return set;
  };
  return {
    async has(source, list) {
      const set = setOf(source);
      return list.map((k) => set.has(member(k)));
    },
    async add(source, entries) {
      const set = setOf(source);
      for (const e of entries) set.set(member(e.key), e.at);
      if (set.size > cap) {
        const sorted = [...set.entries()].sort((a, b) => a[1] - b[1]);
        for (const [k] of sorted.slice(0, set.size - cap)) set.delete(k);
      }
    },
    async horizon(source) {
      const set = setOf(source);
      if (set.size < cap) return null;
      return Math.min(...set.values());
    },
  };
}
