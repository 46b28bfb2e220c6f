import { sql, type Kysely, type Selectable, type SqlBool, type ExpressionBuilder } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type { Classification } from '../domain/classification.js';
import type { Channel, Lang, Message } from '../domain/message.js';
import { RadarError } from '../platform/errors.js';
import { COUNT_BUCKET_MS, type DialectKind } from './migrations.js';
import { expectedMatches, frequentAt, ftsMatch, indexedStems, isFrequentSearch, searchVector, searchVectorSql, tsQuery, type SearchStats } from './message-search.js';
import { ingestPostgres } from './ingest-postgres.js';
import { complaintCountKey, distinctTerms, revisionOf, toRow, type ClassifiedMessage } from './message-row.js';
import type { ComplaintCountsTable, ComplaintTermsTable, Database, MessagesTable } from './schema.js';

export type { ClassifiedMessage };


export interface StoredMessage extends Message {
  readonly ingestedAt: string;
  readonly classification: Classification;
  /** Support's correction, when there is one. */
  readonly label: { readonly complaint: boolean; readonly category: string | null; readonly at: string } | null;
  /** When retention blanked the text, author, link and meta (`retention.keep.messageText`); absent while they are kept. */
  readonly redactedAt?: string;
}

export interface MessageFilter {
  readonly complaint?: boolean;
  readonly category?: string;
  readonly channel?: Channel;
  readonly lang?: Lang;
  readonly source?: string;
  /**
   * Full-text search: the text holds every word of `q`, both stemmed (Russian and English: "пароля"
   * finds "пароль", "crashing" finds "crash"; see message-search.ts). A `q` with no letter or digit
   * matches nothing.
   */
  readonly q?: string;
  /** Store reviews (channel appstore) of this app version (`meta.appVersion`). */
  readonly appVersion?: string;
  /** Store reviews with one of these star ratings (`meta.rating`). */
  readonly rating?: readonly number[];
  /** Store reviews from this country (`meta.country`). */
  readonly country?: string;
  /** created_at >= from (epoch ms). */
  readonly from?: number;
  /** created_at < to (epoch ms). */
  readonly to?: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

const INSERT_CHUNK = 400;

/**
 * How a search is planned (`MessageStore.list`). `rows`: the search is frequent, checked message by
 * message while walking newest first; `lookup`: it is rare, its matches are looked up in the index and
 * fetched (the other filters only checked on them); `none`: no search, or (PostgreSQL without
 * statistics yet) the database's planner decides.
 */
type SearchPlan = 'rows' | 'lookup' | 'none';

/** PostgreSQL: how long the statistics of `messages.search` are reused before they are read again. */
const SEARCH_STATS_TTL_MS = 60_000;

/**
 * SQLite: the complaint counts (`complaint_counts`) and term counts (`complaint_terms`) that stored
 * complaints add, merged per key: each complaint once under its hour, channel, language and effective
 * category, and each distinct matched term of its classification once under that key and the term. In
 * no particular order (SQLite has one writer); PostgreSQL derives them in its ingest statement, keys in
 * order (ingest-postgres.ts).
 */
function complaintCounts(items: ReadonlyArray<{ readonly row: MessagesTable; readonly classification: Classification }>): { counts: ComplaintCountsTable[]; terms: ComplaintTermsTable[] } {
  const groups = new Map<string, { count: ComplaintCountsTable; terms: Map<string, ComplaintTermsTable> }>();
  const seen: string[] = [];
  for (const { row, classification } of items) {
    const key = complaintCountKey(row);
    if (key === null) continue;
    const { t, channel, lang, category } = key;
    let group = groups.get(key.id);
    if (group === undefined) groups.set(key.id, (group = { count: { t, channel, lang, category, n: 0 }, terms: new Map() }));
    group.count.n += 1;
    for (const term of distinctTerms(classification, seen)) {
      const prev = group.terms.get(term);
      if (prev) prev.n += 1;
      else group.terms.set(term, { t, channel, lang, category, term, n: 1 });
    }
  }
  const counts: ComplaintCountsTable[] = [];
  const terms: ComplaintTermsTable[] = [];
  for (const group of groups.values()) {
    counts.push(group.count);
    for (const term of group.terms.values()) terms.push(term);
  }
  return { counts, terms };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function fromRow(row: Selectable<MessagesTable>): StoredMessage {
  return {
    id: row.id,
    channel: row.channel as Channel,
    source: row.source,
    author: row.author,
    text: row.text,
    lang: row.lang as Lang | null,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    ingestedAt: new Date(Number(row.ingested_at)).toISOString(),
    link: row.link,
    ...(row.meta === null ? {} : { meta: JSON.parse(row.meta) as Record<string, unknown> }),
    classification: JSON.parse(row.classification) as Classification,
    label:
      row.label_complaint === null
        ? null
        : {
            complaint: row.label_complaint === 1,
            category: row.label_category,
            at: new Date(Number(row.labelled_at)).toISOString(),
          },
    ...(row.redacted_at === null || row.redacted_at === undefined ? {} : { redactedAt: new Date(Number(row.redacted_at)).toISOString() }),
  };
}

function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

/** `[createdAt, id]` of the last message of a page, or null when `cursor` is not one `list` gave. */
export function decodeMessageCursor(cursor: string): [number, string] | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string' && value[1] !== '') return [value[0] as number, value[1]];
  } catch {
    /* fall through */
  }
  return null;
}

