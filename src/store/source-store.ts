import { sql, type Kysely } from 'kysely';
import type { Actor } from '../domain/actor.js';
import type { Database, SourceStatesTable } from './schema.js';

/** Well under SQLite's 32,766 bound parameters and PostgreSQL's 65,535. */
const CURSORS_PER_QUERY = 500;

/** One source's stored state, timestamps in epoch ms (null: never). */
export interface SourceRecord {
  readonly name: string;
  readonly kind: string;
  readonly state: string;
  readonly lastPollAt: number | null;
  readonly lastSuccessAt: number | null;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  readonly fetched: number;
  readonly skipped: number;
  readonly deadLettered: number;
  /** JSON text as stored (the caller parses it). */
  readonly rateLimit: string | null;
  readonly createdAt: number;
  /** While stopped: the fingerprint of the config entry that was rejected (null: unknown, e.g. a stop by an older version). */
  readonly stopFingerprint: string | null;
  /** The last operator retry, or null. */
  readonly lastRetry: { readonly at: number; readonly by: string; readonly via: string } | null;
}

/** What one write changes; absent fields keep their value, counters are added. */
export interface SourceUpdate {
  readonly state?: string;
  readonly lastPollAt?: number;
  readonly lastSuccessAt?: number;
  readonly lastError?: string;
  readonly lastErrorAt?: number;
  readonly rateLimit?: string;
  /** Set with `state: 'stopped'`: the fingerprint of the rejected config entry. */
  readonly stopFingerprint?: string | null;
  readonly add?: { readonly fetched?: number; readonly skipped?: number; readonly deadLettered?: number };
}

const toRecord = (r: SourceStatesTable): SourceRecord => ({
  name: r.name,
  kind: r.kind,
  state: r.state,
  lastPollAt: r.last_poll_at,
  lastSuccessAt: r.last_success_at,
  lastError: r.last_error,
  lastErrorAt: r.last_error_at,
  fetched: Number(r.fetched),
  skipped: Number(r.skipped),
  deadLettered: Number(r.dead_lettered),
  rateLimit: r.rate_limit,
  createdAt: r.created_at,
  stopFingerprint: r.stop_fingerprint,
  lastRetry: r.retried_at === null ? null : { at: Number(r.retried_at), by: r.retried_by ?? 'unknown', via: r.retried_via ?? 'api' },
});

/**
 * Cursors and status of every source, in the database: the durable home of where each poller stands
 * (Redis holds only schedules and locks, and may restart empty). Writes are upserts, so a write for a
 * source never registered still lands (kind `api` until it registers).
 */
