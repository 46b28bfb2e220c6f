import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { RadarError } from '../platform/errors.js';
import { ensurePrivateFile, tightenFile } from '../platform/private-files.js';
import { migrationProvider, type DialectKind } from './migrations.js';
import type { Database } from './schema.js';

// bigint (int8) columns hold epoch milliseconds: safe as JS numbers.
pg.types.setTypeParser(20, (value: string) => Number(value));

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DialectKind;
  /** PostgreSQL schema in use (tests isolate themselves with one schema each). */
  readonly schema: string | null;
  /** SQLite only: the connection itself, for the ingest hot path's prepared statements. */
  readonly sqlite: BetterSqlite3.Database | null;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `postgres://…` / `postgresql://…`, or an SQLite file path (`sqlite:./data/radar.db` or a plain path). */
  readonly url: string;
  /** PostgreSQL only: the schema to create and use (default `public`). */
  readonly schema?: string;
  readonly poolSize?: number;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

function sqlitePath(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/i, '');
}

/** Opens the database (SQLite by default, PostgreSQL by URL) and applies pending migrations. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  let handle: DatabaseHandle;
  if (isPostgresUrl(options.url)) {
    const schema = options.schema ?? 'public';
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new RadarError('ERR_DB', `invalid schema name "${schema}"`);
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      options: `-c search_path=${schema}`,
    });
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    } catch (cause) {
      await db.destroy();
      throw new RadarError('ERR_DB', `cannot connect to PostgreSQL: ${(cause as Error).message}`, { cause, retryable: true });
    }
    handle = { db, kind: 'postgres', schema, sqlite: null, close: () => db.destroy() };
  } else {
    const file = sqlitePath(options.url);
    // Messages are personal data: the file (and the -wal/-shm SQLite gives the same mode) is 0600.
    if (file !== ':memory:') {
      ensurePrivateFile(file);
      for (const suffix of ['-wal', '-shm', '-journal']) tightenFile(`${file}${suffix}`);
    }
    const database = new BetterSqlite3(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    // SQLite's lower() folds ASCII only; text search must fold Cyrillic too.
    database.function('radar_lower', { deterministic: true }, (value: unknown) =>
      typeof value === 'string' ? value.toLowerCase() : value,
    );
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    handle = { db, kind: 'sqlite', schema: null, sqlite: database, close: () => db.destroy() };
  }
  await migrate(handle);
  return handle;
}

export async function migrate(handle: DatabaseHandle): Promise<void> {
  // Migration numbers are reserved per change and may land out of order (0008 before 0004): a database
  // that already ran a later one still gets the earlier ones.
  // PostgreSQL: the migration tables live in our schema, and Kysely looks for them there (without it, it
  // finds another schema's kysely_migration_lock, skips creating ours and fails: seen with parallel tests).
  const migrator = new Migrator({
    db: handle.db,
    provider: migrationProvider(handle.kind),
    allowUnorderedMigrations: true,
    ...(handle.kind === 'postgres' && handle.schema !== null ? { migrationTableSchema: handle.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new RadarError('ERR_DB', `migration ${failed ?? ''} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** Drops a PostgreSQL schema (test cleanup). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
