/**
 * Which detect process judges which series group, so that a process keeps its groups from tick to tick
 * and their detectors in memory (workers/detect.ts `DetectorCache`) instead of reading every series'
 * state again each tick. Every group worker beats into one Redis sorted set (member: its id, score: when
 * it was last seen); the live ones — seen within `MEMBER_TTL_MS` — sorted by id share the groups
 * round-robin: group g goes to live[g mod n]. A group job that another live process owns is put back a
 * moment for it (workers/detect-groups.ts); a process that stops leaves the set at once, one that dies
 * drops out within `MEMBER_TTL_MS`, and its groups pass to the others.
 *
 * Ownership is a preference, never a guarantee: the group's lease (queues/lock.ts) keeps two processes
 * from judging one group at once, and the saved state's stamp keeps a process from using a detector
 * another process has moved on since.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../src/queues/connection.js';

/** How often a group worker says it is alive. */
export const HEARTBEAT_MS = 2000;
/** A worker not heard from for this long owns nothing (a killed process's groups move on after it). */
export const MEMBER_TTL_MS = 15_000;

export class GroupOwners {
  readonly id = randomUUID();
  private live: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
  ) {}

  /** Joins (first heartbeat) and keeps beating until `stop`. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Says this worker is alive and reads who else is. */
  async beat(): Promise<void> {
    const now = Date.now();
    await this.redis.zadd(this.key, now, this.id);
    // Long gone members only: a host whose clock runs ahead must not drop the others.
    await this.redis.zremrangebyscore(this.key, '-inf', now - 10 * MEMBER_TTL_MS);
    this.live = (await this.redis.zrangebyscore(this.key, now - MEMBER_TTL_MS, '+inf')).sort();
  }

  /** Whether this worker should judge the group: it owns it, or nobody live is known. */
  owns(group: number): boolean {
    if (this.live.length === 0) return true;
    return this.live[group % this.live.length] === this.id;
  }

  /** Leaves the set: the others take this worker's groups at their next heartbeat. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.zrem(this.key, this.id).catch(() => undefined);
  }
}
