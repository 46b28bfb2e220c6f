import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type DialectKind = 'sqlite' | 'postgres';

/**
 * One set of migrations for SQLite and PostgreSQL. Append new ones; never edit a released one.
 * `bigint` holds epoch-ms timestamps (INTEGER affinity in SQLite).
 */
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
  };
}

export function migrationProvider(kind: DialectKind): MigrationProvider {
  return { getMigrations: async () => buildMigrations(kind) };
}
