import { sql, type Kysely, type Selectable, type SqlBool, type ExpressionBuilder } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type { Classification } from '../domain/classification.js';
import type { Channel, Lang, Message } from '../domain/message.js';
import { RadarError } from '../platform/errors.js';
import type { DialectKind } from './migrations.js';
import type { Database, MessagesTable } from './schema.js';

export interface ClassifiedMessage {
  readonly message: Message;
  readonly classification: Classification;
}

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
  /** Case-insensitive substring of the text. */
  readonly q?: string;
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

function toRow(item: ClassifiedMessage, now: number): MessagesTable {
  const { message: m, classification: c } = item;
  return {
    id: m.id,
    channel: m.channel,
    source: m.source,
    author: m.author,
    text: m.text,
    lang: m.lang ?? c.lang,
    created_at: Date.parse(m.createdAt),
    ingested_at: now,
    link: m.link,
    meta: m.meta === undefined ? null : JSON.stringify(m.meta),
    complaint: c.complaint ? 1 : 0,
    score: c.score,
    category: c.complaint ? (c.categories[0]?.name ?? null) : null,
    classification: JSON.stringify(c),
    label_complaint: null,
    label_category: null,
    labelled_at: null,
    model_version: c.modelVersion ?? null,
  };
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

const COLUMNS = [
  'id', 'channel', 'source', 'author', 'text', 'lang', 'created_at', 'ingested_at', 'link', 'meta',
  'complaint', 'score', 'category', 'classification', 'label_complaint', 'label_category', 'labelled_at', 'model_version',
] as const satisfies ReadonlyArray<keyof MessagesTable>;

export class MessageStore {
  /** SQLite: one prepared statement for the ingest hot path (Kysely would build and prepare a query per batch). */
  private readonly insertOne: BetterSqlite3.Statement | null;

  constructor(private readonly db: Kysely<Database>, private readonly kind: DialectKind, sqlite: BetterSqlite3.Database | null = null) {
    this.insertOne = sqlite
      ? sqlite.prepare(`INSERT INTO messages (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING RETURNING id`)
      : null;
  }

  /**
   * Inserts classified messages; ids already stored are skipped. Returns the ids that were new, so
   * the caller counts each message exactly once. Runs inside the caller's transaction when given one.
   */
  async insertNew(items: readonly ClassifiedMessage[], now: number, trx: Kysely<Database> = this.db): Promise<Set<string>> {
    const inserted = new Set<string>();
    if (this.insertOne) return this.insertNewSync(items, now);
    for (let i = 0; i < items.length; i += INSERT_CHUNK) {
      const rows = items.slice(i, i + INSERT_CHUNK).map((item) => toRow(item, now));
      const result = await trx
        .insertInto('messages')
        .values(rows)
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .execute();
      for (const r of result) inserted.add(r.id);
    }
    return inserted;
  }

  /**
   * SQLite only, synchronous: the hot path's prepared statement. SQLite has one connection, so inside
   * the caller's transaction these rows are part of it.
   */
  insertNewSync(items: readonly ClassifiedMessage[], now: number): Set<string> {
    if (!this.insertOne) throw new Error('insertNewSync needs SQLite');
    const inserted = new Set<string>();
    for (const item of items) {
      const row = toRow(item, now);
      if (this.insertOne.get(...COLUMNS.map((c) => row[c])) !== undefined) inserted.add(row.id);
    }
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
    let query = this.db
      .selectFrom('messages')
      .selectAll()
      .where((eb) => this.where(eb, filter))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (after) {
      const [t, id] = after;
      query = query.where((eb) => eb.or([eb('created_at', '<', t), eb.and([eb('created_at', '=', t), eb('id', '<', id)])]));
    }
    const rows = await query.execute();
    const items = rows.slice(0, limit).map(fromRow);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, nextCursor: last ? encodeCursor(Number(last.created_at), last.id) : null };
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
    for (const row of rows) {
      const c = JSON.parse(row.classification) as Classification;
      const seen = new Set<string>();
      for (const cat of c.categories) for (const term of cat.terms) seen.add(term);
      for (const term of seen) counts.set(term, (counts.get(term) ?? 0) + 1);
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

  private where(eb: ExpressionBuilder<Database, 'messages'>, f: MessageFilter) {
    const conds = [];
    if (f.complaint !== undefined) conds.push(eb('complaint', '=', f.complaint ? 1 : 0));
    if (f.category !== undefined) conds.push(eb('category', '=', f.category));
    if (f.channel !== undefined) conds.push(eb('channel', '=', f.channel));
    if (f.lang !== undefined) conds.push(eb('lang', '=', f.lang));
    if (f.source !== undefined) conds.push(eb('source', '=', f.source));
    if (f.from !== undefined) conds.push(eb('created_at', '>=', f.from));
    if (f.to !== undefined) conds.push(eb('created_at', '<', f.to));
    if (f.q !== undefined && f.q !== '') {
      const pattern = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const lower = this.kind === 'sqlite' ? sql<string>`radar_lower(text)` : sql<string>`lower(text)`;
      conds.push(sql<SqlBool>`${lower} like ${pattern} escape '\\'`);
    }
    return eb.and(conds);
  }
}
