import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Point } from '../domain/point.js';
import type { SeriesIncrement } from '../series/counts.js';
import type { Database } from './schema.js';

export type Aggregation = 'sum' | 'avg' | 'max' | 'min';


const CHUNK = 500;

export class SeriesStore {
  private readonly addOne: BetterSqlite3.Statement | null;

  constructor(private readonly db: Kysely<Database>, sqlite: BetterSqlite3.Database | null = null) {
    this.addOne = sqlite
      ? sqlite.prepare('INSERT INTO series_points (key, t, v) VALUES (?, ?, ?) ON CONFLICT (key, t) DO UPDATE SET v = series_points.v + excluded.v')
      : null;
  }

  /** Adds to buckets (counters). Safe inside the ingest transaction. */
  async add(increments: readonly SeriesIncrement[], trx: Kysely<Database> = this.db): Promise<void> {
    if (this.addOne) {
      this.addSync(increments);
      return;
    }
    for (let i = 0; i < increments.length; i += CHUNK) {
      await trx
        .insertInto('series_points')
        .values(increments.slice(i, i + CHUNK).map((p) => ({ key: p.key, t: p.t, v: p.v })))
        .onConflict((oc) => oc.columns(['key', 't']).doUpdateSet({ v: sql`series_points.v + excluded.v` }))
        .execute();
    }
  }

  /** SQLite only, synchronous (see MessageStore.insertNewSync). */
  addSync(increments: readonly SeriesIncrement[]): void {
    if (!this.addOne) throw new Error('addSync needs SQLite');
    for (const p of increments) this.addOne.run(p.key, p.t, p.v);
  }

  /** Sets buckets (pushed gauges such as traffic): pushing the same point again is idempotent. */
  async set(key: string, points: readonly Point[], trx: Kysely<Database> = this.db): Promise<void> {
    for (let i = 0; i < points.length; i += CHUNK) {
      await trx
        .insertInto('series_points')
        .values(points.slice(i, i + CHUNK).map((p) => ({ key, t: p.t, v: p.v })))
        .onConflict((oc) => oc.columns(['key', 't']).doUpdateSet({ v: sql`excluded.v` }))
        .execute();
    }
  }

  /**
   * Reads raw buckets in [from, to), re-aggregated to `step` ms when step is larger than the stored
   * bucket. Buckets with no row are absent (callers decide whether absence means zero).
   */
  async read(key: string, from: number, to: number, step?: number, agg: Aggregation = 'sum'): Promise<Point[]> {
    if (step === undefined || step <= 0) {
      const rows = await this.db
        .selectFrom('series_points')
        .select(['t', 'v'])
        .where('key', '=', key)
        .where('t', '>=', from)
        .where('t', '<', to)
        .orderBy('t')
        .execute();
      return rows.map((r) => ({ t: Number(r.t), v: Number(r.v) }));
    }
    // Literals, not parameters: PostgreSQL must see the same expression in SELECT and GROUP BY.
    const bucket = sql<number>`(t - ${sql.lit(Math.trunc(from))}) / ${sql.lit(Math.trunc(step))}`;
    const fn = { sum: sql`sum(v)`, avg: sql`avg(v)`, max: sql`max(v)`, min: sql`min(v)` }[agg];
    const rows = await this.db
      .selectFrom('series_points')
      .select([sql<number>`floor(${bucket})`.as('b'), sql<number>`${fn}`.as('v')])
      .where('key', '=', key)
      .where('t', '>=', from)
      .where('t', '<', to)
      .groupBy(sql`floor(${bucket})`)
      .orderBy('b')
      .execute();
    return rows.map((r) => ({ t: from + Number(r.b) * step, v: Number(r.v) }));
  }

  /** Raw buckets of each of `keys` in [from, to), per key, oldest first (keys with none are absent): one query per 500 keys. */
  async readMany(keys: readonly string[], from: number, to: number): Promise<Map<string, Point[]>> {
    const out = new Map<string, Point[]>();
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await this.db
        .selectFrom('series_points')
        .select(['key', 't', 'v'])
        .where('key', 'in', keys.slice(i, i + 500))
        .where('t', '>=', from)
        .where('t', '<', to)
        .orderBy('key')
        .orderBy('t')
        .execute();
      for (const r of rows) {
        const p = { t: Number(r.t), v: Number(r.v) };
        const list = out.get(r.key);
        if (list) list.push(p);
        else out.set(r.key, [p]);
      }
    }
    return out;
  }

  /**
   * Keys that have points, optionally under a prefix, in order: a skip scan of the primary key (one
   * seek per key; `select distinct` would read every bucket of the whole history).
   */
  async keys(prefix = ''): Promise<string[]> {
    const end = `${prefix}\uffff`;
    const found = await sql<{ key: string | null }>`
      with recursive k(key) as (
        select min(key) from series_points where key >= ${prefix} and key < ${end}
        union all
        select (select min(key) from series_points where key > k.key and key < ${end}) from k where k.key is not null
      )
      select key from k where key is not null order by key`.execute(this.db);
    return found.rows.map((r) => r.key as string);
  }

  /**
   * Sums of buckets in [from, to) for every key under `prefix` (those `keep` accepts, when given). The
   * keys are found by a skip scan of the primary key (one seek per key), then each key's sum reads only
   * its buckets in the window: a key range and a time range in one condition would read every bucket
   * of every key under the prefix, the whole history.
   */
  async totalsByKey(prefix: string, from: number, to: number, keep?: (key: string) => boolean): Promise<Map<string, number>> {
    const keys = (await this.keys(prefix)).filter((key) => keep === undefined || keep(key));
    if (keys.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('series_points')
      .select(['key', sql<number>`sum(v)`.as('s')])
      .where('key', 'in', keys)
      .where('t', '>=', from)
      .where('t', '<', to)
      .groupBy('key')
      .execute();
    return new Map(rows.map((r) => [r.key, Number(r.s)]));
  }

  /**
   * The value of each of `keys` in the one bucket starting at `t` (keys with no row are absent): one
   * primary-key lookup per key, so a scrape stays cheap however long the history. `db`: a read-only
   * transaction (see Store.readOnly).
   */
  async valuesAt(keys: readonly string[], t: number, db: Kysely<Database> = this.db): Promise<Map<string, number>> {
    if (keys.length === 0) return new Map();
    const rows = await db.selectFrom('series_points').select(['key', 'v']).where('key', 'in', [...keys]).where('t', '=', t).execute();
    return new Map(rows.map((r) => [r.key, Number(r.v)]));
  }

  /** Sum of buckets in [from, to). */
  async total(key: string, from: number, to: number): Promise<number> {
    const row = await this.db
      .selectFrom('series_points')
      .select(sql<number>`coalesce(sum(v), 0)`.as('s'))
      .where('key', '=', key)
      .where('t', '>=', from)
      .where('t', '<', to)
      .executeTakeFirstOrThrow();
    return Number(row.s);
  }
}