const ADD_COUNT = 'INSERT INTO complaint_counts (t, channel, lang, category, n) VALUES (?, ?, ?, ?, ?) ON CONFLICT (t, channel, lang, category) DO UPDATE SET n = complaint_counts.n + excluded.n';

const ADD_TERM = 'INSERT INTO complaint_terms (t, channel, lang, category, term, n) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (t, channel, lang, category, term) DO UPDATE SET n = complaint_terms.n + excluded.n';

const COLUMNS = [
  'id', 'channel', 'source', 'author', 'text', 'lang', 'created_at', 'ingested_at', 'link', 'meta',
  'complaint', 'score', 'category', 'classification', 'label_complaint', 'label_category', 'labelled_at', 'model_version',
] as const satisfies ReadonlyArray<keyof MessagesTable>;

/** SQLite: set by a revision: the newest text and what goes with it; `created_at`, labels and counts stay. */
const REVISE_SQLITE = (revised: string) => `UPDATE messages SET text = ?, author = ?, link = ?, meta = ?, classification = ?, score = ?, model_version = ?,
  complaint = CASE WHEN label_complaint IS NULL THEN ? ELSE complaint END,
  category = CASE WHEN label_complaint IS NULL THEN ? ELSE category END
  WHERE id = ? AND redacted_at IS NULL AND (${revised} IS NULL OR ${revised} < ?) RETURNING rowid AS r`;

export interface MessageStoreOptions {
  /**
   * Write the search index and the complaint and term counts with each batch (default). Off only to
   * measure what they cost ingest (`npm run bench -- --only ingest`): the dashboard's search and summary
   * read them, so a store without them is not one the service runs on.
   */
  readonly searchAndCounts?: boolean;
}

export class MessageStore {
  /** SQLite: one prepared statement for the ingest hot path (Kysely would build and prepare a query per batch). */
  private readonly insertOne: BetterSqlite3.Statement | null;
  private readonly indexOne: BetterSqlite3.Statement | null;
  private readonly addCount: BetterSqlite3.Statement | null;
  private readonly addTerm: BetterSqlite3.Statement | null;
  private readonly ftsProbe: BetterSqlite3.Statement | null;
  private readonly lastRowid: BetterSqlite3.Statement | null;
  private readonly reviseOne: BetterSqlite3.Statement | null;
  private readonly unindexOne: BetterSqlite3.Statement | null;
  /** PostgreSQL: the statistics of `messages.search` and when they were read (performance.now()). */
  private searchStats: { readonly stats: SearchStats | null; readonly at: number } | null = null;
  /** See MessageStoreOptions. */
  readonly searchAndCounts: boolean;

  constructor(private readonly db: Kysely<Database>, private readonly kind: DialectKind, sqlite: BetterSqlite3.Database | null = null, options: MessageStoreOptions = {}) {
    this.searchAndCounts = options.searchAndCounts ?? true;
    this.insertOne = sqlite
      ? sqlite.prepare(`INSERT INTO messages (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING RETURNING rowid AS r`)
      : null;
    const derived = sqlite !== null && this.searchAndCounts;
    this.indexOne = derived ? sqlite.prepare('INSERT INTO messages_fts (rowid, body) VALUES (?, ?)') : null;
    this.addCount = derived ? sqlite.prepare(ADD_COUNT) : null;
    this.addTerm = derived ? sqlite.prepare(ADD_TERM) : null;
    this.ftsProbe = sqlite ? sqlite.prepare('SELECT count(*) AS n FROM (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? LIMIT ?)') : null;
    this.lastRowid = sqlite ? sqlite.prepare('SELECT coalesce(max(rowid), 0) AS n FROM messages') : null;
    this.reviseOne = sqlite ? sqlite.prepare(REVISE_SQLITE(`json_extract(meta, '$.revisedAt')`)) : null;
    this.unindexOne = sqlite ? sqlite.prepare('DELETE FROM messages_fts WHERE rowid = ?') : null;
  }

