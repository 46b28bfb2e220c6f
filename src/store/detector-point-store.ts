import { sql, type Kysely } from 'kysely';
import type { AnomalyReason, DetectorPoint, Direction } from '../domain/anomaly.js';
import type { Database, DetectorPointsTable } from './schema.js';

/**
 * What the detector said about one bucket of one series, as the tick that judged it wrote it: the
 * band a person sees, the API's `with=band` and the alert evidence are these rows, never a replay.
 */
export interface StoredDetectorPoint extends DetectorPoint {
  readonly series: string;
  /** The series had too little history to know its normal: shown as learning, pages nobody. */
  readonly learning: boolean;
  /** Judged again after data arrived for the bucket once it had been judged. */
  readonly late: boolean;
  /**
   * Rolling (about 30 points) correlation with the reference series (the decoupling lane); null or absent
   * without a reference. When re-aggregated to a coarser step: the lowest in the bucket.
   */
  readonly correlation?: number | null;
  /** The long correlation with the reference: does the series usually follow it? Null or absent without one. */
  readonly usualCorrelation?: number | null;
}

/** Rows per INSERT (14 columns: well under SQLite's and PostgreSQL's bind limits). */
const CHUNK = 400;

const finiteOrNull = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

function toRow(p: StoredDetectorPoint): DetectorPointsTable {
  return {
    series_key: p.series,
    t: p.t,
    value: p.value,
    expected: p.expected,
    lower: p.lower,
    upper: p.upper,
    score: p.score,
    direction: p.direction,
    reason: p.reason,
    alert: p.alert ? 1 : 0,
    learning: p.learning ? 1 : 0,
    late: p.late ? 1 : 0,
    correlation: finiteOrNull(p.correlation),
    usual_correlation: finiteOrNull(p.usualCorrelation),
  };
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function fromRow(r: DetectorPointsTable): StoredDetectorPoint {
  return {
    series: r.series_key,
    t: Number(r.t),
    value: num(r.value),
    expected: num(r.expected),
    lower: num(r.lower),
    upper: num(r.upper),
    score: Number(r.score),
    direction: r.direction as Direction | null,
    reason: r.reason as AnomalyReason | null,
    alert: Number(r.alert) === 1,
    learning: Number(r.learning) === 1,
    late: Number(r.late) === 1,
    correlation: num(r.correlation),
    usualCorrelation: num(r.usual_correlation),
  };
}

/** The `detector_points` table: one row per (series, judged bucket). */
export class DetectorPointStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Writes (or rewrites, when a bucket is judged again) rows; inside the tick's transaction. */
  async write(points: readonly StoredDetectorPoint[], trx: Kysely<Database> = this.db): Promise<void> {
    for (let i = 0; i < points.length; i += CHUNK) {
      await trx
        .insertInto('detector_points')
        .values(points.slice(i, i + CHUNK).map(toRow))
        .onConflict((oc) =>
          oc.columns(['series_key', 't']).doUpdateSet({
            value: sql`excluded.value`,
            expected: sql`excluded.expected`,
            lower: sql`excluded.lower`,
            upper: sql`excluded.upper`,
            score: sql`excluded.score`,
            direction: sql`excluded.direction`,
            reason: sql`excluded.reason`,
            alert: sql`excluded.alert`,
            learning: sql`excluded.learning`,
            late: sql`excluded.late`,
            correlation: sql`excluded.correlation`,
            usual_correlation: sql`excluded.usual_correlation`,
          }),
        )
        .execute();
    }
  }

  /** Stored rows of `key` in [from, to), oldest first. */
  async read(key: string, from: number, to: number): Promise<StoredDetectorPoint[]> {
    return (await this.readMany([key], from, to)).get(key) ?? [];
  }

  /**
   * Stored rows of each of `keys` in [from, to), per key, oldest first (keys with none are absent): the
   * window correlation evidence reads, in one query per few hundred keys.
   */
  async readMany(keys: readonly string[], from: number, to: number): Promise<Map<string, StoredDetectorPoint[]>> {
    const out = new Map<string, StoredDetectorPoint[]>();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK);
      if (chunk.length === 0) continue;
      const rows = await this.db
        .selectFrom('detector_points')
        .selectAll()
        .where('series_key', 'in', chunk)
        .where('t', '>=', from)
        .where('t', '<', to)
        .orderBy('series_key')
        .orderBy('t')
        .execute();
      for (const r of rows) {
        const p = fromRow(r);
        const list = out.get(p.series);
        if (list) list.push(p);
        else out.set(p.series, [p]);
      }
    }
    return out;
  }

  /**
   * Rows of `key` in [from, to) re-aggregated in the database to buckets of `step` ms starting at
   * `from`: value, expected and band summed (null when any stored bucket had none), score the max,
   * alert/learning/late any; direction and reason of the highest-scoring alert row in the bucket;
   * correlation the lowest (a decoupling inside the bucket stays visible), the usual correlation the mean.
   */
  async readAtStep(key: string, from: number, to: number, step: number): Promise<StoredDetectorPoint[]> {
    // Literals, not parameters: PostgreSQL must see the same expression in SELECT and GROUP BY.
    const b = sql<number>`floor((t - ${sql.lit(Math.trunc(from))}) / ${sql.lit(Math.trunc(step))})`;
    const allOrNone = (col: 'value' | 'expected' | 'lower' | 'upper') =>
      sql<number | null>`case when count(${sql.ref(col)}) = count(*) then sum(${sql.ref(col)}) end`.as(col);
    const rows = await this.db
      .selectFrom('detector_points')
      .select([
        b.as('b'),
        allOrNone('value'),
        allOrNone('expected'),
        allOrNone('lower'),
        allOrNone('upper'),
        sql<number>`max(score)`.as('score'),
        sql<number>`max(alert)`.as('alert'),
        sql<number>`max(learning)`.as('learning'),
        sql<number>`max(late)`.as('late'),
        sql<number | null>`min(correlation)`.as('correlation'),
        sql<number | null>`avg(usual_correlation)`.as('usual_correlation'),
      ])
      .where('series_key', '=', key)
      .where('t', '>=', from)
      .where('t', '<', to)
      .groupBy(b)
      .orderBy('b')
      .execute();
    const alerts = await this.db
      .selectFrom('detector_points')
      .select(['t', 'score', 'direction', 'reason'])
      .where('series_key', '=', key)
      .where('t', '>=', from)
      .where('t', '<', to)
      .where('alert', '=', 1)
      .orderBy('t')
      .execute();
    const why = new Map<number, { score: number; direction: Direction | null; reason: AnomalyReason | null }>();
    for (const a of alerts) {
      const bucket = Math.floor((Number(a.t) - from) / step);
      const prev = why.get(bucket);
      if (!prev || Number(a.score) > prev.score) {
        why.set(bucket, { score: Number(a.score), direction: a.direction as Direction | null, reason: a.reason as AnomalyReason | null });
      }
    }
    return rows.map((r) => {
      const bucket = Number(r.b);
      const w = why.get(bucket);
      return {
        series: key,
        t: from + bucket * step,
        value: num(r.value),
        expected: num(r.expected),
        lower: num(r.lower),
        upper: num(r.upper),
        score: Number(r.score),
        direction: w?.direction ?? null,
        reason: w?.reason ?? null,
        alert: Number(r.alert) === 1,
        learning: Number(r.learning) === 1,
        late: Number(r.late) === 1,
        correlation: num(r.correlation),
        usualCorrelation: num(r.usual_correlation),
      };
    });
  }

  /**
   * Every series' row for the bucket starting at `t` (what the tick that judged it said), at most `limit`
   * rows, by series key: the `detector_points_t` index makes it one bounded range (the scrape's read).
   */
  async atBucket(t: number, limit: number, db: Kysely<Database> = this.db): Promise<StoredDetectorPoint[]> {
    const rows = await db.selectFrom('detector_points').selectAll().where('t', '=', t).orderBy('series_key').limit(limit).execute();
    return rows.map(fromRow);
  }

  /** The newest stored row of each key under `prefix` (the series list shows learning / judged state). */
  async latest(keys: readonly string[]): Promise<Map<string, StoredDetectorPoint>> {
    const out = new Map<string, StoredDetectorPoint>();
    // One statement per 100 keys (one round trip, not one per key: 19 keys cost PostgreSQL's
    // `GET /api/series` 10 ms of CPU in this process), each key still one primary-key seek.
    for (let i = 0; i < keys.length; i += 100) {
      const chunk = keys.slice(i, i + 100);
      const newest = (key: string) => this.db.selectFrom('detector_points').selectAll().where('series_key', '=', key).orderBy('t', 'desc').limit(1);
      const [first, ...rest] = chunk.map((key, j) => this.db.selectFrom(newest(key).as(`p${j}`)).selectAll());
      if (first === undefined) continue;
      const rows = await rest.reduce((q, next) => q.unionAll(next), first).execute();
      for (const row of rows) out.set(row.series_key, fromRow(row));
    }
    return out;
  }
}
