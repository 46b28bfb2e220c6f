/**
 * BullMQ job schedulers (polls, the detect tick, …) live only in Redis. Redis is a cache of schedules,
 * not their only home: each process remembers the schedulers it declared, and a watchdog re-creates
 * the ones Redis no longer has — after a reconnect (a Redis that restarted empty) and on a timer (a
 * flushed Redis that never disconnected). What the schedules drive (cursors, source state, detector
 * state) is in the database, so a re-created poll resumes where it stopped.
 */
import type { Queue } from 'bullmq';
import type { RedisClient } from './connection.js';
import type { Logger } from 'pino';

export interface ScheduleEntry<T> {
  /** Scheduler id, unique per queue (e.g. `twitter:brand-search`). */
  readonly id: string;
  readonly everyMs: number;
  readonly name: string;
  readonly data: T;
}

/** The schedulers each queue should have, as this process last declared them. */
const declared = new WeakMap<Queue, ReadonlyArray<ScheduleEntry<unknown>>>();

/**
 * Makes a queue's job schedulers exactly `entries`: upserts each (idempotent, one run cluster-wide
 * however many processes call this) and removes schedulers no longer configured. The entries are
 * remembered, so `restoreSchedulers` can re-create them.
 */
export async function syncSchedulers<T>(queue: Queue, entries: readonly ScheduleEntry<T>[]): Promise<void> {
  declared.set(queue, [...entries]);
  const wanted = new Set(entries.map((e) => e.id));
  for (const entry of entries) {
    await queue.upsertJobScheduler(entry.id, { every: entry.everyMs }, { name: entry.name, data: entry.data });
  }
  const existing = await queue.getJobSchedulers(0, -1);
  for (const scheduler of existing) {
    const id = scheduler.key;
    if (!wanted.has(id)) await queue.removeJobScheduler(id);
  }
}

/** Re-creates the declared schedulers of `queue` that Redis no longer has. Returns their ids. */
export async function restoreSchedulers(queue: Queue): Promise<string[]> {
  const wanted = declared.get(queue) ?? [];
  if (wanted.length === 0) return [];
  const existing = new Set((await queue.getJobSchedulers(0, -1)).map((s) => s.key));
  const missing = wanted.filter((e) => !existing.has(e.id));
  for (const entry of missing) {
    await queue.upsertJobScheduler(entry.id, { every: entry.everyMs }, { name: entry.name, data: entry.data });
  }
  return missing.map((e) => e.id);
}

export interface SchedulerWatchdog {
  /** Checks every queue now; returns the `queue/scheduler` ids re-created. */
  check(): Promise<string[]>;
  stop(): void;
}

export interface WatchSchedulersOptions {
  /** The connection whose reconnects ('ready' after a drop) trigger a check. */
  readonly redis: RedisClient;
  readonly queues: () => Iterable<Queue>;
  /** Periodic check (a Redis flushed without a disconnect sends no event). */
  readonly everyMs: number;
  readonly log: Logger;
  /** Called after each check that re-created something. */
  readonly onRestored?: (ids: readonly string[]) => void;
}

/** Starts the watchdog: a check on every reconnect and every `everyMs`. Checks never overlap. */
export function watchSchedulers(options: WatchSchedulersOptions): SchedulerWatchdog {
  const log = options.log.child({ module: 'schedulers' });
  let running: Promise<string[]> | null = null;
  let stopped = false;
  const restore = async (): Promise<string[]> => {
    const restored: string[] = [];
    for (const queue of options.queues()) {
      for (const id of await restoreSchedulers(queue)) restored.push(`${queue.name}/${id}`);
    }
    if (restored.length > 0) {
      log.warn({ schedulers: restored }, 'job schedulers missing in Redis were re-created');
      options.onRestored?.(restored);
    }
    return restored;
  };
  const check = (): Promise<string[]> => {
    if (running === null) {
      const current = restore().finally(() => {
        if (running === current) running = null;
      });
      running = current;
    }
    return running;
  };
  const safeCheck = () => {
    if (stopped) return;
    check().catch((error: unknown) => log.warn({ err: error }, 'scheduler check failed; retried later'));
  };
  const onReady = () => safeCheck();
  options.redis.on('ready', onReady);
  const timer = setInterval(safeCheck, options.everyMs);
  timer.unref();
  return {
    check,
    stop() {
      stopped = true;
      clearInterval(timer);
      options.redis.off('ready', onReady);
    },
  };
}
