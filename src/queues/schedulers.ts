import type { Queue } from 'bullmq';

export interface ScheduleEntry<T> {
  /** Scheduler id, unique per queue (e.g. `twitter:brand-search`). */
  readonly id: string;
  readonly everyMs: number;
  readonly name: string;
  readonly data: T;
}

/**
 * Makes a queue's job schedulers exactly `entries`: upserts each (idempotent, one run cluster-wide
 * however many processes call this) and removes schedulers no longer configured.
 */
export async function syncSchedulers<T>(queue: Queue, entries: readonly ScheduleEntry<T>[]): Promise<void> {
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
