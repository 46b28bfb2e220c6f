import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { indexedStems, searchVector } from './message-search.js';

export type DialectKind = 'sqlite' | 'postgres';

/** Bucket of `complaint_counts` (migration 0021): one hour. */
export const COUNT_BUCKET_MS = 3_600_000;

/**
 * One set of migrations for SQLite and PostgreSQL. Append new ones; never edit a released one.
 * `bigint` holds epoch-ms timestamps (INTEGER affinity in SQLite).
 */
/** SQLite: puts the stems of every stored message with a text into `messages_fts`, 2,000 at a time. */
async function indexAllStems(db: Kysely<unknown>): Promise<void> {
  const BATCH = 2000;
  for (let after = -1; ; ) {
    const rows = (await sql<{ r: number; text: string }>`select rowid as r, text from messages where rowid > ${after} order by rowid limit ${BATCH}`.execute(db)).rows;
    const values = rows.filter((row) => row.text !== '').map((row) => sql`(${row.r}, ${indexedStems(row.text)})`);
    if (values.length > 0) await sql`insert into messages_fts (rowid, body) values ${sql.join(values)}`.execute(db);
    if (rows.length < BATCH) break;
    after = (rows.at(-1) as { r: number }).r;
  }
}

function buildMigrations(kind: DialectKind): Record<string, Migration> {
  /** An auto-increment integer primary key, spelled as each database wants it. */
  const serial = (c: ColumnDefinitionBuilder) =>
    kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity();
  return {
  '0001_core': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('author', 'text')
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('lang', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('ingested_at', 'bigint', (c) => c.notNull())
        .addColumn('link', 'text')
        .addColumn('meta', 'text')
        .addColumn('complaint', 'integer', (c) => c.notNull())
        .addColumn('score', 'real', (c) => c.notNull())
        .addColumn('category', 'text')
        .addColumn('classification', 'text', (c) => c.notNull())
        .addColumn('label_complaint', 'integer')
        .addColumn('label_category', 'text')
        .addColumn('labelled_at', 'bigint')
        .execute();
      await db.schema.createIndex('messages_created').on('messages').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('messages_category_created').on('messages').columns(['category', 'created_at']).execute();
      await db.schema.createIndex('messages_channel_created').on('messages').columns(['channel', 'created_at']).execute();
      await db.schema.createIndex('messages_complaint_created').on('messages').columns(['complaint', 'created_at']).execute();

      await db.schema
        .createTable('labels')
        .addColumn('id', 'integer', serial)
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('complaint', 'integer', (c) => c.notNull())
        .addColumn('category', 'text')
        .addColumn('labelled_by', 'text')
        .addColumn('labelled_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('labels_message').on('labels').column('message_id').execute();

      await db.schema
        .createTable('series_points')
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('t', 'bigint', (c) => c.notNull())
        .addColumn('v', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('series_points_pk', ['key', 't'])
        .execute();

      await db.schema
        .createTable('dead_letters')
        .addColumn('id', 'integer', serial)
        .addColumn('message_id', 'text')
        .addColumn('queue', 'text', (c) => c.notNull())
        .addColumn('source', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('failed_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dead_letters_failed').on('dead_letters').column('failed_at').execute();

      await db.schema
        .createTable('kv')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0002_alerts': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('owner', 'text')
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('acknowledged_at', 'bigint')
        .addColumn('acknowledged_by', 'text')
        .addColumn('doc', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text')
        .execute();
      await db.schema.createIndex('alerts_state').on('alerts').columns(['state', 'starts_at']).execute();
      await db.schema.createIndex('alerts_starts').on('alerts').column('starts_at').execute();
      await db.schema
        .createTable('silences')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('ends_at', 'bigint', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('alert_events')
        .addColumn('id', 'integer', serial)
        .addColumn('alert_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alert_events_alert').on('alert_events').columns(['alert_id', 'at']).execute();
    },
  },
  '0003_summary_index': {
    async up(db: Kysely<unknown>) {
      // Covers the filtered summary (complaints in a window by channel / language / category).
      await db.schema.createIndex('messages_summary').on('messages').columns(['complaint', 'created_at', 'channel', 'lang', 'category']).execute();
    },
  },
  '0004_detector_points': {
    async up(db: Kysely<unknown>) {
      // What the detector said, per series and judged bucket: charts, the API and alert evidence read it.
      await db.schema
        .createTable('detector_points')
        .addColumn('series_key', 'text', (c) => c.notNull())
        .addColumn('t', 'bigint', (c) => c.notNull())
        .addColumn('value', 'double precision')
        .addColumn('expected', 'double precision')
        .addColumn('lower', 'double precision')
        .addColumn('upper', 'double precision')
        .addColumn('score', 'double precision', (c) => c.notNull())
        .addColumn('direction', 'text')
        .addColumn('reason', 'text')
        .addColumn('alert', 'integer', (c) => c.notNull())
        .addColumn('learning', 'integer', (c) => c.notNull())
        .addColumn('late', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('detector_points_pk', ['series_key', 't'])
        .execute();
      await db.schema.createIndex('detector_points_t').on('detector_points').column('t').execute();
    },
  },
  '0005_outbox': {
    async up(db: Kysely<unknown>) {
      // Notification intents committed with the tick that decided them; the relay enqueues and marks them sent.
      await db.schema
        .createTable('outbox')
        .addColumn('id', 'integer', serial)
        .addColumn('key', 'text', (c) => c.notNull().unique())
        .addColumn('alert_id', 'text', (c) => c.notNull())
        .addColumn('notifier', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .execute();
      await db.schema.createIndex('outbox_unsent').on('outbox').columns(['sent_at', 'id']).execute();
      await db.schema.createIndex('outbox_created').on('outbox').column('created_at').execute();
    },
  },
  '0006_late_data': {
    async up(db: Kysely<unknown>) {
      // Hourly detector-state checkpoints (late data restores one and judges again from there).
      await db.schema
        .createTable('detector_checkpoints')
        .addColumn('series_key', 'text', (c) => c.notNull())
        .addColumn('t', 'bigint', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('detector_checkpoints_pk', ['series_key', 't'])
        .execute();
      await db.schema.createIndex('detector_checkpoints_t').on('detector_checkpoints').column('t').execute();
      // The earliest bucket per series that got data after it was judged (written by ingest with the counts).
      await db.schema
        .createTable('late_buckets')
        .addColumn('series_key', 'text', (c) => c.primaryKey())
        .addColumn('t', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0008_sessions_and_actors': {
    async up(db: Kysely<unknown>) {
      // Server-side sessions: a cookie names a row; logout ends the row, so a copied cookie stops working.
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .execute();
      await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();
      // How a relabel was made (dashboard | api), beside who made it (labelled_by).
      await db.schema.alterTable('labels').addColumn('labelled_via', 'text').execute();
    },
  },
  '0007_source_state': {
    async up(db: Kysely<unknown>) {
      // Where each source stands, kept with the data it describes (Redis holds only schedules and locks):
      // a Redis that restarts empty loses no cursor, status, stop or rate-limit reset.
      await db.schema
        .createTable('source_states')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('last_poll_at', 'bigint')
        .addColumn('last_success_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('last_error_at', 'bigint')
        .addColumn('fetched', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('skipped', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('dead_lettered', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('rate_limit', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // Cursors by name: a source's, or one per mailbox (`<source>|<mailbox>`). JSON values.
      await db.schema
        .createTable('source_cursors')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0012_retention': {
    async up(db: Kysely<unknown>) {
      // Retention blanks a message's text (and author, link, metadata) after `retention.keep.messageText`
      // and stamps the time here; the partial index finds the messages whose text is still kept, oldest
      // first, without walking the ones already blanked.
      await db.schema.alterTable('messages').addColumn('redacted_at', 'bigint').execute();
      await db.schema.createIndex('messages_text_kept').on('messages').column('created_at').where(sql.ref('redacted_at'), 'is', null).execute();
      // Counts are pruned by age across every key: the primary key (key, t) cannot serve `t < cutoff`.
      await db.schema.createIndex('series_points_t').on('series_points').column('t').execute();
    },
  },
  '0013_source_stop_fingerprint': {
    async up(db: Kysely<unknown>) {
      // A source stopped on a rejected credential stays stopped across restarts while its config entry is
      // unchanged: the stop keeps a fingerprint of that entry (secrets only as a slow hash). An operator's
      // retry is recorded with who and how.
      await db.schema.alterTable('source_states').addColumn('stop_fingerprint', 'text').execute();
      await db.schema.alterTable('source_states').addColumn('retried_at', 'bigint').execute();
      await db.schema.alterTable('source_states').addColumn('retried_by', 'text').execute();
      await db.schema.alterTable('source_states').addColumn('retried_via', 'text').execute();
    },
  },
  '0016_detector_correlation': {
    async up(db: Kysely<unknown>) {
      // What the detector said of a series judged against a reference (traffic): the rolling correlation
      // with it (about 30 points; the dashboard's decoupling lane) and the long one ("do the two usually move
      // together?"). Null for series without a reference, and in rows written before this migration.
      await db.schema.alterTable('detector_points').addColumn('correlation', 'double precision').execute();
      await db.schema.alterTable('detector_points').addColumn('usual_correlation', 'double precision').execute();
    },
  },
  '0017_model_versions': {
    async up(db: Kysely<unknown>) {
      // Model versions live in one place: every process loads the active one from here, none trains or
      // reads the keyword file on its own. A version is the keyword config and the learned layer (JSON),
      // named by their hash; `active` marks the one in use (exactly one once any exists).
      await db.schema
        .createTable('model_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('keywords_hash', 'text', (c) => c.notNull())
        .addColumn('keywords', 'text', (c) => c.notNull())
        .addColumn('learned', 'text')
        .addColumn('labels', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_via', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('activated_at', 'bigint')
        .addColumn('activated_by', 'text')
        .execute();
      await db.schema.createIndex('model_versions_active').on('model_versions').column('active').execute();
      await db.schema.createIndex('model_versions_keywords').on('model_versions').column('keywords_hash').execute();
      // The version that judged each message, as a column (it was only inside the classification JSON).
      await db.schema.alterTable('messages').addColumn('model_version', 'text').execute();
      await sql`update messages set model_version = ${kind === 'sqlite' ? sql`json_extract(classification, '$.modelVersion')` : sql`(classification::jsonb ->> 'modelVersion')`}`.execute(db);
    },
  },
  '0020_message_search': {
    async up(db: Kysely<unknown>) {
      // Full-text search (see message-search.ts): the stems of each message's text, indexed. SQLite: a
      // contentless FTS5 table keyed by the message's rowid (the writer inserts, these triggers delete when
      // retention blanks the text or deletes the row). PostgreSQL: a tsvector column under GIN, cleared by a
      // trigger when the text is blanked. Existing messages are indexed here, 2,000 at a time.
      const BATCH = 2000;
      if (kind === 'sqlite') {
        await sql`create virtual table messages_fts using fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0')`.execute(db);
        await sql`create trigger messages_fts_delete after delete on messages begin delete from messages_fts where rowid = old.rowid; end`.execute(db);
        await sql`create trigger messages_fts_text after update of text on messages when new.text is not old.text begin delete from messages_fts where rowid = old.rowid; end`.execute(db);
        await indexAllStems(db);
      } else {
        await sql`alter table messages add column search tsvector`.execute(db);
        await sql`create function messages_search_blank() returns trigger language plpgsql as $$ begin new.search := null; return new; end $$`.execute(db);
        await sql`create trigger messages_search_blank before update of text on messages for each row when (new.text is distinct from old.text) execute function messages_search_blank()`.execute(db);
        for (let after = ''; ; ) {
          const rows = (await sql<{ id: string; text: string }>`select id, text from messages where id > ${after} order by id limit ${BATCH}`.execute(db)).rows;
          const values = rows.filter((row) => row.text !== '').map((row) => sql`(${row.id}, ${indexedStems(row.text)})`);
          if (values.length > 0) await sql`update messages set search = to_tsvector('simple', v.s) from (values ${sql.join(values)}) as v(id, s) where messages.id = v.id`.execute(db);
          if (rows.length < BATCH) break;
          after = (rows.at(-1) as { id: string }).id;
        }
        await sql`create index messages_search on messages using gin (search)`.execute(db);
      }
    },
  },
  '0021_complaint_counts': {
    async up(db: Kysely<unknown>) {
      // Complaints per hour by channel, language and effective category ('' for none): the filtered
      // summary sums these instead of scanning messages. The writer adds the counts of new messages (in the
      // insert's transaction, keys in order); these triggers follow relabels, re-classification and deleted
      // rows, so the counts always equal a count over messages.
      await db.schema
        .createTable('complaint_counts')
        .addColumn('t', 'bigint', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('lang', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('n', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('complaint_counts_pk', ['t', 'channel', 'lang', 'category'])
        .execute();
      // The summary's top terms read a category's newest complaints of a channel and/or language: with
      // channel, language and complaint in the index the ones of other channels are skipped in the index
      // instead of read from the table (7 d, one channel and language: 6× fewer rows read). It replaces
      // (category, created_at), its prefix, so ingest keeps as many indexes as before.
      await db.schema.createIndex('messages_category_summary').on('messages').columns(['category', 'created_at', 'channel', 'lang', 'complaint']).execute();
      await db.schema.dropIndex('messages_category_created').execute();
      const H = COUNT_BUCKET_MS;
      if (kind === 'sqlite') {
        const key = (row: 'old' | 'new') =>
          `t = ${row}.created_at - ${row}.created_at % ${H} and channel = ${row}.channel and lang = coalesce(${row}.lang, '') and category = coalesce(${row}.category, '')`;
        // A count that falls to zero (its messages deleted by retention, or relabelled) goes.
        await sql.raw(`create trigger complaint_counts_delete after delete on messages when old.complaint = 1 begin
          update complaint_counts set n = n - 1 where ${key('old')};
          delete from complaint_counts where n = 0 and ${key('old')}; end`).execute(db);
        await sql.raw(`create trigger complaint_counts_update after update of complaint, category, channel, lang, created_at on messages
          when (old.complaint = 1 or new.complaint = 1) and (old.complaint is not new.complaint or old.category is not new.category
            or old.channel is not new.channel or old.lang is not new.lang or old.created_at is not new.created_at)
          begin
            update complaint_counts set n = n - 1 where old.complaint = 1 and ${key('old')};
            delete from complaint_counts where old.complaint = 1 and n = 0 and ${key('old')};
            insert into complaint_counts (t, channel, lang, category, n)
              select new.created_at - new.created_at % ${H}, new.channel, coalesce(new.lang, ''), coalesce(new.category, ''), 1 where new.complaint = 1
              on conflict (t, channel, lang, category) do update set n = n + 1;
          end`).execute(db);
      } else {
        const keyOf = (rows: string, sign: number) =>
          `select created_at - created_at % ${H} as t, channel, coalesce(lang, '') as lang, coalesce(category, '') as category, ${sign} as d from ${rows} where complaint = 1`;
        const apply = (source: string) => `insert into complaint_counts (t, channel, lang, category, n)
            select t, channel, lang, category, sum(d) from (${source}) x group by t, channel, lang, category having sum(d) <> 0 order by t, channel, lang, category
            on conflict (t, channel, lang, category) do update set n = complaint_counts.n + excluded.n`;
        // A count that falls to zero (its messages deleted by retention, or relabelled) goes.
        const dropZeros = `delete from complaint_counts c where c.n = 0 and (c.t, c.channel, c.lang, c.category) in (select t, channel, lang, category from (${keyOf('old_rows', -1)}) o)`;
        await sql.raw(`create function complaint_counts_changed() returns trigger language plpgsql as $$ begin
          if tg_op = 'DELETE' then ${apply(keyOf('old_rows', -1))};
          else ${apply(`${keyOf('old_rows', -1)} union all ${keyOf('new_rows', 1)}`)};
          end if;
          ${dropZeros};
          return null; end $$`).execute(db);
        await sql`create trigger complaint_counts_update after update on messages referencing old table as old_rows new table as new_rows for each statement execute function complaint_counts_changed()`.execute(db);
        await sql`create trigger complaint_counts_delete after delete on messages referencing old table as old_rows for each statement execute function complaint_counts_changed()`.execute(db);
      }
      await sql.raw(`insert into complaint_counts (t, channel, lang, category, n)
        select created_at - created_at % ${H}, channel, coalesce(lang, ''), coalesce(category, ''), count(*) from messages where complaint = 1
        group by created_at - created_at % ${H}, channel, coalesce(lang, ''), coalesce(category, '')`).execute(db);
    },
  },
  '0018_incident_notes': {
    async up(db: Kysely<unknown>) {
      // The incident page's notes thread: who wrote what and when, per incident (the id of the alert that
      // pages for it). Pruned with the alert history.
      await db.schema
        .createTable('incident_notes')
        .addColumn('id', 'integer', serial)
        .addColumn('incident_id', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('via', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('incident_notes_incident').on('incident_notes').columns(['incident_id', 'at']).execute();
      await db.schema.createIndex('incident_notes_at').on('incident_notes').column('at').execute();
      // A hand over, kept outside the alert's JSON too (as the acknowledgement is), so one that races a
      // detector tick is never lost: the tick's copy may predate it.
      await db.schema.alterTable('alerts').addColumn('handed_over_at', 'bigint').execute();
      await db.schema.alterTable('alerts').addColumn('handed_over_to', 'text').execute();
    },
  },
  '0022_detect_inbox': {
    async up(db: Kysely<unknown>) {
      // Detection split over series groups (workers/detect-groups.ts): each group job commits what it
      // judged for alerting here, with its detector state, in one transaction; the alerting step reads the
      // rows of every group of a tick, decides, and deletes them with the alert changes and the outbox.
      await db.schema
        .createTable('detect_inbox')
        .addColumn('grp', 'integer', (c) => c.notNull())
        .addColumn('tick', 'bigint', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('detect_inbox_pk', ['grp', 'tick'])
        .execute();
    },
  },
  '0027_summary_terms': {
    async up(db: Kysely<unknown>) {
      // The summary's top terms, counted like complaint_counts: per hour, channel, language, effective
      // category and matched term (each distinct term of a complaint's classification once), so the summary
      // reads these counts instead of parsing the newest 2,000 complaints of every category. The writer adds
      // the counts of new messages (keys in order, after complaint_counts); these triggers follow relabels,
      // re-classification, revisions and deleted rows.
      await db.schema
        .createTable('complaint_terms')
        .addColumn('t', 'bigint', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('lang', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('term', 'text', (c) => c.notNull())
        .addColumn('n', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('complaint_terms_pk', ['t', 'channel', 'lang', 'category', 'term'])
        .execute();
      // (complaint, created_at) is a prefix of messages_summary (complaint, created_at, channel, lang,
      // category): one index less for every insert.
      await db.schema.dropIndex('messages_complaint_created').execute();
      const H = COUNT_BUCKET_MS;
      if (kind === 'sqlite') {
        const terms = (row: 'old' | 'new') => `select distinct tt.value from json_each(${row}.classification, '$.categories') c, json_each(c.value, '$.terms') tt`;
        const key = (row: 'old' | 'new') =>
          `t = ${row}.created_at - ${row}.created_at % ${H} and channel = ${row}.channel and lang = coalesce(${row}.lang, '') and category = coalesce(${row}.category, '')`;
        await sql.raw(`create trigger complaint_terms_delete after delete on messages when old.complaint = 1 begin
          update complaint_terms set n = n - 1 where ${key('old')} and term in (${terms('old')});
          delete from complaint_terms where n <= 0 and ${key('old')}; end`).execute(db);
        await sql.raw(`create trigger complaint_terms_update after update of complaint, category, channel, lang, created_at, classification on messages
          when (old.complaint = 1 or new.complaint = 1) and (old.complaint is not new.complaint or old.category is not new.category
            or old.channel is not new.channel or old.lang is not new.lang or old.created_at is not new.created_at or old.classification is not new.classification)
          begin
            update complaint_terms set n = n - 1 where old.complaint = 1 and ${key('old')} and term in (${terms('old')});
            delete from complaint_terms where old.complaint = 1 and n <= 0 and ${key('old')};
            insert into complaint_terms (t, channel, lang, category, term, n)
              select new.created_at - new.created_at % ${H}, new.channel, coalesce(new.lang, ''), coalesce(new.category, ''), x.value, 1 from (${terms('new')}) x where new.complaint = 1
              on conflict (t, channel, lang, category, term) do update set n = n + 1;
          end`).execute(db);
        // Search: the same stems without positions (`detail=none`): a query is stems AND-ed, never a
        // phrase, and the index costs ingest about 40% less to write. Re-indexed here, 2,000 at a time.
        await sql`drop table messages_fts`.execute(db);
        await sql`create virtual table messages_fts using fts5(body, content='', contentless_delete=1, detail=none, tokenize='unicode61 remove_diacritics 0')`.execute(db);
        await indexAllStems(db);
      } else {
        const keyOf = (rows: string, sign: number) =>
          `select m.created_at - m.created_at % ${H} as t, m.channel, coalesce(m.lang, '') as lang, coalesce(m.category, '') as category, x.term, ${sign} as d
           from ${rows} m cross join lateral (select distinct e as term from jsonb_array_elements(m.classification::jsonb -> 'categories') c, jsonb_array_elements_text(c -> 'terms') e) x
           where m.complaint = 1`;
        const apply = (source: string) => `insert into complaint_terms (t, channel, lang, category, term, n)
            select t, channel, lang, category, term, sum(d) from (${source}) y group by t, channel, lang, category, term having sum(d) <> 0 order by t, channel, lang, category, term
            on conflict (t, channel, lang, category, term) do update set n = complaint_terms.n + excluded.n`;
        const dropZeros = `delete from complaint_terms c where c.n <= 0 and (c.t, c.channel, c.lang, c.category) in
            (select m.created_at - m.created_at % ${H}, m.channel, coalesce(m.lang, ''), coalesce(m.category, '') from old_rows m where m.complaint = 1)`;
        await sql.raw(`create function complaint_terms_changed() returns trigger language plpgsql as $$ begin
          if tg_op = 'DELETE' then ${apply(keyOf('old_rows', -1))};
          else ${apply(`${keyOf('old_rows', -1)} union all ${keyOf('new_rows', 1)}`)};
          end if;
          ${dropZeros};
          return null; end $$`).execute(db);
        await sql`create trigger complaint_terms_update after update on messages referencing old table as old_rows new table as new_rows for each statement execute function complaint_terms_changed()`.execute(db);
        await sql`create trigger complaint_terms_delete after delete on messages referencing old table as old_rows for each statement execute function complaint_terms_changed()`.execute(db);
      }
      const distinctTerms =
        kind === 'sqlite'
          ? `select distinct m.rowid as r, m.created_at - m.created_at % ${H} as t, m.channel as channel, coalesce(m.lang, '') as lang, coalesce(m.category, '') as category, tt.value as term
             from messages m, json_each(m.classification, '$.categories') c, json_each(c.value, '$.terms') tt where m.complaint = 1`
          : `select distinct m.id, m.created_at - m.created_at % ${H} as t, m.channel, coalesce(m.lang, '') as lang, coalesce(m.category, '') as category, e as term
             from messages m, jsonb_array_elements(m.classification::jsonb -> 'categories') c, jsonb_array_elements_text(c -> 'terms') e where m.complaint = 1`;
      await sql.raw(`insert into complaint_terms (t, channel, lang, category, term, n)
        select t, channel, lang, category, term, count(*) from (${distinctTerms}) x group by t, channel, lang, category, term`).execute(db);
    },
  },
  '0028_search_lexemes': {
    async up(db: Kysely<unknown>) {
      // PostgreSQL: `messages.search` now holds each stem cast as one lexeme, and a search looks its stems
      // up the same way (message-search.ts). to_tsvector('simple', …) had split a stem that begins like a
      // number in exponent form ('25e5ud6kvp' → '25e5', 'ud6kvp': URL slugs in tweets), so a search for it
      // would miss those rows: they are indexed again, 2,000 at a time. Every such row holds a lexeme of
      // digits, 'e', digits. Other stems came out of to_tsvector whole. SQLite: nothing changes.
      if (kind !== 'postgres') return;
      const BATCH = 2000;
      for (let after = ''; ; ) {
        const rows = (
          await sql<{ id: string; text: string }>`select id, text from messages where id > ${after} and search is not null and search::text ~ ${"'[0-9]+e[0-9]+'"} order by id limit ${BATCH}`.execute(db)
        ).rows;
        const values = rows.map((row) => sql`(${row.id}, ${searchVector(row.text)})`);
        if (values.length > 0) await sql`update messages set search = v.s::tsvector from (values ${sql.join(values)}) as v(id, s) where messages.id = v.id`.execute(db);
        if (rows.length < BATCH) break;
        after = (rows.at(-1) as { id: string }).id;
      }
    },
  },
  };
}

export function migrationProvider(kind: DialectKind): MigrationProvider {
  return { getMigrations: async () => buildMigrations(kind) };
}
