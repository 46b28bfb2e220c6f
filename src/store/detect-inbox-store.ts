import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What one series group judged in one tick for alerting (migration 0022). */
export interface InboxRow {
  readonly group: number;
  /** The tick's end (exclusive). */
  readonly tick: number;
  /** When the tick ran (ms). */
  readonly at: number;
  readonly payload: unknown;
}

/** Which rows the alerting step took (deleted in its transaction). */
export type InboxKey = Pick<InboxRow, 'group' | 'tick'>;

/**
 * The hand-over from the group jobs to the alerting step: a group job adds its row in the transaction
 * that saves its detector state; the alerting step reads the rows of the ticks every group has judged
 * and deletes them in the transaction that saves the alerts and the outbox. Either side may crash at
 * any point: a row is taken exactly once.
 */
export class DetectInboxStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds a group's row for a tick; one already there (the same job run again) is kept as it was. */
  async add(row: InboxRow, trx: Kysely<Database> = this.db): Promise<void> {
    await trx
      .insertInto('detect_inbox')
      .values({ grp: row.group, tick: row.tick, at: row.at, payload: JSON.stringify(row.payload) })
      .onConflict((oc) => oc.columns(['grp', 'tick']).doNothing())
      .execute();
  }

  /** Rows of ticks ending at or before `tick`, oldest tick first. */
  async upTo(tick: number): Promise<InboxRow[]> {
    const rows = await this.db.selectFrom('detect_inbox').selectAll().where('tick', '<=', tick).orderBy('tick').orderBy('grp').execute();
    return rows.map((r) => ({ group: Number(r.grp), tick: Number(r.tick), at: Number(r.at), payload: JSON.parse(r.payload) as unknown }));
  }

  /** Deletes taken rows (inside the alerting step's transaction). */
  async delete(rows: readonly InboxKey[], trx: Kysely<Database> = this.db): Promise<void> {
    for (const r of rows) await trx.deleteFrom('detect_inbox').where('grp', '=', r.group).where('tick', '=', r.tick).execute();
  }
}
