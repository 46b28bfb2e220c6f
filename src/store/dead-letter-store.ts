import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface DeadLetter {
  readonly id: number;
  readonly messageId: string | null;
  readonly queue: string;
  readonly source: string | null;
  /** The payload as received (JSON text, or the raw text when it was not JSON). */
  readonly payload: string;
  readonly reason: string;
  readonly attempts: number;
  readonly failedAt: string;
}

export interface NewDeadLetter {
  readonly messageId: string | null;
  readonly queue: string;
  readonly source: string | null;
  readonly payload: string;
  readonly reason: string;
  readonly attempts: number;
}

/** Messages that could not be processed: kept aside with the reason, never dropped. */
export class DeadLetterStore {
  constructor(private readonly db: Kysely<Database>) {}

  async add(letter: NewDeadLetter, now: number): Promise<void> {
    await this.db
      .insertInto('dead_letters')
      .values({
        message_id: letter.messageId,
        queue: letter.queue,
        source: letter.source,
        payload: letter.payload.slice(0, 1_000_000),
        reason: letter.reason.slice(0, 4000),
        attempts: letter.attempts,
        failed_at: now,
      })
      .execute();
  }

  async list(limit = 100, beforeId?: number): Promise<DeadLetter[]> {
    let query = this.db.selectFrom('dead_letters').selectAll().orderBy('id', 'desc').limit(limit);
    if (beforeId !== undefined) query = query.where('id', '<', beforeId);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: Number(r.id),
      messageId: r.message_id,
      queue: r.queue,
      source: r.source,
      payload: r.payload,
      reason: r.reason,
      attempts: Number(r.attempts),
      failedAt: new Date(Number(r.failed_at)).toISOString(),
    }));
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('dead_letters').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
