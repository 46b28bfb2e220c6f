import type { Actor } from '../domain/actor.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { RadarError } from '../platform/errors.js';
import { scanKeys, type RedisClient } from '../queues/connection.js';
import type { RedisKeys } from '../queues/keys.js';
import type { SourceRecord, SourceStore } from '../store/source-store.js';
import { POLL_KINDS, type PollKind } from './kinds.js';

/** A polled source's kind, or a source that pushes (`demo`, the push `api`, the report `form`). */
export type SourceKind = PollKind | 'demo' | 'api' | 'form';
const KINDS: readonly string[] = [...POLL_KINDS, 'demo', 'api', 'form'] satisfies SourceKind[];
const STATES: readonly string[] = ['idle', 'ok', 'error', 'stopped'] satisfies SourceStatus['state'][];

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
  /** The last operator retry (`POST /api/sources/:name/retry`): when, who and how; null when never. */
  readonly lastRetry: { readonly at: string; readonly by: string; readonly via: string } | null;
}

/** Who may write: a poll passes its lock lease, and once the lease is lost every write is refused. */
export interface WriteFence {
  readonly lost: boolean;
}

/** A lock on one poll, as seen in Redis. */
export interface PollLockStatus {
  /** Epoch ms when the lock expires unless renewed. */
  readonly heldUntil: number;
  /**
   * False when the holder has stopped renewing it (the remaining time is below half the lease, while a
   * live holder renews every third of a lease): a dead or stalled poller blocks the source until `heldUntil`.
   */
  readonly renewed: boolean;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Cursors and status of every source. Their home is the database (`store.sources`), so a Redis that
 * restarts empty loses no cursor, no stop and no rate-limit reset; Redis holds only the schedules and
 * the poll locks. A cursor is saved only after the messages it covers are enqueued.
 *
 * A `fenced` view (what a poll gets) refuses every write once its lock lease is lost, so a poll that
 * another process may have taken over stops moving the cursor.
 */
export class SourceState {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly store: SourceStore,
    private readonly clock: Clock = systemClock,
    private readonly fence: WriteFence | null = null,
  ) {}

  /** The same state, refusing writes (ERR_LOCK_LOST) once `fence.lost` is true. */
  fenced(fence: WriteFence): SourceState {
    return new SourceState(this.redis, this.keys, this.store, this.clock, fence);
  }

  private guard(name: string): void {
    if (this.fence?.lost) throw new RadarError('ERR_LOCK_LOST', 'poll lease lost: state not written', { context: { source: name }, retryable: true });
  }

  async register(name: string, kind: SourceKind): Promise<void> {
    this.guard(name);
    await this.store.register(name, kind, this.clock.now());
  }

  async getCursor<T>(name: string): Promise<T | null> {
    const raw = await this.store.getCursor(name);
    return raw === null ? null : (JSON.parse(raw) as T);
  }

  /** Several cursors in one read: name → parsed cursor, null where none is stored. */
  async getCursors<T>(names: readonly string[]): Promise<Map<string, T | null>> {
    const raw = await this.store.getCursors(names);
    return new Map(names.map((name) => {
      const text = raw.get(name);
      return [name, text === undefined ? null : (JSON.parse(text) as T)];
    }));
  }

  async setCursor(name: string, cursor: unknown): Promise<void> {
    this.guard(name);
    await this.store.setCursor(name, JSON.stringify(cursor), this.clock.now());
  }

  async clearCursor(name: string): Promise<void> {
    this.guard(name);
    await this.store.deleteCursor(name);
  }

  async recordPoll(name: string, now: number): Promise<void> {
    this.guard(name);
    await this.store.update(name, { lastPollAt: now }, now);
  }

  async recordSuccess(
    name: string,
    result: { now: number; fetched: number; skipped?: number; deadLettered?: number; rateLimit?: RateLimitInfo | null },
  ): Promise<void> {
    this.guard(name);
    await this.store.update(
      name,
      {
        state: 'ok',
        lastPollAt: result.now,
        lastSuccessAt: result.now,
        ...(result.rateLimit ? { rateLimit: JSON.stringify(result.rateLimit) } : {}),
        add: { fetched: result.fetched, skipped: result.skipped ?? 0, deadLettered: result.deadLettered ?? 0 },
      },
      result.now,
    );
  }

  /**
   * `stopped` marks a failure an operator must fix (bad credentials): the source polls no more until its
   * config entry changes (`fingerprint`, the entry's `configFingerprint`, is kept with the stop and
   * compared at the next start) or an operator retries.
   */
  async recordError(
    name: string,
    error: { now: number; message: string; stopped?: boolean; fingerprint?: string | null; rateLimit?: RateLimitInfo | null },
  ): Promise<void> {
    this.guard(name);
    await this.store.update(
      name,
      {
        state: error.stopped ? 'stopped' : 'error',
        ...(error.stopped ? { stopFingerprint: error.fingerprint ?? null } : {}),
        lastPollAt: error.now,
        lastError: error.message.slice(0, 1000),
        lastErrorAt: error.now,
        ...(error.rateLimit ? { rateLimit: JSON.stringify(error.rateLimit) } : {}),
      },
      error.now,
    );
  }

