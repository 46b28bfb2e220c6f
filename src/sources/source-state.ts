import type { Redis } from 'ioredis';
import type { RedisKeys } from '../queues/keys.js';

export type SourceKind = 'twitter' | 'imap' | 'demo' | 'api' | 'form';

export interface RateLimitInfo {
  readonly limit: number | null;
  readonly remaining: number | null;
  /** Epoch ms when the quota resets. */
  readonly resetAt: number | null;
}

/** What `GET /api/sources` shows for one source. */
export interface SourceStatus {
  readonly name: string;
  readonly kind: SourceKind;
  /** ok: last poll succeeded; error: last poll failed, will retry; stopped: needs an operator (bad credentials). */
  readonly state: 'idle' | 'ok' | 'error' | 'stopped';
  readonly lastPollAt: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
  readonly cursor: unknown;
  readonly fetched: number;
  readonly skipped: number;
  readonly deadLettered: number;
  readonly rateLimit: RateLimitInfo | null;
}

const iso = (ms: string | undefined) => (ms === undefined || ms === '' ? null : new Date(Number(ms)).toISOString());

/**
 * Cursors and status of every source, in Redis (so any worker process can poll any source). A cursor
 * is saved only after the messages it covers are enqueued.
 */
export class SourceState {
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys) {}

  async register(name: string, kind: SourceKind): Promise<void> {
    await this.redis.multi().sadd(this.keys.sources, name).hsetnx(this.keys.sourceStatus(name), 'kind', kind).exec();
  }

  async getCursor<T>(name: string): Promise<T | null> {
    const raw = await this.redis.get(this.keys.cursor(name));
    return raw === null ? null : (JSON.parse(raw) as T);
  }

  async setCursor(name: string, cursor: unknown): Promise<void> {
    await this.redis.set(this.keys.cursor(name), JSON.stringify(cursor));
  }

  async clearCursor(name: string): Promise<void> {
    await this.redis.del(this.keys.cursor(name));
  }

  async recordPoll(name: string, now: number): Promise<void> {
    await this.redis.hset(this.keys.sourceStatus(name), 'lastPollAt', String(now));
  }

  async recordSuccess(
    name: string,
    result: { now: number; fetched: number; skipped?: number; deadLettered?: number; rateLimit?: RateLimitInfo | null },
  ): Promise<void> {
    const key = this.keys.sourceStatus(name);
    const multi = this.redis
      .multi()
      .hset(key, 'state', 'ok', 'lastPollAt', String(result.now), 'lastSuccessAt', String(result.now))
      .hincrby(key, 'fetched', result.fetched)
      .hincrby(key, 'skipped', result.skipped ?? 0)
      .hincrby(key, 'deadLettered', result.deadLettered ?? 0);
    if (result.rateLimit) multi.hset(key, 'rateLimit', JSON.stringify(result.rateLimit));
    await multi.exec();
  }

  /** `stopped` marks a failure an operator must fix (bad credentials): the source polls no more until restarted. */
  async recordError(name: string, error: { now: number; message: string; stopped?: boolean; rateLimit?: RateLimitInfo | null }): Promise<void> {
    const key = this.keys.sourceStatus(name);
    const multi = this.redis
      .multi()
      .hset(key, 'state', error.stopped ? 'stopped' : 'error', 'lastPollAt', String(error.now), 'lastError', error.message.slice(0, 1000), 'lastErrorAt', String(error.now));
    if (error.rateLimit) multi.hset(key, 'rateLimit', JSON.stringify(error.rateLimit));
    await multi.exec();
  }

  async addCounts(name: string, counts: { skipped?: number; deadLettered?: number; fetched?: number }): Promise<void> {
    const key = this.keys.sourceStatus(name);
    await this.redis
      .multi()
      .hincrby(key, 'fetched', counts.fetched ?? 0)
      .hincrby(key, 'skipped', counts.skipped ?? 0)
      .hincrby(key, 'deadLettered', counts.deadLettered ?? 0)
      .exec();
  }

  /** Clears a stopped state (after the operator fixed the config and restarted). */
  async reset(name: string): Promise<void> {
    await this.redis.hset(this.keys.sourceStatus(name), 'state', 'idle');
  }

  async get(name: string): Promise<SourceStatus | null> {
    const h = await this.redis.hgetall(this.keys.sourceStatus(name));
    if (Object.keys(h).length === 0) return null;
    return {
      name,
      kind: (h.kind ?? 'api') as SourceKind,
      state: (h.state ?? 'idle') as SourceStatus['state'],
      lastPollAt: iso(h.lastPollAt),
      lastSuccessAt: iso(h.lastSuccessAt),
      lastError: h.lastError ?? null,
      lastErrorAt: iso(h.lastErrorAt),
      cursor: await this.getCursor(name),
      fetched: Number(h.fetched ?? 0),
      skipped: Number(h.skipped ?? 0),
      deadLettered: Number(h.deadLettered ?? 0),
      rateLimit: h.rateLimit ? (JSON.parse(h.rateLimit) as RateLimitInfo) : null,
    };
  }

  async list(): Promise<SourceStatus[]> {
    const names = (await this.redis.smembers(this.keys.sources)).sort();
    const out: SourceStatus[] = [];
    for (const name of names) {
      const status = await this.get(name);
      if (status) out.push(status);
    }
    return out;
  }
}