export class SourceStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds the source (state `idle`) or updates its kind; keeps its state, counters and cursor. */
  async register(name: string, kind: string, now: number): Promise<void> {
    await this.db
      .insertInto('source_states')
      .values(this.fresh(name, kind, now))
      .onConflict((oc) => oc.column('name').doUpdateSet({ kind, updated_at: now }))
      .execute();
  }

  /** Applies one update (creating the row if needed); counters are added atomically in SQL. */
  async update(name: string, change: SourceUpdate, now: number): Promise<void> {
    const add = change.add ?? {};
    const set = {
      ...(change.state === undefined ? {} : { state: change.state }),
      ...(change.lastPollAt === undefined ? {} : { last_poll_at: change.lastPollAt }),
      ...(change.lastSuccessAt === undefined ? {} : { last_success_at: change.lastSuccessAt }),
      ...(change.lastError === undefined ? {} : { last_error: change.lastError }),
      ...(change.lastErrorAt === undefined ? {} : { last_error_at: change.lastErrorAt }),
      ...(change.rateLimit === undefined ? {} : { rate_limit: change.rateLimit }),
      ...(change.stopFingerprint === undefined ? {} : { stop_fingerprint: change.stopFingerprint }),
    };
    await this.db
      .insertInto('source_states')
      .values({
        ...this.fresh(name, 'api', now),
        ...set,
        fetched: add.fetched ?? 0,
        skipped: add.skipped ?? 0,
        dead_lettered: add.deadLettered ?? 0,
      })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({
          ...set,
          fetched: sql<number>`source_states.fetched + ${add.fetched ?? 0}`,
          skipped: sql<number>`source_states.skipped + ${add.skipped ?? 0}`,
          dead_lettered: sql<number>`source_states.dead_lettered + ${add.deadLettered ?? 0}`,
          updated_at: now,
        }),
      )
      .execute();
  }

  /** Sets `state` to `to` only where it is now `from` (e.g. un-stop at start-up). */
  async changeState(name: string, from: string, to: string, now: number): Promise<void> {
    await this.db.updateTable('source_states').set({ state: to, updated_at: now }).where('name', '=', name).where('state', '=', from).execute();
  }

  /**
   * Un-stops a stopped source whose config entry changed since it stopped: its stored fingerprint differs
   * from `fingerprint` (or is unknown, a stop recorded by an older version). A source stopped with the
   * same fingerprint stays stopped. True when it was un-stopped.
   */
  async resumeIfConfigChanged(name: string, fingerprint: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('source_states')
      .set({ state: 'idle', stop_fingerprint: null, updated_at: now })
      .where('name', '=', name)
      .where('state', '=', 'stopped')
      .where((eb) => eb.or([eb('stop_fingerprint', 'is', null), eb('stop_fingerprint', '!=', fingerprint)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** An operator's retry: un-stops a stopped source and records who and how. False when it was not stopped. */
  async retry(name: string, actor: Actor, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('source_states')
      .set({ state: 'idle', stop_fingerprint: null, retried_at: now, retried_by: actor.by, retried_via: actor.via, updated_at: now })
      .where('name', '=', name)
      .where('state', '=', 'stopped')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Inserts a whole record unless the source already has one (importing legacy state). True when inserted. */
  async insertIfAbsent(record: Omit<SourceRecord, 'createdAt' | 'stopFingerprint' | 'lastRetry'>, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto('source_states')
      .values({
        name: record.name,
        kind: record.kind,
        state: record.state,
        last_poll_at: record.lastPollAt,
        last_success_at: record.lastSuccessAt,
        last_error: record.lastError,
        last_error_at: record.lastErrorAt,
        fetched: record.fetched,
        skipped: record.skipped,
        dead_lettered: record.deadLettered,
        rate_limit: record.rateLimit,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(name: string): Promise<SourceRecord | null> {
    const row = await this.db.selectFrom('source_states').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async list(): Promise<SourceRecord[]> {
    const rows = await this.db.selectFrom('source_states').selectAll().orderBy('name').execute();
    return rows.map(toRecord);
  }

  /** The cursor's JSON text, or null when the poller has none yet. */
  async getCursor(name: string): Promise<string | null> {
    const row = await this.db.selectFrom('source_cursors').select('value').where('name', '=', name).executeTakeFirst();
    return row?.value ?? null;
  }

  /** The cursors' JSON texts by name (names with none are absent), a few hundred names per query. */
  async getCursors(names: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < names.length; i += CURSORS_PER_QUERY) {
      const chunk = names.slice(i, i + CURSORS_PER_QUERY);
      const rows = await this.db.selectFrom('source_cursors').select(['name', 'value']).where('name', 'in', chunk).execute();
      for (const row of rows) out.set(row.name, row.value);
    }
    return out;
  }

  /** Stores the cursor; `trx` puts it in the caller's transaction (a metric pull stores its points with it). */
  async setCursor(name: string, value: string, now: number, trx: Kysely<Database> = this.db): Promise<void> {
    await trx
      .insertInto('source_cursors')
      .values({ name, value, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: now }))
      .execute();
  }

  /** Stores the cursor unless one is already stored. True when inserted. */
  async insertCursorIfAbsent(name: string, value: string, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto('source_cursors')
      .values({ name, value, updated_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async deleteCursor(name: string): Promise<void> {
    await this.db.deleteFrom('source_cursors').where('name', '=', name).execute();
  }

  private fresh(name: string, kind: string, now: number): SourceStatesTable {
    return {
      name,
      kind,
      state: 'idle',
      last_poll_at: null,
      last_success_at: null,
      last_error: null,
      last_error_at: null,
      fetched: 0,
      skipped: 0,
      dead_lettered: 0,
      rate_limit: null,
      created_at: now,
      updated_at: now,
      stop_fingerprint: null,
      retried_at: null,
      retried_by: null,
      retried_via: null,
    };
  }
}
