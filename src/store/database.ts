import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, SqliteDriver, sql, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
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
  /**
   * `apply` (default): apply pending migrations, holding the migration lock. `check`: apply nothing;
   * throw ERR_SCHEMA_OUTDATED naming what is pending (a process that is one of many: `radar migrate`
   * runs them once). `none`: neither (the caller migrates or checks: `radar migrate`).
   */
  readonly migrations?: 'apply' | 'check' | 'none';
}

/** How long `radar migrate` (or a start that migrates) waits for another holder of the migration lock. */
const MIGRATION_LOCK_WAIT_MS = 10 * 60_000;

/**
 * SQLite with every transaction `BEGIN IMMEDIATE`: it takes the write lock when it starts, waiting for
 * it under `busy_timeout`. A deferred `BEGIN` takes it at the first write, and in WAL mode a transaction
 * that has read and then finds that another process committed meanwhile fails at once with "database
 * is locked" (SQLITE_BUSY_SNAPSHOT: no busy handler can help it), which two processes on one file (e.g.
 * two detect workers) met under load. The synchronous ingest path does the same (`.immediate`).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly sqliteConfig: SqliteDialectConfig) {
    super(sqliteConfig);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.sqliteConfig);
  }
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
    // pg emits 'error' on a client the pool has handed out (inside a transaction, between statements)
    // when its backend goes away (pg_terminate_backend, a failover, a proxy's idle timeout); the pool's
    // own listener covers only idle clients, so without this one the whole process crashed. The
    // statement running or next sent on that client fails instead, and the pool drops the client on
    // release (it is no longer queryable): the caller's retry runs on a fresh connection.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      await sql`select 1`.execute(db);
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
    const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) });
    handle = { db, kind: 'sqlite', schema: null, sqlite: database, close: () => db.destroy() };
  }
  try {
    if (options.migrations === 'check') await assertSchemaCurrent(handle);
    else if (options.migrations !== 'none') await migrate(handle);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

function migrator(handle: DatabaseHandle): Migrator {
  // PostgreSQL: the migration tables live in our schema, and Kysely looks for them there (without it, it
  // finds another schema's kysely_migration_lock, skips creating ours and fails: seen with parallel tests).
  return new Migrator({
    db: handle.db,
    provider: migrationProvider(handle.kind),
    allowUnorderedMigrations: true,
    ...(handle.kind === 'postgres' && handle.schema !== null ? { migrationTableSchema: handle.schema } : {}),
  });
}

/** The migrations this version has that the database has not applied yet (a missing schema: all of them). */
export async function pendingMigrations(handle: DatabaseHandle): Promise<string[]> {
  if (handle.kind === 'postgres') {
    const found = await sql<{ n: number }>`select count(*)::int as n from pg_namespace where nspname = ${handle.schema ?? 'public'}`.execute(handle.db);
    if ((found.rows[0]?.n ?? 0) === 0) return Object.keys(await migrationProvider(handle.kind).getMigrations()).sort();
  }
  return (await pastOtherSchemasDdl(handle, () => migrator(handle).getMigrations())).filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/**
 * Kysely's migrator finds its tables by listing every schema's tables. On PostgreSQL another schema
 * dropped or created meanwhile (another install in the same database, parallel tests) can fail that
 * listing ("schema … does not exist", "could not open relation with OID …"): such a failure, naming no
 * object of our own schema, is the listing racing someone else's DDL, and the step is run again.
 */
async function pastOtherSchemasDdl<T>(handle: DatabaseHandle, step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      if (handle.kind !== 'postgres' || attempt >= 5 || !isOtherSchemasDdl(error, handle.schema ?? 'public')) throw error;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

/** SQLSTATEs of a catalogue listing that met an object dropped under it. */
const DROPPED_UNDER_LISTING = new Set(['3F000', '42P01', 'XX000']);

function isOtherSchemasDdl(error: unknown, ownSchema: string): boolean {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : '';
  return typeof code === 'string' && DROPPED_UNDER_LISTING.has(code) && !message.includes(`"${ownSchema}"`);
}

/** Throws ERR_SCHEMA_OUTDATED (one line: what is pending, what to run) unless every migration is applied. */
export async function assertSchemaCurrent(handle: DatabaseHandle): Promise<void> {
  const pending = await pendingMigrations(handle);
  if (pending.length === 0) return;
  const where = handle.kind === 'postgres' ? `PostgreSQL schema "${handle.schema ?? 'public'}"` : 'the SQLite database';
  const names = pending.length > 3 ? `${pending.slice(0, 3).join(', ')}, …` : pending.join(', ');
  throw new RadarError(
    'ERR_SCHEMA_OUTDATED',
    `${where} lacks ${pending.length} migration(s) (${names}): run \`radar migrate\` once (or set database.migrate: always), then start this process again`,
    { context: { pending: pending.length } },
  );
}

/**
 * Runs `fn` holding the migration lock of this database (PostgreSQL: a session advisory lock per
 * schema, on a connection of its own; released when that connection ends, so a process killed while
 * migrating frees it). Processes that start or `radar migrate` together then migrate one after the
 * other, and the later ones find nothing to do. SQLite: all pending migrations run in one transaction
 * and SQLite serialises writers, so a run that lost the race to another connection (SQLITE_BUSY, a
 * stale snapshot, "table already exists") rolled back whole; it is run again and finds the work done.
 */
async function withMigrationLock<T>(handle: DatabaseHandle, fn: () => Promise<T>): Promise<T> {
  if (handle.kind !== 'postgres') {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await fn();
      } catch (error) {
        const code = String((error as { cause?: { code?: unknown } }).cause?.code ?? (error as { code?: unknown }).code ?? '');
        if (!code.startsWith('SQLITE_') || attempt >= 10) throw error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }
  const name = `complaint-radar:migrate:${handle.schema ?? 'public'}`;
  return handle.db.connection().execute(async (conn) => {
    const deadline = Date.now() + MIGRATION_LOCK_WAIT_MS;
    for (;;) {
      const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtext(${name})) as ok`.execute(conn);
      if (got.rows[0]?.ok === true) break;
      if (Date.now() > deadline) {
        throw new RadarError('ERR_DB', `another process has held the migration lock of schema "${handle.schema ?? 'public'}" for ${MIGRATION_LOCK_WAIT_MS / 60_000} minutes`, { retryable: true });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${name}))`.execute(conn).catch(() => undefined);
    }
  });
}

/** Applies pending migrations under the migration lock; returns the names applied (none: already current). */
export async function migrate(handle: DatabaseHandle): Promise<string[]> {
  return withMigrationLock(handle, async () => {
    if (handle.kind === 'postgres') await sql`create schema if not exists ${sql.id(handle.schema ?? 'public')}`.execute(handle.db);
    return runMigrator(handle);
  });
}

async function runMigrator(handle: DatabaseHandle): Promise<string[]> {
  // Migration numbers are reserved per change and may land out of order (0008 before 0004): a database
  // that already ran a later one still gets the earlier ones.
  const { error, results } = await pastOtherSchemasDdl(handle, async () => {
    const run = await migrator(handle).migrateToLatest();
    // Nothing applied yet and the listing raced another schema's DDL: throw it to run again.
    if (run.error !== undefined && (run.results ?? []).every((r) => r.status !== 'Success') && isOtherSchemasDdl(run.error, handle.schema ?? 'public')) throw run.error;
    return run;
  });
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new RadarError('ERR_DB', `migration ${failed ?? ''} failed: ${(error as Error).message}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
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