  async addCounts(name: string, counts: { skipped?: number; deadLettered?: number; fetched?: number }): Promise<void> {
    this.guard(name);
    await this.store.update(name, { add: counts }, this.clock.now());
  }

  /** Clears a stopped state whatever its fingerprint; other states are kept. */
  async reset(name: string): Promise<void> {
    await this.store.changeState(name, 'stopped', 'idle', this.clock.now());
  }

  /**
   * At start: un-stops a source stopped under another config entry than `fingerprint` (the operator
   * changed it, e.g. a new password), and keeps one stopped under this very entry stopped, so a
   * restart makes no login that is known to fail. True when un-stopped.
   */
  async resumeIfConfigChanged(name: string, fingerprint: string): Promise<boolean> {
    return this.store.resumeIfConfigChanged(name, fingerprint, this.clock.now());
  }

  /** An operator's retry of a stopped source, recorded with who and how. False when it was not stopped. */
  async retry(name: string, actor: Actor): Promise<boolean> {
    return this.store.retry(name, actor, this.clock.now());
  }

  async get(name: string): Promise<SourceStatus | null> {
    const record = await this.store.get(name);
    return record ? this.status(record) : null;
  }

  async list(): Promise<SourceStatus[]> {
    const out: SourceStatus[] = [];
    for (const record of await this.store.list()) out.push(await this.status(record));
    return out;
  }

  /** The lock of one poll (`lockName` from `pollLockName`), or null when nobody holds it. */
  async pollLock(lockName: string, leaseMs: number, now: number): Promise<PollLockStatus | null> {
    const ttl = await this.redis.pttl(this.keys.lock(lockName));
    if (ttl < 0) return null; // -2: no key; -1 cannot happen (always set with PX)
    return { heldUntil: now + ttl, renewed: ttl >= leaseMs / 2 };
  }

  /**
   * Copies what older versions kept only in Redis (cursors, status hashes) into the database where the
   * database has nothing yet, then deletes those Redis keys (they would otherwise be copied again into
   * a fresh database later). Returns the names of the cursors copied.
   */
  async importFromRedis(): Promise<string[]> {
    const now = this.clock.now();
    const copied: string[] = [];
    const cursorPrefix = this.keys.cursor('');
    for (const key of await scanKeys(this.redis, `${cursorPrefix}*`)) {
      const raw = await this.redis.get(key);
      const name = key.slice(cursorPrefix.length);
      if (raw !== null && name !== '' && isJson(raw) && (await this.store.insertCursorIfAbsent(name, raw, now))) copied.push(name);
      await this.redis.del(key);
    }
    for (const name of await this.redis.smembers(this.keys.sources)) {
      const key = this.keys.sourceStatus(name);
      const h = await this.redis.hgetall(key);
      if (Object.keys(h).length > 0) {
        const ms = (v: string | undefined) => (v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Number(v));
        await this.store.insertIfAbsent(
          {
            name,
            kind: h.kind !== undefined && KINDS.includes(h.kind) ? h.kind : 'api',
            state: h.state !== undefined && STATES.includes(h.state) ? h.state : 'idle',
            lastPollAt: ms(h.lastPollAt),
            lastSuccessAt: ms(h.lastSuccessAt),
            lastError: h.lastError ?? null,
            lastErrorAt: ms(h.lastErrorAt),
            fetched: ms(h.fetched) ?? 0,
            skipped: ms(h.skipped) ?? 0,
            deadLettered: ms(h.deadLettered) ?? 0,
            rateLimit: h.rateLimit !== undefined && isJson(h.rateLimit) ? h.rateLimit : null,
          },
          now,
        );
      }
      await this.redis.del(key);
    }
    await this.redis.del(this.keys.sources);
    return copied;
  }

  private async status(r: SourceRecord): Promise<SourceStatus> {
    return {
      name: r.name,
      kind: (KINDS.includes(r.kind) ? r.kind : 'api') as SourceKind,
      state: (STATES.includes(r.state) ? r.state : 'idle') as SourceStatus['state'],
      lastPollAt: iso(r.lastPollAt),
      lastSuccessAt: iso(r.lastSuccessAt),
      lastError: r.lastError,
      lastErrorAt: iso(r.lastErrorAt),
      cursor: await this.getCursor(r.name),
      fetched: r.fetched,
      skipped: r.skipped,
      deadLettered: r.deadLettered,
      rateLimit: r.rateLimit === null ? null : (JSON.parse(r.rateLimit) as RateLimitInfo),
      lastRetry: r.lastRetry === null ? null : { at: new Date(r.lastRetry.at).toISOString(), by: r.lastRetry.by, via: r.lastRetry.via },
    };
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
