import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { DialectKind } from './migrations.js';
import type { Database } from './schema.js';

/** The kv key of the judging horizon: buckets that start before `until` are judged (or being judged). */
export const JUDGING_KEY = 'detect.judging';

export interface LateMark {
  readonly t: number;
  readonly seq: number;
}

export interface Checkpoint {
  readonly key: string;
  /** The last bucket the state has seen. */
  readonly t: number;
  readonly state: unknown;
}

/**
 * Late data: the judging horizon the detector announces before it reads the counts, the earliest late
 * bucket per series that ingest records (in the transaction that adds the counts), and the hourly
 * detector-state checkpoints a tick restores to judge those buckets again.
 */
export class LateStore {
  private readonly horizonSync: BetterSqlite3.Statement | null;
  private readonly markSync: BetterSqlite3.Statement | null;

  constructor(private readonly db: Kysely<Database>, private readonly kind: DialectKind, sqlite: BetterSqlite3.Database | null = null) {
    this.horizonSync = sqlite ? sqlite.prepare('SELECT value FROM kv WHERE key = ?') : null;
    this.markSync = sqlite
      ? sqlite.prepare(
          'INSERT INTO late_buckets (series_key, t, seq) VALUES (?, ?, 1) ON CONFLICT (series_key) DO UPDATE SET t = min(late_buckets.t, excluded.t), seq = late_buckets.seq + 1',
        )
      : null;
  }

  /**
   * Announces that buckets before `until` are judged from now on (never lowers it). Written, and
   * committed, before the tick reads any count: ingest that commits after it marks its data late.
   */
  async raiseHorizon(until: number, now: number): Promise<void> {
    const row = await this.db.selectFrom('kv').select('value').where('key', '=', JUDGING_KEY).executeTakeFirst();
    if (row && (JSON.parse(row.value) as { until: number }).until >= until) return;
    const text = JSON.stringify({ until });
    await this.db
      .insertInto('kv')
      .values({ key: JUDGING_KEY, value: text, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_at: now }))
      .execute();
  }

  /** The horizon inside an ingest transaction (PostgreSQL: FOR SHARE, so a tick raising it waits for us). */
  async horizon(trx: Kysely<Database>): Promise<number | null> {
    let query = trx.selectFrom('kv').select('value').where('key', '=', JUDGING_KEY);
    if (this.kind === 'postgres') query = query.forShare();
    const row = await query.executeTakeFirst();
    return row ? (JSON.parse(row.value) as { until: number }).until : null;
  }

  /** SQLite only, synchronous (inside the ingest's synchronous transaction). */
  horizonNow(): number | null {
    if (!this.horizonSync) throw new Error('horizonNow needs SQLite');
    const row = this.horizonSync.get(JUDGING_KEY) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as { until: number }).until : null;
  }

  /** Records the earliest late bucket per series (keeps the earliest; bumps seq). */
  async mark(marks: ReadonlyMap<string, number>, trx: Kysely<Database> = this.db): Promise<void> {
    if (this.markSync) {
      this.markNow(marks);
      return;
    }
    for (const [key, t] of marks) {
      await trx
        .insertInto('late_buckets')
        .values({ series_key: key, t, seq: 1 })
        .onConflict((oc) => oc.column('series_key').doUpdateSet({ t: sql`least(late_buckets.t, excluded.t)`, seq: sql`late_buckets.seq + 1` }))
        .execute();
    }
  }

  /** SQLite only, synchronous. */
  markNow(marks: ReadonlyMap<string, number>): void {
    if (!this.markSync) throw new Error('markNow needs SQLite');
    for (const [key, t] of marks) this.markSync.run(key, t);
  }

  async marks(): Promise<Map<string, LateMark>> {
    const rows = await this.db.selectFrom('late_buckets').selectAll().execute();
    return new Map(rows.map((r) => [r.series_key, { t: Number(r.t), seq: Number(r.seq) }]));
  }

  /** Clears the marks a tick handled; a mark written since (a new seq) stays for the next tick. */
  async clear(handled: ReadonlyArray<{ key: string; seq: number }>, trx: Kysely<Database> = this.db): Promise<void> {
    for (const h of handled) await trx.deleteFrom('late_buckets').where('series_key', '=', h.key).where('seq', '=', h.seq).execute();
  }

  /** Upserts checkpoints, 100 to a statement (the hour's tick writes one per series). */
  async saveCheckpoints(checkpoints: readonly Checkpoint[], trx: Kysely<Database> = this.db): Promise<void> {
    for (let i = 0; i < checkpoints.length; i += 100) {
      await trx
        .insertInto('detector_checkpoints')
        .values(checkpoints.slice(i, i + 100).map((c) => ({ series_key: c.key, t: c.t, state: JSON.stringify(c.state) })))
        .onConflict((oc) => oc.columns(['series_key', 't']).doUpdateSet({ state: sql`excluded.state` }))
        .execute();
    }
  }

  /** Drops checkpoints older than `before` (the late-data window). */
  async pruneCheckpoints(before: number, trx: Kysely<Database> = this.db): Promise<void> {
    await trx.deleteFrom('detector_checkpoints').where('t', '<', before).execute();
  }

  /** Drops every checkpoint of these series (their detector learns again: see workers/model-rollout.ts). */
  async dropCheckpoints(keys: readonly string[], trx: Kysely<Database> = this.db): Promise<void> {
    if (keys.length === 0) return;
    await trx.deleteFrom('detector_checkpoints').where('series_key', 'in', keys).execute();
  }

  /** The newest checkpoint of `key` whose last bucket is before `t`; else the oldest one (re-judges what it can). */
  async checkpointBefore(key: string, t: number): Promise<Checkpoint | null> {
    const row =
      (await this.db.selectFrom('detector_checkpoints').selectAll().where('series_key', '=', key).where('t', '<', t).orderBy('t', 'desc').limit(1).executeTakeFirst()) ??
      (await this.db.selectFrom('detector_checkpoints').selectAll().where('series_key', '=', key).orderBy('t').limit(1).executeTakeFirst());
    return row ? { key, t: Number(row.t), state: JSON.parse(row.state) as unknown } : null;
  }
}
