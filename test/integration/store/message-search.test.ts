/**
 * Full-text search and the hourly complaint counts, on a real SQLite file and a real PostgreSQL schema:
 * stemmed search (Russian and English) with hostile query text, search results checked against a
 * plain scan of the same data (both SQLite plans: a rare and a frequent word), pages with a cursor,
 * blanked and deleted messages leaving the index, the migrations back-filling messages stored before
 * them, and the filtered summary's new path (hourly counts) equal to the old one (a count over messages)
 * on a generated data set with relabels, re-classification, late messages and retention.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { searchTerms } from '../../../src/classify/search-terms.js';
import type { Classification } from '../../../src/domain/classification.js';
import type { Channel, Lang, Message } from '../../../src/domain/message.js';
import { serviceConfigSchema } from '../../../src/config/service.js';
import { mulberry32 } from '../../../src/sources/demo/prng.js';
import { dropSchema, openDatabase } from '../../../src/store/database.js';
import { MessageStore, type ClassifiedMessage, type MessageFilter, type StoredMessage } from '../../../src/store/message-store.js';
import { migrationProvider } from '../../../src/store/migrations.js';
import { pruneExpired } from '../../../src/store/retention.js';
import { Store } from '../../../src/store/store.js';
import { POSTGRES_URL, postgresAvailable, uniqueName, type DbKind } from '../../helpers/services.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-06-01T12:34:56.789Z');
const CATEGORIES = ['login', 'payment', 'crash'] as const;
const CHANNELS: readonly Channel[] = ['twitter', 'email', 'api'];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A store on a fresh database; `upTo`: apply migrations only up to that one. */
async function openStore(kind: DbKind, upTo?: string): Promise<{ db: Store['db']; store: Store; migrateRest: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'radar-search-'));
  const schema = uniqueName('search').toLowerCase();
  const url = kind === 'postgres' ? POSTGRES_URL : `sqlite:${join(dir, 'radar.db')}`;
  const handle = await openDatabase({ url, ...(kind === 'postgres' ? { schema } : {}), migrations: upTo === undefined ? 'apply' : 'none' });
  const migrator = () =>
    new Migrator({ db: handle.db, provider: migrationProvider(kind), allowUnorderedMigrations: true, ...(kind === 'postgres' ? { migrationTableSchema: schema } : {}) });
  if (upTo !== undefined) {
    if (kind === 'postgres') await sql`create schema if not exists ${sql.id(schema)}`.execute(handle.db);
    const { error } = await migrator().migrateTo(upTo);
    if (error) throw error;
  }
  // The prepared statements of a SQLite store name the new tables: before the rest of the migrations, none.
  let store: Store | null = upTo === undefined ? new Store(handle) : null;
  cleanups.push(async () => {
    await handle.close();
    if (kind === 'postgres') await dropSchema(POSTGRES_URL, schema);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    db: handle.db,
    get store() {
      if (store === null) throw new Error('migrations not applied yet');
      return store;
    },
    migrateRest: async () => {
      const { error } = await migrator().migrateToLatest();
      if (error) throw error;
      store = new Store(handle);
    },
  };
}

function item(id: string, text: string, createdAt: number, options: { complaint?: boolean; category?: string; channel?: Channel; lang?: Lang | null; terms?: readonly string[][] } = {}): ClassifiedMessage {
  const complaint = options.complaint ?? true;
  const lang = options.lang === undefined ? 'en' : options.lang;
  const message: Message = { id, channel: options.channel ?? 'email', source: 'support', author: null, text, lang, createdAt: new Date(createdAt).toISOString(), link: null };
  const [first = ['term'], ...more] = options.terms ?? [];
  const classification: Classification = complaint
    ? { complaint, score: 0.9, categories: [{ name: options.category ?? 'login', score: 0.9, terms: [...first] }, ...more.map((terms, i) => ({ name: `other${i}`, score: 0.5, terms: [...terms] }))], lang }
    : { complaint, score: 0.1, categories: [], lang };
  return { message, classification };
}

