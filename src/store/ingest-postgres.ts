/**
 * PostgreSQL ingest in one statement: the new messages (duplicates skipped by id), their search
 * vectors, complaint and term counts, and (for `Store.ingest`) their series increments and late marks,
 * as data-modifying CTEs of one INSERT: atomic on its own (no BEGIN/COMMIT), one round trip per batch.
 * The counts are derived in the statement from the rows it inserted, so a message delivered again adds
 * nothing. Each ingest transaction used to take 5–7 round trips, and every one of them waited for the
 * worker's event loop, busy with Redis replies and classification: a batch held its jobs for 3× its
 * database time.
 */
import { sql, type Kysely } from 'kysely';
import { complaintCountKey, distinctTerms, toRow, type ClassifiedMessage } from './message-row.js';
import { searchVector, searchVectorSql } from './message-search.js';
import type { Database, MessagesTable } from './schema.js';
import { bucketStart, seriesKeysOf } from '../series/counts.js';

/**
 * Numbers distinct keys 1, 2, … in order of first appearance (`id`: the key as one string), and gives
 * them back column by column, the n-th entry of each column being a part of key n (for `unnest … with
 * ordinality`). A key's parts are given only when it is added (`find` first: no array or closure per lookup).
 */
class KeyNumbers {
  private readonly ids = new Map<string, number>();
  private readonly columns: Array<Array<string | number>>;

  constructor(width: number) {
    this.columns = Array.from({ length: width }, () => []);
  }

  /** The number of a key seen before, else undefined (then `add` it). */
  find(id: string): number | undefined {
    return this.ids.get(id);
  }

  add(id: string, parts: ReadonlyArray<string | number>): number {
    const n = this.ids.size + 1;
    this.ids.set(id, n);
    parts.forEach((part, i) => this.columns[i]?.push(part));
    return n;
  }

  column(i: number): ReadonlyArray<string | number> {
    return this.columns[i] ?? [];
  }
}

export interface PostgresIngestOptions {
  /** Write the search vectors and the complaint and term counts (see MessageStoreOptions). */
  readonly searchAndCounts: boolean;
  /**
   * Also add each new message's series counts (bucket `step` ms) and record late buckets against the
   * judging horizon (the kv row `horizonKey`, read FOR SHARE so a tick raising it waits for this
   * statement: see LateStore). Absent: messages and their counts only (`MessageStore.insertNew`).
   */
  readonly series?: { readonly step: number; readonly horizonKey: string };
}

export interface PostgresIngestResult {
  /** Ids stored by this statement (new ones). */
  readonly inserted: Set<string>;
  /** The judging horizon the statement saw (null: none yet, or nothing new, or no `series`). */
  readonly horizon: number | null;
}

/**
 * A PostgreSQL array literal of `values`, sent as one text parameter and cast (`::text[]`, `::bigint[]`):
 * what the pg driver makes of a JS array (`{"a","b",NULL}`), built with one join, numbers unquoted, and
 * a string escaped only when it holds a backslash or a double quote. The driver runs two regular
 * expressions over every element (numbers too) and concatenates the literal piece by piece: with the
 * twenty-odd arrays of a batch that was about 6% of the worker's CPU samples on PostgreSQL.
 */
export function arrayLiteral(values: ReadonlyArray<string | number | null>): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'number') parts[i] = String(v);
    else parts[i] = `"${v.includes('\\') || v.includes('"') ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : v}"`;
  }
  return `{${parts.join(',')}}`;
}