  private reviseParams(item: ClassifiedMessage, revised: string): unknown[] {
    const { message: m, classification: c } = item;
    return [
      m.text, m.author, m.link, m.meta === undefined ? null : JSON.stringify(m.meta), JSON.stringify(c), c.score, c.modelVersion ?? null,
      c.complaint ? 1 : 0, c.complaint ? (c.categories[0]?.name ?? null) : null, m.id, revised,
    ];
  }

  /**
   * Of `items` whose ids were already stored, those carrying a newer revision (`meta.revisedAt`) than
   * the stored one replace its text, meta and classification (an edited store review: same id, newest
   * text). The message is not counted again: its series counts stay those of its first version. Returns
   * the ids revised. Inside the caller's transaction when given one.
   */
  async reviseExisting(items: readonly ClassifiedMessage[], trx: Kysely<Database> = this.db): Promise<Set<string>> {
    if (this.reviseOne) return this.reviseExistingSync(items);
    const revised = new Set<string>();
    for (const item of items) {
      const at = revisionOf(item.message);
      if (at === null) continue;
      const { message: m, classification: c } = item;
      const complaint = c.complaint ? 1 : 0;
      const category = c.complaint ? (c.categories[0]?.name ?? null) : null;
      const stored = sql<string | null>`(meta::jsonb ->> 'revisedAt')`;
      const res = await trx
        .updateTable('messages')
        .set({
          text: m.text,
          author: m.author,
          link: m.link,
          meta: m.meta === undefined ? null : JSON.stringify(m.meta),
          classification: JSON.stringify(c),
          score: c.score,
          model_version: c.modelVersion ?? null,
          complaint: sql<number>`case when label_complaint is null then ${complaint} else complaint end`,
          category: sql<string | null>`case when label_complaint is null then ${category} else category end`,
        })
        .where('id', '=', m.id)
        .where('redacted_at', 'is', null)
        .where((eb) => eb.or([eb(stored, 'is', null), eb(stored, '<', at)]))
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) continue;
      revised.add(item.message.id);
      // The search column holds the newest text's stems (a trigger cleared it when the text changed);
      // a statement of its own, since that trigger would clear it in the same one.
      await sql`update messages set search = ${searchVectorSql(searchVector(m.text))} where id = ${m.id}`.execute(trx);
    }
    return revised;
  }

  /** SQLite only, synchronous (see insertNewSync). */
  reviseExistingSync(items: readonly ClassifiedMessage[]): Set<string> {
    if (!this.reviseOne) throw new Error('reviseExistingSync needs SQLite');
    const revised = new Set<string>();
    for (const item of items) {
      const at = revisionOf(item.message);
      if (at === null) continue;
      const row = this.reviseOne.get(...this.reviseParams(item, at)) as { r: number } | undefined;
      if (row === undefined) continue;
      revised.add(item.message.id);
      // The search index holds the newest text (a trigger took the old one out if the text changed).
      this.unindexOne?.run(row.r);
      if (item.message.text !== '') this.indexOne?.run(row.r, indexedStems(item.message.text));
    }
    return revised;
  }

  /**
   * Inserts classified messages; ids already stored are skipped. Returns the ids that were new, so
   * the caller counts each message exactly once. Runs inside the caller's transaction when given one.
   */
  async insertNew(items: readonly ClassifiedMessage[], now: number, trx: Kysely<Database> = this.db): Promise<Set<string>> {
    if (this.insertOne) return this.insertNewSync(items, now);
    // One statement: the messages, their search vectors and their complaint and term counts (ingest-postgres.ts).
    return (await ingestPostgres(trx, items, now, { searchAndCounts: this.searchAndCounts })).inserted;
  }

  /**
   * SQLite only, synchronous: the hot path's prepared statement. SQLite has one connection, so inside
   * the caller's transaction these rows are part of it.
   */
  insertNewSync(items: readonly ClassifiedMessage[], now: number): Set<string> {
    if (!this.insertOne) throw new Error('insertNewSync needs SQLite');
    const inserted = new Set<string>();
    const stored: Array<{ row: MessagesTable; classification: Classification }> = [];
    /** rowid, stems, rowid, stems, … of the new messages with a text. */
    const index: Array<number | string> = [];
    // One parameter array for every row (better-sqlite3 binds an array's items in order).
    const params: unknown[] = new Array(COLUMNS.length);
    for (const item of items) {
      const row = toRow(item, now);
      for (let c = 0; c < COLUMNS.length; c++) params[c] = row[COLUMNS[c] as keyof MessagesTable];
      const result = this.insertOne.get(params) as { r: number } | undefined;
      if (result === undefined) continue;
      inserted.add(row.id);
      stored.push({ row, classification: item.classification });
      if (row.text !== '' && this.indexOne) index.push(result.r, indexedStems(row.text));
    }
    // The search index after every message, never between two: each insert into `messages` opens a
    // statement savepoint, and FTS5 writes its pending terms to disk at every savepoint — interleaved,
    // each message became a segment of its own (and merging those cost ingest half its CPU).
    for (let i = 0; i < index.length; i += 2) this.indexOne?.run(index[i], index[i + 1]);
    if (!this.searchAndCounts) return inserted;
    const { counts, terms } = complaintCounts(stored);
    for (const c of counts) this.addCount?.run(c.t, c.channel, c.lang, c.category, c.n);
    for (const c of terms) this.addTerm?.run(c.t, c.channel, c.lang, c.category, c.term, c.n);
    return inserted;
  }

  async get(id: string): Promise<StoredMessage | null> {
    const row = await this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async count(filter: MessageFilter = {}): Promise<number> {
    const row = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) => this.where(eb, filter))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Newest first, keyset-paginated. */
  async list(filter: MessageFilter, limit: number, cursor?: string | null): Promise<Page<StoredMessage>> {
    const after = cursor ? decodeMessageCursor(cursor) : null;
    // Never "page 1" for a cursor that is not one: a client paging loop would never end.
    if (cursor && after === null) throw new RadarError('ERR_BAD_CURSOR', 'not a message cursor', { context: { cursor: cursor.slice(0, 100) } });
    // A frequent search is checked per message while walking newest first; a rare one is looked up in
    // the index first. SQLite cannot estimate which it is: the store counts (isFrequent); PostgreSQL's
    // estimate is too rough for rare words: the store reads its statistics (searchPostgres).
    const searching = filter.q !== undefined && filter.q !== '';
    let rows: Selectable<MessagesTable>[];
    if (this.kind === 'postgres' && searching) rows = await this.searchPostgres(filter, limit, after);
    else {
      const plan: SearchPlan = this.ftsProbe === null || !searching ? 'none' : this.isFrequent(filter.q as string, limit) ? 'rows' : 'lookup';
      rows = await this.page(filter, plan, limit, after).execute();
    }
    const items = rows.slice(0, limit).map(fromRow);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, nextCursor: last ? encodeCursor(Number(last.created_at), last.id) : null };
  }

  /** The newest `limit + 1` messages matching `filter` after the keyset `after`, with the search planned as `plan`. */
  private page(filter: MessageFilter, plan: SearchPlan, limit: number, after: readonly [number, string] | null) {
    // PostgreSQL, a rare search: ordered by an expression no index gives, so the GIN index finds the
    // matches and they are sorted, never a walk of created_at checking every message.
    const created = this.kind === 'postgres' && plan === 'lookup' ? sql<number>`created_at + 0` : sql<number>`created_at`;
    let query = this.db
      .selectFrom('messages')
      .selectAll()
      .where((eb) => this.where(eb, filter, plan))
      .orderBy(created, 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (after) {
      const [t, id] = after;
      query = query.where((eb) => eb.or([eb('created_at', '<', t), eb.and([eb('created_at', '=', t), eb('id', '<', id)])]));
    }
    return query;
  }

  /**
   * PostgreSQL: a search planned from the statistics of `messages.search` (its planner guesses at most
   * 0.5% of the rows for any stem outside the most common ones, so it walked created_at for a word
   * found nowhere: 2.3 s over 1,000,000 messages). A search expected to be rare is looked up in the
   * GIN index; one expected to be frequent is walked newest first over a bounded number of messages
   * (4 × the expected checks). When that walk does not fill the page (the words are rarer recently, or
   * rarer together than apart), what it found decides: none or few → look up; else walk on.
   * Without statistics yet (a new table), PostgreSQL's planner decides.
   */
  private async searchPostgres(filter: MessageFilter, limit: number, after: readonly [number, string] | null): Promise<Selectable<MessagesTable>[]> {
    const q = filter.q as string;
    const stats = await this.readSearchStats();
    const expected = stats === null ? null : expectedMatches(stats, q);
    if (stats === null || expected === null) return this.page(filter, 'none', limit, after).execute();
    if (!isFrequentSearch(expected, stats.rows, limit)) return this.page(filter, 'lookup', limit, after).execute();
    const window = Math.max(limit + 1, Math.ceil((4 * (limit + 1) * stats.rows) / Math.max(1, expected)));
    const { q: _q, ...rest } = filter;
    const newest = this.page(rest, 'none', window - 1, after).as('w');
    const walked = await this.db
      .selectFrom(newest)
      .selectAll()
      .where(sql<SqlBool>`ts_match_vq(search, ${tsQuery(q)}::tsquery)`)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    if (walked.length > limit) return walked;
    const seen = (walked.length * stats.rows) / window;
    return this.page(filter, walked.length > 0 && isFrequentSearch(seen, stats.rows, limit) ? 'rows' : 'lookup', limit, after).execute();
  }

  /** PostgreSQL: rows and most common stems of `messages.search` from pg_stats (null before the first ANALYZE), re-read at most once a minute. */
  private async readSearchStats(): Promise<SearchStats | null> {
    const now = performance.now();
    if (this.searchStats !== null && now - this.searchStats.at < SEARCH_STATS_TTL_MS) return this.searchStats.stats;
    const found = await sql<{ rows: number; elems: string[] | null; freqs: number[] | null; analysed: boolean }>`
      select c.reltuples::float8 as rows, s.most_common_elems::text::text[] as elems, s.most_common_elem_freqs::float8[] as freqs, s.attname is not null as analysed
      from pg_class c left join pg_stats s on s.schemaname = current_schema() and s.tablename = 'messages' and s.attname = 'search'
      where c.oid = 'messages'::regclass`.execute(this.db);
    const row = found.rows[0];
    let stats: SearchStats | null = null;
    if (row !== undefined && row.analysed && Number(row.rows) > 0) {
      const elems = row.elems ?? [];
      const freqs = row.freqs ?? [];
      stats = { rows: Number(row.rows), frequencies: new Map(elems.map((e, i) => [e, Number(freqs[i] ?? 0)])) };
    }
    this.searchStats = { stats, at: now };
    return stats;
  }

  /**
   * The review queue's pool: unlabelled messages created at or after `from` whose text is still kept,
   * newest first, at most `limit`.
   */
  async unlabelledSince(from: number, limit: number): Promise<StoredMessage[]> {
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('label_complaint', 'is', null)
      .where('redacted_at', 'is', null)
      .where('created_at', '>=', from)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  /**
   * One batch of messages created in [from, to), oldest first, after the keyset `after` ([createdAt, id]).
   * For re-classifying the recent window when the model version changes.
   */
  async batchInWindow(from: number, to: number, after: readonly [number, string] | null, limit: number): Promise<StoredMessage[]> {
    let query = this.db
      .selectFrom('messages')
      .selectAll()
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .limit(limit);
    if (after) {
      const [t, id] = after;
      query = query.where((eb) => eb.or([eb('created_at', '>', t), eb.and([eb('created_at', '=', t), eb('id', '>', id)])]));
    }
    return (await query.execute()).map(fromRow);
  }

  /**
   * Stores a new model's classification of messages (inside the caller's transaction): the JSON, the
   * version and the score; the effective complaint and category too, unless support relabelled the message.
   */
  async reclassify(updates: ReadonlyArray<{ readonly id: string; readonly classification: Classification }>, trx: Kysely<Database> = this.db): Promise<void> {
    for (const { id, classification: c } of updates) {
      const complaint = c.complaint ? 1 : 0;
      const category = c.complaint ? (c.categories[0]?.name ?? null) : null;
      await trx
        .updateTable('messages')
        .set({
          classification: JSON.stringify(c),
          model_version: c.modelVersion ?? null,
          score: c.score,
          complaint: sql<number>`case when label_complaint is null then ${complaint} else complaint end`,
          category: sql<string | null>`case when label_complaint is null then ${category} else category end`,
        })
        .where('id', '=', id)
        .execute();
    }
  }

  /** Streams rows in created order (for replay, export, training). */
  async *iterate(filter: MessageFilter = {}, batch = 1000): AsyncGenerator<StoredMessage> {
    let after: [number, string] | null = null;
    for (;;) {
      let query = this.db
        .selectFrom('messages')
        .selectAll()
        .where((eb) => this.where(eb, filter))
        .orderBy('created_at', 'asc')
        .orderBy('id', 'asc')
        .limit(batch);
      if (after) {
        const [t, id] = after;
        query = query.where((eb) => eb.or([eb('created_at', '>', t), eb.and([eb('created_at', '=', t), eb('id', '>', id)])]));
      }
      const rows = await query.execute();
      for (const row of rows) yield fromRow(row);
      const last = rows.at(-1);
      if (!last || rows.length < batch) return;
      after = [Number(last.created_at), last.id];
    }
  }

  /**
   * Records support's correction: the effective complaint/category change, history kept in `labels`
   * with who made it (`by`) and how (`via`: dashboard | api).
   */
  async label(id: string, complaint: boolean, category: string | null, by: string | null, now: number, via: string | null = null): Promise<StoredMessage | null> {
    return (await this.labelMany([id], complaint, category, by, now, via))?.after[0] ?? null;
  }

  /**
   * The same correction for many messages at once (a cluster of near-duplicates), in one transaction:
   * every message gets the label and its own history row, as `label` does one by one. Returns each
   * message as it was before (for the alert history's from → to) and after, in the order of `ids`;
   * nothing changes and null is returned when one of the ids is not stored.
   */
  async labelMany(
    ids: readonly string[],
    complaint: boolean,
    category: string | null,
    by: string | null,
    now: number,
    via: string | null = null,
  ): Promise<{ before: StoredMessage[]; after: StoredMessage[] } | null> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return { before: [], after: [] };
    return this.db.transaction().execute(async (trx) => {
      const read = async () => {
        const rows = [];
        for (let i = 0; i < unique.length; i += INSERT_CHUNK) rows.push(...(await trx.selectFrom('messages').selectAll().where('id', 'in', unique.slice(i, i + INSERT_CHUNK)).execute()));
        const byId = new Map(rows.map((r) => [r.id, fromRow(r)]));
        return unique.map((id) => byId.get(id)).filter((m): m is StoredMessage => m !== undefined);
      };
      const before = await read();
      if (before.length !== unique.length) return null;
      for (let i = 0; i < unique.length; i += INSERT_CHUNK) {
        const chunk = unique.slice(i, i + INSERT_CHUNK);
        await trx
          .updateTable('messages')
          .set({ label_complaint: complaint ? 1 : 0, label_category: complaint ? category : null, labelled_at: now, complaint: complaint ? 1 : 0, category: complaint ? category : null })
          .where('id', 'in', chunk)
          .execute();
        await trx
          .insertInto('labels')
          .values(chunk.map((id) => ({ message_id: id, complaint: complaint ? 1 : 0, category: complaint ? category : null, labelled_by: by, labelled_at: now, labelled_via: via })))
          .execute();
      }
      return { before, after: await read() };
    });
  }

  /** A message's relabel history, oldest first: what it was set to, by whom, how and when. */
  async labelHistory(id: string): Promise<Array<{ complaint: boolean; category: string | null; by: string | null; via: string | null; at: number }>> {
    const rows = await this.db.selectFrom('labels').selectAll().where('message_id', '=', id).orderBy('labelled_at').orderBy('id').execute();
    return rows.map((r) => ({ complaint: r.complaint === 1, category: r.category, by: r.labelled_by, via: r.labelled_via, at: Number(r.labelled_at) }));
  }

  /** Every relabelled message (for training the learned layer and for export). */
  async *labelled(): AsyncGenerator<StoredMessage> {
    // A relabel whose text retention has blanked is neither training data nor exported.
    const rows = await this.db.selectFrom('messages').selectAll().where('label_complaint', 'is not', null).where('redacted_at', 'is', null).orderBy('labelled_at').execute();
    for (const row of rows) yield fromRow(row);
  }

  /** Term counts from the matched terms of complaints in a window (newest `limit` messages). */
  async termCounts(filter: MessageFilter, limit = 5000): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('messages')
      .select(['classification'])
      .where((eb) => this.where(eb, filter))
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    const counts = new Map<string, number>();
    const terms: string[] = [];
    for (const row of rows) {
      for (const term of distinctTerms(JSON.parse(row.classification) as Classification, terms)) counts.set(term, (counts.get(term) ?? 0) + 1);
    }
    return counts;
  }

  /** Counts grouped by one column in a window. */
  async countBy(column: 'category' | 'channel' | 'lang', filter: MessageFilter): Promise<Map<string | null, number>> {
    const rows = await this.db
      .selectFrom('messages')
      .select([column, (eb) => eb.fn.countAll<number>().as('n')])
      .where((eb) => this.where(eb, filter))
      .groupBy(column)
      .execute();
    return new Map(rows.map((r) => [r[column] as string | null, Number(r.n)]));
  }

  /**
   * SQLite: is the search `q` frequent enough that checking message by message, newest first, fills a
   * page of `limit` sooner than looking every match up (`isFrequentSearch`)? The matches are counted only
   * up to the count that decides it (`frequentAt`: 12,370 at 1,000,000 messages and a page of 50, where
   * counting up to 50,000 spent 6.5 ms on a frequent pair of words).
   */
  private isFrequent(q: string, limit: number): boolean {
    const match = ftsMatch(q);
    if (match === null || this.ftsProbe === null || this.lastRowid === null) return false;
    const messages = (this.lastRowid.get() as { n: number }).n;
    const matches = (this.ftsProbe.get(match, frequentAt(messages, limit)) as { n: number }).n;
    return isFrequentSearch(matches, messages, limit);
  }

  /**
   * Complaints per effective category (null: none) created in [from, to), optionally of one channel and
   * language: the same answer as `countBy('category', {complaint: true, …})`, read from the hourly
   * `complaint_counts` for the whole hours and from messages only for the partial hours at both ends.
   */
  async complaintsByCategory(filter: { readonly from: number; readonly to: number; readonly channel?: Channel; readonly lang?: Lang }): Promise<Map<string | null, number>> {
    const { from, to } = filter;
    const rest = { complaint: true, ...(filter.channel !== undefined ? { channel: filter.channel } : {}), ...(filter.lang !== undefined ? { lang: filter.lang } : {}) };
    const H = COUNT_BUCKET_MS;
    const first = Math.ceil(from / H) * H;
    const last = Math.floor(to / H) * H;
    if (from < 0 || first >= last) return this.countBy('category', { ...rest, from, to });
    let query = this.db
      .selectFrom('complaint_counts')
      .select(['category', sql<number>`sum(n)`.as('n')])
      .where('t', '>=', first)
      .where('t', '<', last);
    if (filter.channel !== undefined) query = query.where('channel', '=', filter.channel);
    if (filter.lang !== undefined) query = query.where('lang', '=', filter.lang);
    // The whole hours and the partial hours at both ends at once (PostgreSQL: three connections).
    const [rows, head, tail] = await Promise.all([
      query.groupBy('category').execute(),
      from < first ? this.countBy('category', { ...rest, from, to: first }) : new Map<string | null, number>(),
      last < to ? this.countBy('category', { ...rest, from: last, to }) : new Map<string | null, number>(),
    ]);
    const out = new Map<string | null, number>();
    const add = (category: string | null, n: number) => out.set(category, (out.get(category) ?? 0) + n);
    for (const r of rows) add(r.category === '' ? null : r.category, Number(r.n));
    for (const [category, n] of head) add(category, n);
    for (const [category, n] of tail) add(category, n);
    for (const [category, n] of out) if (n === 0) out.delete(category);
    return out;
  }

  /**
   * The most matched terms of complaints per effective category (null: none), at most `limit` each,
   * most first (then by term), optionally of one channel and language: from the hourly `complaint_terms`
   * of every hour the window [from, to) touches (so up to an hour more at either end), never from messages.
   */
  async topTerms(
    filter: { readonly from: number; readonly to: number; readonly channel?: Channel; readonly lang?: Lang },
    limit: number,
  ): Promise<Map<string | null, Array<{ term: string; count: number }>>> {
    const H = COUNT_BUCKET_MS;
    let query = this.db
      .selectFrom('complaint_terms')
      .select(['category', 'term', sql<number>`sum(n)`.as('n')])
      .where('t', '>=', Math.floor(filter.from / H) * H)
      .where('t', '<', Math.ceil(filter.to / H) * H);
    if (filter.channel !== undefined) query = query.where('channel', '=', filter.channel);
    if (filter.lang !== undefined) query = query.where('lang', '=', filter.lang);
    const rows = await query.groupBy(['category', 'term']).execute();
    const out = new Map<string | null, Array<{ term: string; count: number }>>();
    for (const r of rows) {
      const n = Number(r.n);
      if (n <= 0) continue;
      const category = r.category === '' ? null : r.category;
      const list = out.get(category);
      if (list) list.push({ term: r.term, count: n });
      else out.set(category, [{ term: r.term, count: n }]);
    }
    for (const [category, list] of out) out.set(category, list.sort((a, b) => b.count - a.count || cmp(a.term, b.term)).slice(0, limit));
    return out;
  }

  /** A top-level field of `meta` as text (numbers too), in either database. `field` is a constant of ours. */
  private metaField(field: 'appVersion' | 'country' | 'rating'): ReturnType<typeof sql<string | null>> {
    // A literal, not a parameter: PostgreSQL must see the select and the group by as one expression.
    return this.kind === 'sqlite' ? sql<string | null>`cast(json_extract(meta, ${sql.lit(`$.${field}`)}) as text)` : sql<string | null>`(meta::jsonb ->> ${sql.lit(field)})`;
  }

  /**
   * Store reviews per app version in [from, to): how many, how many with 1–2 stars, the mean rating.
   * Most reviewed first (then by version, no version last), at most `limit` versions; reviews without a
   * version (the App Store's) under null.
   */
  async reviewsByVersion(filter: { readonly from: number; readonly to: number; readonly source?: string }, limit = 30): Promise<Array<{ appVersion: string | null; reviews: number; lowRating: number; meanRating: number | null }>> {
    const version = this.metaField('appVersion');
    const rating = this.kind === 'sqlite' ? sql<number | null>`json_extract(meta, '$.rating')` : sql<number | null>`(meta::jsonb ->> 'rating')::numeric`;
    let query = this.db
      .selectFrom('messages')
      .select([
        version.as('version'),
        sql<number>`count(*)`.as('reviews'),
        sql<number>`sum(case when ${rating} <= 2 then 1 else 0 end)`.as('low'),
        sql<number | null>`avg(${rating})`.as('mean'),
      ])
      .where('channel', '=', 'appstore')
      .where('created_at', '>=', filter.from)
      .where('created_at', '<', filter.to)
      .where('redacted_at', 'is', null);
    if (filter.source !== undefined) query = query.where('source', '=', filter.source);
    const rows = await query.groupBy(version).orderBy(sql`count(*)`, 'desc').orderBy(sql`case when ${version} is null then 1 else 0 end`).orderBy(version).limit(limit).execute();
    return rows.map((r) => ({
      appVersion: r.version,
      reviews: Number(r.reviews),
      lowRating: Number(r.low ?? 0),
      meanRating: r.mean === null ? null : Math.round(Number(r.mean) * 100) / 100,
    }));
  }

  private where(eb: ExpressionBuilder<Database, 'messages'>, f: MessageFilter, search: SearchPlan = 'none') {
    const conds = [];
    // SQLite: with a category, `+column` keeps the planner on (category, created_at), which finds a
    // category's newest messages directly, instead of walking every complaint, or every message of a
    // channel, of the window (the summary's top terms: 0.1-0.4 s at 1,000,000 messages). A rare search
    // (`lookup`) keeps it off every index but created_at: the search's matches are fetched by rowid and
    // only checked against the filters (a rare word + channel=email walked 85,000 e-mails newest first
    // for 5 ms where its 600 matches take 0.6 ms).
    // PostgreSQL does the same with `column || ''` and `column + 0`.
    const lookup = search === 'lookup';
    const byCategory = this.kind === 'sqlite' && f.category !== undefined;
    const eq = (column: 'complaint' | 'channel' | 'lang' | 'category' | 'source', value: string | number) => {
      if (this.kind === 'sqlite' && (lookup || (byCategory && column !== 'category'))) return sql<SqlBool>`+${sql.ref(column)} = ${value}`;
      if (this.kind === 'postgres' && lookup) return column === 'complaint' ? sql<SqlBool>`complaint + 0 = ${value}` : sql<SqlBool>`${sql.ref(column)} || '' = ${value}`;
      return eb(column, '=', value);
    };
    if (f.complaint !== undefined) conds.push(eq('complaint', f.complaint ? 1 : 0));
    if (f.category !== undefined) conds.push(eq('category', f.category));
    if (f.channel !== undefined) conds.push(eq('channel', f.channel));
    if (f.lang !== undefined) conds.push(eq('lang', f.lang));
    if (f.source !== undefined) conds.push(eq('source', f.source));
    if (f.from !== undefined) conds.push(eb('created_at', '>=', f.from));
    if (f.to !== undefined) conds.push(eb('created_at', '<', f.to));
    if (f.appVersion !== undefined || f.rating !== undefined || f.country !== undefined) {
      // Review filters read meta (JSON text in both databases) and apply to store reviews only.
      conds.push(eb('channel', '=', 'appstore'));
      if (f.appVersion !== undefined) conds.push(sql<SqlBool>`${this.metaField('appVersion')} = ${f.appVersion}`);
      if (f.country !== undefined) conds.push(sql<SqlBool>`${this.metaField('country')} = ${f.country}`);
      if (f.rating !== undefined && f.rating.length > 0) {
        const ratings = f.rating.map((r) => String(r));
        conds.push(sql<SqlBool>`${this.metaField('rating')} in (${sql.join(ratings)})`);
      }
    }
    if (f.q !== undefined && f.q !== '') {
      if (this.kind === 'sqlite') {
        const match = ftsMatch(f.q);
        if (match === null) conds.push(sql<SqlBool>`1 = 0`);
        else if (search === 'rows') conds.push(sql<SqlBool>`exists (select 1 from messages_fts where messages_fts match ${match} and messages_fts.rowid = messages.rowid)`);
        else conds.push(sql<SqlBool>`messages.rowid in (select rowid from messages_fts where messages_fts match ${match})`);
      } else {
        const query = tsQuery(f.q);
        // A frequent search is checked row by row (the function form: no index), a rare one through the GIN index.
        if (query === null) conds.push(sql<SqlBool>`1 = 0`);
        else if (search === 'rows') conds.push(sql<SqlBool>`ts_match_vq(search, ${query}::tsquery)`);
        else conds.push(sql<SqlBool>`search @@ ${query}::tsquery`);
      }
    }
    return eb.and(conds);
  }
}