async function searchIds(store: Store, q: string, filter: MessageFilter = {}, limit = 1000): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: readonly StoredMessage[]; nextCursor: string | null } = await store.messages.list({ ...filter, q }, limit, cursor);
    ids.push(...page.items.map((m) => m.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}

/** The oracle: every stemmed word of `q` is a stemmed word of the text; newest first. */
function expected(messages: readonly ClassifiedMessage[], q: string): string[] {
  const terms = searchTerms(q);
  if (terms.length === 0) return [];
  return messages
    .filter((m) => {
      const stems = searchTerms(m.message.text);
      return terms.every((t) => stems.includes(t));
    })
    .sort((a, b) => Date.parse(b.message.createdAt) - Date.parse(a.message.createdAt) || (a.message.id < b.message.id ? 1 : -1))
    .map((m) => m.message.id);
}

const HOSTILE = [
  '"', '""', "'", "''", '"пароль', 'пароль"', 'NEAR(пароль войти)', 'пароль NEAR войти', 'NEAR', '*', 'пар*', '^пароль', '^',
  '(', ')', '(пароль', 'пароль OR войти', 'пароль AND', 'NOT пароль', '-пароль', 'body:пароль', '{body}: пароль', "'; drop table messages; --",
  '%', '_', '\\', '%пароль%', 'пароль & войти', 'пароль | crash', '!пароль', 'пароль:*', "пароль' | 'crash", '<->', ':', '\u0000', '🙂',
];

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`message search and complaint counts (${kind})`, () => {
    it('a store told to leave out the search index and counts (the ingest bench\'s baseline) stores the messages and nothing derived', async () => {
      if (kind === 'postgres' && !(await postgresAvailable())) return;
      const { store } = await openStore(kind);
      const { handle } = store;
      const bare = new MessageStore(handle.db, handle.kind, handle.sqlite, { searchAndCounts: false });
      const inserted = await bare.insertNew([item('bare-1', 'Не могу войти, пароль не подходит', NOW - 5000, { lang: 'ru' })], NOW);
      expect([...inserted]).toEqual(['bare-1']);
      expect(await store.messages.count()).toBe(1);
      expect(await searchIds(store, 'пароль')).toEqual([]);
      expect(await store.db.selectFrom('complaint_counts').selectAll().execute()).toEqual([]);
      expect(await store.db.selectFrom('complaint_terms').selectAll().execute()).toEqual([]);
      // The default store writes all three for the same kind of message.
      await store.messages.insertNew([item('full-1', 'Сбросил пароль два раза', NOW - 4000, { lang: 'ru' })], NOW);
      expect(await searchIds(store, 'пароль')).toEqual(['full-1']);
      expect((await store.db.selectFrom('complaint_counts').selectAll().execute()).length).toBeGreaterThan(0);
    });

    it('finds stemmed words in Russian and English, newest first, and never passes query syntax through', async () => {
      if (kind === 'postgres' && !(await postgresAvailable())) return;
      const { store } = await openStore(kind);
      const messages = [
        item('ru-1', 'Не могу войти, пароль не подходит', NOW - 5000, { lang: 'ru' }),
        item('ru-2', 'Сбросил пароля два раза — без толку', NOW - 4000, { lang: 'ru' }),
        item('ru-3', 'Ёлки, оплата картой не проходит', NOW - 3000, { lang: 'ru', category: 'payment' }),
        item('en-1', 'The app keeps crashing on start', NOW - 2000, { category: 'crash' }),
        item('en-2', 'crash after update; "NEAR" (x*) ^y', NOW - 1000, { category: 'crash' }),
        item('en-3', "Payment failed: card declined'; drop table messages; --", NOW - 500, { category: 'payment', channel: 'twitter' }),
        item('mixed', 'login не работает, password reset broken', NOW - 100, { lang: null }),
      ];
      await store.ingest(messages, NOW, 60_000);
      expect(await searchIds(store, 'пароля')).toEqual(['ru-2', 'ru-1']);
      expect(await searchIds(store, 'ПАРОЛЬ')).toEqual(['ru-2', 'ru-1']);
      expect(await searchIds(store, 'crashing')).toEqual(['en-2', 'en-1']);
      expect(await searchIds(store, 'crash')).toEqual(['en-2', 'en-1']);
      expect(await searchIds(store, 'елки оплата')).toEqual(['ru-3']);
      expect(await searchIds(store, 'не войти')).toEqual(['ru-1']);
      expect(await searchIds(store, 'password')).toEqual(['mixed']);
      expect(await searchIds(store, 'работает')).toEqual(['mixed']);
      expect(await searchIds(store, 'crash', { channel: 'twitter' })).toEqual([]);
      expect(await searchIds(store, 'card', { channel: 'twitter' })).toEqual(['en-3']);
      expect(await searchIds(store, 'zzzz')).toEqual([]);
      expect(await store.messages.count({ q: 'пароль' })).toBe(2);
      for (const q of HOSTILE) expect(await searchIds(store, q), q).toEqual(expected(messages, q));
      // The quoted words of the hostile text are words like any other.
      expect(await searchIds(store, '"NEAR" (x*) ^y')).toEqual(['en-2']);
      expect(await searchIds(store, "'; drop table messages; --")).toEqual(['en-3']);
      expect(await store.messages.count()).toBe(messages.length);
    });

    it('returns what a plain scan returns, for rare and frequent words, page by page, and forgets blanked and deleted text', async () => {
      if (kind === 'postgres' && !(await postgresAvailable())) return;
      const { store } = await openStore(kind);
      const random = mulberry32(11);
      const words = ['login', 'logging', 'password', 'пароль', 'пароля', 'оплата', 'crash', 'crashed', 'slow', 'медленно', 'card', 'карта'];
      const messages: ClassifiedMessage[] = [];
      // 6,000 messages: "common" in most of them (SQLite walks newest first), "rare" in a few (looked up).
      for (let i = 0; i < 6000; i++) {
        const text = [random() < 0.9 ? 'common' : '', i % 997 === 0 ? 'rare' : '', ...Array.from({ length: 3 }, () => words[Math.floor(random() * words.length)])].join(' ');
        messages.push(item(`m${i}`, text, NOW - Math.floor(random() * 7 * 24 * HOUR), { channel: CHANNELS[i % 3] as Channel, category: i % 2 === 0 ? 'login' : 'slow', complaint: i % 5 !== 0 }));
      }
      for (let i = 0; i < messages.length; i += 500) await store.ingest(messages.slice(i, i + 500), NOW, 60_000);
      for (const q of ['common', 'rare', 'пароль', 'login', 'crash', 'common rare', 'карт медлен', 'nothing']) {
        expect(await searchIds(store, q, {}, 700), q).toEqual(expected(messages, q));
      }
      const twitter = messages.filter((m) => m.message.channel === 'twitter');
      expect(await searchIds(store, 'common', { channel: 'twitter' }, 300)).toEqual(expected(twitter, 'common'));
      // Rare words with filters (SQLite looks the matches up, then checks the filters on them).
      const slow = messages.filter((m) => m.classification.complaint && m.classification.categories[0]?.name === 'slow');
      for (const q of ['rare', 'login', 'пароль']) {
        expect(await searchIds(store, q, { channel: 'twitter' }, 50), q).toEqual(expected(twitter, q));
        expect(await searchIds(store, q, { complaint: true, category: 'slow' }, 50), q).toEqual(expected(slow, q));
        expect(await searchIds(store, q, { complaint: false, channel: 'twitter' }, 50), q).toEqual(expected(twitter.filter((m) => !m.classification.complaint), q));
        const day = messages.filter((m) => Date.parse(m.message.createdAt) >= NOW - 24 * HOUR);
        expect(await searchIds(store, q, { from: NOW - 24 * HOUR, source: 'support' }, 50), q).toEqual(expected(day, q));
      }
      expect(await store.messages.count({ q: 'common' })).toBe(expected(messages, 'common').length);

      // Retention blanks the text of old messages, then deletes the oldest rows: neither is found any more.
      const periods = { ...serviceConfigSchema.parse({}).retention.keep, messageText: 3 * 24 * HOUR, messages: 5 * 24 * HOUR };
      await pruneExpired(store.handle, { periods, now: NOW, batchSize: 700 });
      const kept = messages.filter((m) => Date.parse(m.message.createdAt) >= NOW - 3 * 24 * HOUR);
      expect(kept.length).toBeGreaterThan(1000);
      for (const q of ['common', 'rare', 'пароль']) expect(await searchIds(store, q, {}, 700), q).toEqual(expected(kept, q));
    });

    it('plans a search by how often its words occur: frequent, rare, absent, frequent apart but never together, frequent only long ago', async () => {
      if (kind === 'postgres' && !(await postgresAvailable())) return;
      const { db, store } = await openStore(kind);
      const messages: ClassifiedMessage[] = [];
      for (let i = 0; i < 4000; i++) {
        const createdAt = NOW - i * 150_000; // one every 2.5 min, newest first: about a week
        const old = i >= 3000;
        const text = [i % 10 !== 0 ? 'common' : '', i % 2 === 0 ? 'alpha' : 'beta', i % 997 === 3 ? 'rare' : '', old && i % 5 !== 0 ? 'faded' : '', 'card'].join(' ');
        messages.push(item(`p${i}`, text, createdAt, { channel: CHANNELS[i % 3] as Channel }));
      }
      for (let i = 0; i < messages.length; i += 500) await store.ingest(messages.slice(i, i + 500), NOW, 60_000);
      // PostgreSQL plans from its statistics: as autovacuum's ANALYZE would have made them.
      if (kind === 'postgres') await sql`analyze messages`.execute(db);
      const email = messages.filter((m) => m.message.channel === 'email');
      for (const q of ['common', 'rare', 'zzzz', 'alpha beta', 'alpha card', 'faded', 'faded common', 'common rare']) {
        expect(await searchIds(store, q, {}, 50), q).toEqual(expected(messages, q));
        expect(await searchIds(store, q, { channel: 'email' }, 50), q).toEqual(expected(email, q));
      }
    });

    it('indexes and counts messages stored before the migrations', async () => {
      if (kind === 'postgres' && !(await postgresAvailable())) return;
      const opened = await openStore(kind, '0017_model_versions');
      const messages = Array.from({ length: 4321 }, (_, i) =>
        item(`old-${i}`, i % 2 === 0 ? `пароль номер ${i}` : `crashing again ${i}`, NOW - i * 60_000, { lang: i % 2 === 0 ? 'ru' : 'en', category: CATEGORIES[i % 3], complaint: i % 5 !== 0, channel: CHANNELS[i % 3] as Channel }),
      );
      // Stored as the version before them did: rows only.
      const rows = messages.map((m) => ({
        id: m.message.id, channel: m.message.channel, source: m.message.source, author: null, text: m.message.text, lang: m.message.lang, created_at: Date.parse(m.message.createdAt),
        ingested_at: NOW, link: null, meta: null, complaint: m.classification.complaint ? 1 : 0, score: m.classification.score,
        category: m.classification.complaint ? (m.classification.categories[0]?.name ?? null) : null, classification: JSON.stringify(m.classification),
        label_complaint: null, label_category: null, labelled_at: null,
      }));
      for (let i = 0; i < rows.length; i += 1000) await opened.db.insertInto('messages').values(rows.slice(i, i + 1000)).execute();
      await opened.migrateRest();
      const { store } = opened;
      expect(await searchIds(store, 'пароля', {}, 1000)).toEqual(expected(messages, 'пароля'));
      expect((await searchIds(store, 'crash', {}, 1000)).length).toBe(messages.length / 2 - 0.5);
      const from = NOW - 3 * 24 * HOUR - 1234;
      expect(await store.messages.complaintsByCategory({ from, to: NOW })).toEqual(await store.messages.countBy('category', { complaint: true, from, to: NOW }));
      // Their matched terms are counted too (each complaint matched 'term').
      const all = { from: NOW - 4321 * 60_000 - HOUR, to: NOW + HOUR };
      expect(await store.messages.topTerms(all, 5)).toEqual(new Map([...(await store.messages.countBy('category', { complaint: true, ...all }))].map(([category, n]) => [category, [{ term: 'term', count: n }]])));
      // New messages after the back-fill are indexed and counted too.
      await store.ingest([item('new-1', 'пароли кончились', NOW + 10, { lang: 'ru' })], NOW, 60_000);
      expect((await searchIds(store, 'пароль')).slice(0, 1)).toEqual(['new-1']);
    });

    it('finds a stem that to_tsvector split (a URL slug such as "25e5ud6kvp"), in rows indexed before the lexemes were cast, and skips a word too long to index', async () => {
      if (kind === 'postgres' && !(await postgresAvailable())) return;
      const opened = await openStore(kind, '0027_summary_terms');
      const old = [item('old-slug', 'Delayed again https://t.co/25e5ud6kvp', NOW - 5000), item('old-plain', 'Delayed flight, no crew', NOW - 4000)];
      const rows = old.map((m) => ({
        id: m.message.id, channel: m.message.channel, source: m.message.source, author: null, text: m.message.text, lang: m.message.lang, created_at: Date.parse(m.message.createdAt),
        ingested_at: NOW, link: null, meta: null, complaint: 1, score: 0.9, category: 'login', classification: JSON.stringify(m.classification),
        label_complaint: null, label_category: null, labelled_at: null,
      }));
      await opened.db.insertInto('messages').values(rows).execute();
      // Indexed as the writer before 0028 indexed them (PostgreSQL: to_tsvector of the stems; SQLite: the same FTS rows as now).
      if (kind === 'postgres') await sql`update messages set search = to_tsvector('simple', v.s) from (values ${sql.join(old.map((m) => sql`(${m.message.id}, ${searchTerms(m.message.text).join(' ')})`))}) as v(id, s) where messages.id = v.id`.execute(opened.db);
      else await sql`insert into messages_fts (rowid, body) select rowid, ${searchTerms(old[0]!.message.text).join(' ')} from messages where id = 'old-slug' union all select rowid, ${searchTerms(old[1]!.message.text).join(' ')} from messages where id = 'old-plain'`.execute(opened.db);
      if (kind === 'postgres') expect(await sql<{ n: number }>`select count(*)::int as n from messages where search @@ ${'25e5ud6kvp'}::tsquery`.execute(opened.db).then((r) => r.rows[0]?.n)).toBe(0);
      await opened.migrateRest();
      const { store } = opened;
      expect(await searchIds(store, '25e5ud6kvp')).toEqual(['old-slug']);
      expect(await searchIds(store, 'delayed')).toEqual(['old-plain', 'old-slug']);
      // New rows: the stem is one lexeme too; a 3,000-letter word (over PostgreSQL's 2,046 bytes) is left out, the rest indexed.
      await store.ingest([item('new-slug', 'still 25e5ud6kvp', NOW - 3000), item('new-long', `${'x'.repeat(3000)} delayed`, NOW - 2000)], NOW, 60_000);
      expect(await searchIds(store, '25e5ud6kvp')).toEqual(['new-slug', 'old-slug']);
      expect(await searchIds(store, 'delayed')).toEqual(['new-long', 'old-plain', 'old-slug']);
    });

    it('series keys and totals by key (the unfiltered summary) equal a plain scan, per key under the prefix only', async () => {
      if (kind === 'postgres' && !(await postgresAvailable())) return;
      const { store } = await openStore(kind);
      const random = mulberry32(3);
      const keys = ['complaints', 'complaints.login', 'complaints.payment', 'complaints.channel.email', 'complaints.lang.ru', 'complaintsx', 'messages', 'complaints.zzz'];
      const points = keys.flatMap((key) => Array.from({ length: 300 }, (_, i) => ({ key, t: NOW - i * 60_000 * 7, v: 1 + Math.floor(random() * 5) })));
      await store.series.add(points);
      expect(await store.series.keys()).toEqual([...keys].sort());
      expect(await store.series.keys('complaints.')).toEqual(keys.filter((k) => k.startsWith('complaints.')).sort());
      for (const [from, to] of [[NOW - 24 * HOUR, NOW], [NOW - 3 * HOUR - 1, NOW - HOUR + 7], [NOW + 1, NOW + HOUR]] as const) {
        const plain = new Map<string, number>();
        for (const p of points) if (p.key.startsWith('complaints.') && p.t >= from && p.t < to) plain.set(p.key, (plain.get(p.key) ?? 0) + p.v);
        expect(await store.series.totalsByKey('complaints.', from, to)).toEqual(plain);
        const leaf = (key: string) => !key.slice('complaints.'.length).includes('.');
        expect(await store.series.totalsByKey('complaints.', from, to, leaf)).toEqual(new Map([...plain].filter(([k]) => leaf(k))));
      }
    });

    it('the filtered summary from hourly counts equals a count over messages, through relabels, re-classification, late messages and retention', async () => {
      if (kind === 'postgres' && !(await postgresAvailable())) return;
      const { store } = await openStore(kind);
      const random = mulberry32(5);
      const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
      const messages: ClassifiedMessage[] = [];
      // Matched terms: one or two categories' worth, a term repeated across them (counted once per message).
      const TERMS = ['пароль', 'login', 'card', 'оплат', 'slow'];
      const someTerms = () => Array.from({ length: 1 + Math.floor(random() * 2) }, () => Array.from({ length: Math.floor(random() * 3) }, () => pick(TERMS)));
      for (let i = 0; i < 3000; i++) {
        messages.push(item(`c${i}`, `text ${i}`, NOW - Math.floor(random() * 10 * 24 * HOUR), {
          complaint: random() < 0.6, category: pick(CATEGORIES), channel: pick(CHANNELS), lang: pick<Lang | null>(['en', 'ru', null]), terms: someTerms(),
        }));
      }
      for (let i = 0; i < messages.length; i += 400) await store.ingest(messages.slice(i, i + 400), NOW, 60_000);
      // Late messages: created long ago, stored now; and the same messages delivered again (not counted twice).
      await store.ingest(Array.from({ length: 50 }, (_, i) => item(`late-${i}`, 'late', NOW - 20 * 24 * HOUR + i * 977_000, { category: pick(CATEGORIES), channel: pick(CHANNELS) })), NOW, 60_000);
      await store.ingest(messages.slice(0, 300), NOW, 60_000);
      // Relabels: to another category, to "not a complaint", from "not a complaint" to one.
      for (let i = 0; i < 300; i++) {
        const m = pick(messages).message.id;
        const complaint = random() < 0.7;
        await store.messages.label(m, complaint, complaint ? pick(CATEGORIES) : null, 'ann', NOW, 'api');
      }
      // A new model re-classifies some (relabelled ones keep their label).
      await store.db.transaction().execute((trx) =>
        store.messages.reclassify(messages.slice(1000, 1400).map((m, i) => ({
          id: m.message.id,
          classification: i % 2 === 0
            ? { complaint: true, score: 0.7, categories: [{ name: CATEGORIES[i % 3] as string, score: 0.7, terms: i % 4 === 0 ? [] : [pick(TERMS)] }], lang: m.message.lang }
            : { complaint: false, score: 0.2, categories: [], lang: m.message.lang },
        })), trx),
      );
      const check = async () => {
        for (let k = 0; k < 40; k++) {
          const to = NOW - Math.floor(random() * 5 * 24 * HOUR);
          const window = pick([HOUR, 24 * HOUR, 7 * 24 * HOUR, 90_000, 3 * HOUR + 17]);
          const from = to - window;
          const filter = { from, to, ...(random() < 0.6 ? { channel: pick(CHANNELS) } : {}), ...(random() < 0.5 ? { lang: pick<Lang>(['en', 'ru']) } : {}) };
          expect(await store.messages.complaintsByCategory(filter), JSON.stringify(filter)).toEqual(await store.messages.countBy('category', { complaint: true, ...filter }));
        }
        const whole = { from: NOW - 30 * 24 * HOUR, to: NOW + HOUR };
        expect(await store.messages.complaintsByCategory(whole)).toEqual(await store.messages.countBy('category', { complaint: true, ...whole }));
        // The summary's top terms: the hourly term counts equal a count over the stored complaints' classifications.
        const oracle = new Map<string, number>();
        const complaints = await store.db.selectFrom('messages').select(['created_at', 'channel', 'lang', 'category', 'classification']).where('complaint', '=', 1).execute();
        for (const m of complaints) {
          const t = Number(m.created_at) - (Number(m.created_at) % HOUR);
          for (const term of new Set((JSON.parse(m.classification) as Classification).categories.flatMap((c) => c.terms))) {
            const key = [t, m.channel, m.lang ?? '', m.category ?? '', term].join('|');
            oracle.set(key, (oracle.get(key) ?? 0) + 1);
          }
        }
        const stored = await store.db.selectFrom('complaint_terms').selectAll().execute();
        expect(new Map(stored.map((r) => [[Number(r.t), r.channel, r.lang, r.category, r.term].join('|'), Number(r.n)]))).toEqual(oracle);
        // What the summary reads: per category, most first, over the hours a window touches.
        const day = { from: NOW - 30 * HOUR - 17, to: NOW - 6 * HOUR + 5, channel: 'email' as Channel };
        const top = new Map<string, Map<string, number>>();
        for (const [key, n] of oracle) {
          const [t, channel, , category, term] = key.split('|') as [string, string, string, string, string];
          if (Number(t) < day.from - (day.from % HOUR) || Number(t) >= Math.ceil(day.to / HOUR) * HOUR || channel !== day.channel) continue;
          const terms = top.get(category) ?? new Map<string, number>();
          terms.set(term, (terms.get(term) ?? 0) + n);
          top.set(category, terms);
        }
        const expectedTop = new Map([...top].map(([category, terms]) => [category === '' ? null : category, [...terms].map(([term, count]) => ({ term, count })).sort((a, b) => b.count - a.count || (a.term < b.term ? -1 : 1)).slice(0, 3)]));
        expect(await store.messages.topTerms(day, 3)).toEqual(expectedTop);
      };
      await check();
      // Retention: text blanked after 3 days (counts unchanged), rows deleted after 6 (counts drop with them).
      const periods = { ...serviceConfigSchema.parse({}).retention.keep, messageText: 3 * 24 * HOUR, messages: 6 * 24 * HOUR };
      const pruned = await pruneExpired(store.handle, { periods, now: NOW, batchSize: 500 });
      expect(pruned.find((r) => r.table === 'messages' && r.action === 'delete')?.rows).toBeGreaterThan(500);
      await check();
      // No negative or zero rows are left by the updates and deletes.
      const stray = await store.db.selectFrom('complaint_counts').select('n').where('n', '<=', 0).execute();
      expect(stray).toEqual([]);
      expect(await store.db.selectFrom('complaint_terms').select('n').where('n', '<=', 0).execute()).toEqual([]);
      expect(Number((await store.db.selectFrom('complaint_counts').select((eb) => eb.fn.countAll().as('n')).where('t', '<', NOW - 6 * 24 * HOUR - HOUR).executeTakeFirstOrThrow()).n)).toBe(0);
    });
  });
}
