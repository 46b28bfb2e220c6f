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
import { toRow, type ClassifiedMessage } from './message-row.js';
import { COUNT_BUCKET_MS } from './migrations.js';
import { searchVector } from './message-search.js';
import type { Database, MessagesTable } from './schema.js';
import { bucketStart, seriesKeysOf } from '../series/counts.js';

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
  const H = sql.lit(COUNT_BUCKET_MS);

  // Complaint terms, one row per (message ordinal, distinct term), as complaintTerms counts them.
  const termOrd: number[] = [];
  const terms: string[] = [];
  if (derived) {
    kept.forEach(({ classification: c }, j) => {
      if (!c.complaint) return;
      const distinct = new Set<string>();
      for (const category of c.categories) for (const term of category.terms) distinct.add(term);
      for (const term of distinct) {
        termOrd.push(j + 1);
        terms.push(term);
      }
    });
  }
  // Merged per key first (a hash), then the few keys in order ("C": byte order, cheap to compare, the same
  // for every writer, so concurrent statements lock the same rows in the same order).
  const counts = derived
    ? sql`, counts as (
        insert into complaint_counts (t, channel, lang, category, n)
        select * from (select created_at - created_at % ${H} as t, channel, coalesce(lang, '') as lang, coalesce(category, '') as category, count(*) as n
          from fresh where complaint = 1 group by 1, 2, 3, 4) g
        order by t, channel collate "C", lang collate "C", category collate "C"
        on conflict (t, channel, lang, category) do update set n = complaint_counts.n + excluded.n)
      , terms as (
        insert into complaint_terms (t, channel, lang, category, term, n)
        select * from (select f.created_at - f.created_at % ${H} as t, f.channel, coalesce(f.lang, '') as lang, coalesce(f.category, '') as category, x.term, count(*) as n
          from fresh f join unnest(${termOrd}::bigint[], ${terms}::text[]) as x(ord, term) on x.ord = f.ord
          where f.complaint = 1 group by 1, 2, 3, 4, 5) g
        order by t, channel collate "C", lang collate "C", category collate "C", term collate "C"
        on conflict (t, channel, lang, category, term) do update set n = complaint_terms.n + excluded.n)`
    : sql``;

  // Series: each new message's keys in its bucket, merged in the statement; the late marks from them.
  let series = sql``;
  let horizon = sql`null::float8`;
  const buckets: number[] = [];
  if (options.series) {
    const { step, horizonKey } = options.series;
    const incOrd: number[] = [];
    const incKey: string[] = [];
    kept.forEach(({ message, classification }, j) => {
      const t = bucketStart(Date.parse(message.createdAt), step);
      buckets.push(Number.isFinite(t) ? t : 0);
      if (!Number.isFinite(t)) return;
      for (const key of seriesKeysOf(message, classification)) {
        incOrd.push(j + 1);
        incKey.push(key);
      }
    });
    series = sql`, incs as materialized (
        select x.key, f.bucket as t, count(*) as v from fresh f join unnest(${incOrd}::bigint[], ${incKey}::text[]) as x(ord, key) on x.ord = f.ord
        group by 1, 2)
      , points as (
        insert into series_points (key, t, v) select key, t, v from incs order by key collate "C", t
        on conflict (key, t) do update set v = series_points.v + excluded.v)
      , h as materialized (select (value::json ->> 'until')::float8 as until from kv where key = ${horizonKey} for share)
      , late as (
        insert into late_buckets (series_key, t, seq) select key, min(t), 1 from incs where t < (select until from h) group by key order by key collate "C"
        on conflict (series_key) do update set t = least(late_buckets.t, excluded.t), seq = late_buckets.seq + 1)`;
    horizon = sql`(select until from h)`;
  }

  const found = await sql<{ id: string; horizon: number | null }>`
    with u as materialized (
      select * from unnest(${col('id')}::text[], ${col('channel')}::text[], ${col('source')}::text[], ${col('author')}::text[], ${col('text')}::text[], ${col('lang')}::text[],
        ${col('created_at')}::bigint[], ${col('ingested_at')}::bigint[], ${col('link')}::text[], ${col('meta')}::text[], ${col('complaint')}::integer[], ${col('score')}::real[],
        ${col('category')}::text[], ${col('classification')}::text[], ${rows.map((r) => r.model_version ?? null)}::text[],
        ${rows.map((r) => (derived ? searchVector(r.text) : null))}::text[], ${options.series ? buckets : rows.map(() => 0)}::bigint[])
        with ordinality as u(id, channel, source, author, text, lang, created_at, ingested_at, link, meta, complaint, score, category, classification, model_version, search, bucket, ord))
    , ins as (
      insert into messages (id, channel, source, author, text, lang, created_at, ingested_at, link, meta, complaint, score, category, classification, model_version, search)
      select id, channel, source, author, text, lang, created_at, ingested_at, link, meta, complaint, score, category, classification, model_version, search::tsvector from u
      on conflict (id) do nothing
      returning id, created_at, channel, lang, category, complaint)
    , fresh as materialized (select i.id, i.created_at, i.channel, i.lang, i.category, i.complaint, u.ord, u.bucket from ins i join u on u.id = i.id)
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