/** Runs the ingest statement on `db` (a transaction or the pool: alone it is its own transaction). */
export async function ingestPostgres(
  db: Kysely<Database>,
  items: readonly ClassifiedMessage[],
  now: number,
  options: PostgresIngestOptions,
): Promise<PostgresIngestResult> {
  // One row per id (the first wins), so that each inserted row joins back to exactly one item.
  const seen = new Set<string>();
  const rows: MessagesTable[] = [];
  const kept: ClassifiedMessage[] = [];
  for (const item of items) {
    if (seen.has(item.message.id)) continue;
    seen.add(item.message.id);
    rows.push(toRow(item, now));
    kept.push(item);
  }
  if (rows.length === 0) return { inserted: new Set(), horizon: null };
  const col = <K extends keyof MessagesTable>(k: K) => rows.map((r) => r[k]);
  const derived = options.searchAndCounts;

  // Every count row the batch can touch is a key the writer knows before the statement runs (its
  // messages' own fields): each distinct key gets a number here, each message the numbers of its keys,
  // and the statement counts per number over the rows it inserted (a hash of integers), then upserts the
  // few keys. Grouping the joined rows by their text keys sorted them by collation: most of what the
  // counts cost the server.
  // complaint_counts: a complaint's (hour, channel, language, category); complaint_terms: that key and
  // each distinct matched term of its classification (message-row.ts: complaintCountKey, distinctTerms).
  const countKeys = new KeyNumbers(4);
  const termKeys = new KeyNumbers(5);
  const countOf: Array<number | null> = [];
  const termOrd: number[] = [];
  const termKey: number[] = [];
  const terms: string[] = [];
  // Series: each new message's keys in its bucket, merged the same way; the late marks from them.
  const seriesKeys = new KeyNumbers(2);
  const incOrd: number[] = [];
  const incKey: number[] = [];
  kept.forEach(({ message, classification: c }, j) => {
    const row = rows[j] as MessagesTable;
    if (options.series) {
      const t = bucketStart(row.created_at, options.series.step);
      if (Number.isFinite(t)) {
        for (const key of seriesKeysOf(message, c)) {
          incOrd.push(j + 1);
          const id = `${t}\u0000${key}`;
          incKey.push(seriesKeys.find(id) ?? seriesKeys.add(id, [key, t]));
        }
      }
    }
    const key = derived ? complaintCountKey(row) : null;
    if (key === null) {
      countOf.push(null);
      return;
    }
    const { t, channel, lang, category } = key;
    countOf.push(countKeys.find(key.id) ?? countKeys.add(key.id, [t, channel, lang, category]));
    for (const term of distinctTerms(c, terms)) {
      termOrd.push(j + 1);
      const id = `${key.id}\u0000${term}`;
      termKey.push(termKeys.find(id) ?? termKeys.add(id, [t, channel, lang, category, term]));
    }
  });

  // The keys upserted in order ("C": byte order, cheap to compare, the same for every writer, so
  // concurrent statements lock the same rows in the same order).
  const counts = derived
    ? sql`, counts as (
        insert into complaint_counts (t, channel, lang, category, n)
        select k.t, k.channel, k.lang, k.category, g.n
          from (select count_key, count(*) as n from fresh where count_key is not null group by 1) g
          join unnest(${arrayLiteral(countKeys.column(0))}::bigint[], ${arrayLiteral(countKeys.column(1))}::text[], ${arrayLiteral(countKeys.column(2))}::text[], ${arrayLiteral(countKeys.column(3))}::text[])
            with ordinality as k(t, channel, lang, category, id) on k.id = g.count_key
        order by k.t, k.channel collate "C", k.lang collate "C", k.category collate "C"
        on conflict (t, channel, lang, category) do update set n = complaint_counts.n + excluded.n)
      , terms as (
        insert into complaint_terms (t, channel, lang, category, term, n)
        select k.t, k.channel, k.lang, k.category, k.term, g.n
          from (select x.id, count(*) as n from fresh f join unnest(${arrayLiteral(termOrd)}::int[], ${arrayLiteral(termKey)}::int[]) as x(ord, id) on x.ord = f.ord group by 1) g
          join unnest(${arrayLiteral(termKeys.column(0))}::bigint[], ${arrayLiteral(termKeys.column(1))}::text[], ${arrayLiteral(termKeys.column(2))}::text[], ${arrayLiteral(termKeys.column(3))}::text[], ${arrayLiteral(termKeys.column(4))}::text[])
            with ordinality as k(t, channel, lang, category, term, id) on k.id = g.id
        order by k.t, k.channel collate "C", k.lang collate "C", k.category collate "C", k.term collate "C"
        on conflict (t, channel, lang, category, term) do update set n = complaint_terms.n + excluded.n)`
    : sql``;

  let series = sql``;
  let horizon = sql`null::float8`;
  if (options.series) {
    series = sql`, incs as materialized (
        select k.key, k.t, g.v
          from (select x.id, count(*) as v from fresh f join unnest(${arrayLiteral(incOrd)}::int[], ${arrayLiteral(incKey)}::int[]) as x(ord, id) on x.ord = f.ord group by 1) g
          join unnest(${arrayLiteral(seriesKeys.column(0))}::text[], ${arrayLiteral(seriesKeys.column(1))}::bigint[]) with ordinality as k(key, t, id) on k.id = g.id)
      , points as (
        insert into series_points (key, t, v) select key, t, v from incs order by key collate "C", t
        on conflict (key, t) do update set v = series_points.v + excluded.v)
      , h as materialized (select (value::json ->> 'until')::float8 as until from kv where key = ${options.series.horizonKey} for share)
      , late as (
        insert into late_buckets (series_key, t, seq) select key, min(t), 1 from incs where t < (select until from h) group by key order by key collate "C"
        on conflict (series_key) do update set t = least(late_buckets.t, excluded.t), seq = late_buckets.seq + 1)`;
    horizon = sql`(select until from h)`;
  }

  const found = await sql<{ id: string; horizon: number | null }>`
    with u as materialized (
      select * from unnest(${arrayLiteral(col('id'))}::text[], ${arrayLiteral(col('channel'))}::text[], ${arrayLiteral(col('source'))}::text[], ${arrayLiteral(col('author'))}::text[], ${arrayLiteral(col('text'))}::text[], ${arrayLiteral(col('lang'))}::text[],
        ${arrayLiteral(col('created_at'))}::bigint[], ${arrayLiteral(col('ingested_at'))}::bigint[], ${arrayLiteral(col('link'))}::text[], ${arrayLiteral(col('meta'))}::text[], ${arrayLiteral(col('complaint'))}::integer[], ${arrayLiteral(col('score'))}::real[],
        ${arrayLiteral(col('category'))}::text[], ${arrayLiteral(col('classification'))}::text[], ${arrayLiteral(rows.map((r) => r.model_version ?? null))}::text[],
        ${arrayLiteral(rows.map((r) => (derived ? searchVector(r.text) : null)))}::text[], ${arrayLiteral(countOf)}::int[])
        with ordinality as u(id, channel, source, author, text, lang, created_at, ingested_at, link, meta, complaint, score, category, classification, model_version, search, count_key, ord))
    , ins as (
      insert into messages (id, channel, source, author, text, lang, created_at, ingested_at, link, meta, complaint, score, category, classification, model_version, search)
      select id, channel, source, author, text, lang, created_at, ingested_at, link, meta, complaint, score, category, classification, model_version, ${searchVectorSql(sql.ref('search'))} from u
      on conflict (id) do nothing
      returning id)
    , fresh as materialized (select u.ord, u.id, u.count_key from ins i join u on u.id = i.id)
    ${counts}
    ${series}
    select f.id, ${horizon} as horizon from fresh f`.execute(db);
  const inserted = new Set<string>();
  let seenHorizon: number | null = null;
  for (const r of found.rows) {
    inserted.add(r.id);
    if (r.horizon !== null) seenHorizon = Number(r.horizon);
  }
  return { inserted, horizon: seenHorizon };
}
