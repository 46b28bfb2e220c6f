import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Small JSON documents the service keeps (learned model, detector state, demo progress). */
export class KvStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** A document, or null; `db`: a transaction to read in (the scrape's read-only one). */
  async get<T>(key: string, db: Kysely<Database> = this.db): Promise<T | null> {
    const row = await db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
    return row ? (JSON.parse(row.value) as T) : null;
  }

  /** Several documents in one query per 500 keys (keys with none are absent). */
  async getMany<T>(keys: readonly string[]): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await this.db.selectFrom('kv').select(['key', 'value']).where('key', 'in', keys.slice(i, i + 500)).execute();
      for (const r of rows) out.set(r.key, JSON.parse(r.value) as T);
    }
    return out;
  }

  /** Upserts a document; pass `trx` to write inside a transaction (the detector tick's). */
  async set(key: string, value: unknown, now: number, trx: Kysely<Database> = this.db): Promise<void> {
    const text = JSON.stringify(value);
    await trx
      .insertInto('kv')
      .values({ key, value: text, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_at: now }))
      .execute();
  }

  /** Upserts several documents, 100 to a statement (pass `trx` to write inside a transaction). */
  async setMany(entries: ReadonlyArray<{ readonly key: string; readonly value: unknown }>, now: number, trx: Kysely<Database> = this.db): Promise<void> {
    for (let i = 0; i < entries.length; i += 100) {
      await trx
        .insertInto('kv')
        .values(entries.slice(i, i + 100).map((e) => ({ key: e.key, value: JSON.stringify(e.value), updated_at: now })))
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql`excluded.value`, updated_at: sql`excluded.updated_at` }))
        .execute();
    }
  }

  /** Removes documents (pass `trx` to delete inside a transaction). */
  async delete(keys: readonly string[], trx: Kysely<Database> = this.db): Promise<void> {
    if (keys.length === 0) return;
    await trx.deleteFrom('kv').where('key', 'in', keys).execute();
  }
}
