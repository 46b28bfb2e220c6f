import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A notification intent for one notifier, written in the tick's transaction with the decision. */
export interface OutboxEntry {
  /** Deterministic: `<intent key>.<notifier>`; the relay's BullMQ job id. */
  readonly key: string;
  readonly alertId: string;
  readonly notifier: string;
  /** The notify job payload, evidence included, as decided. */
  readonly payload: unknown;
}

export interface PendingOutboxEntry extends OutboxEntry {
  readonly id: number;
  readonly createdAt: number;
}

/**
 * The outbox: notification intents committed together with the detector state and alert changes that
 * caused them. A relay reads unsent rows, enqueues them (deterministic job ids, so a row enqueued twice
 * is one job) and marks them sent; a crash anywhere in between leaves the row unsent, never lost.
 */
export class OutboxStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds entries (inside the tick's transaction); a key already present is kept as it was. */
  async add(entries: readonly OutboxEntry[], now: number, trx: Kysely<Database> = this.db): Promise<void> {
    if (entries.length === 0) return;
    await trx
      .insertInto('outbox')
      .values(entries.map((e) => ({ key: e.key, alert_id: e.alertId, notifier: e.notifier, payload: JSON.stringify(e.payload), created_at: now, sent_at: null })))
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
  }

  /** Unsent entries, oldest first. */
  async unsent(limit = 500): Promise<PendingOutboxEntry[]> {
    const rows = await this.db.selectFrom('outbox').selectAll().where('sent_at', 'is', null).orderBy('id').limit(limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      key: r.key,
      alertId: r.alert_id,
      notifier: r.notifier,
      payload: JSON.parse(r.payload) as unknown,
      createdAt: Number(r.created_at),
    }));
  }

  async markSent(ids: readonly number[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('outbox').set({ sent_at: now }).where('id', 'in', [...ids]).where('sent_at', 'is', null).execute();
  }

  /** How many entries wait for the relay (the `outboxBacklog` gauge). */
  async backlog(): Promise<number> {
    const row = await this.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('sent_at', 'is', null).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Every entry (tests and the crash check): key and whether it was sent. */
  async all(): Promise<Array<{ key: string; sent: boolean }>> {
    const rows = await this.db.selectFrom('outbox').select(['key', 'sent_at']).orderBy('id').execute();
    return rows.map((r) => ({ key: r.key, sent: r.sent_at !== null }));
  }
}
