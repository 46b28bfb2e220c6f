import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Small JSON documents the service keeps (learned model, detector state, demo progress). */
export class KvStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get<T>(key: string): Promise<T | null> {
    const row = await this.db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
    return row ? (JSON.parse(row.value) as T) : null;
  }

  async set(key: string, value: unknown, now: number): Promise<void> {
    const text = JSON.stringify(value);
    await this.db
      .insertInto('kv')
      .values({ key, value: text, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_at: now }))
      .execute();
  }
}
