/**
 * One PostgreSQL database per vitest worker (a setup file: runs in the worker before each test file).
 * With files in parallel, one file dropping its schema while another migrates fails the migration:
 * Kysely's introspection lists the tables of every schema in the database and calls
 * has_schema_privilege / pg_get_serial_sequence by name, which throw when a schema or table named in
 * its catalog scan is dropped before the call ("schema … does not exist"). A database's catalog holds
 * only its own schemas, so files on different workers never see each other's. Files on one worker run
 * one after another, as the whole suite did before. Sets TEST_DATABASE_URL for this worker, so
 * test/helpers/services.ts and every child process a test starts use the worker's database.
 */
import pg from 'pg';

const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pool = process.env.VITEST_POOL_ID;

if (pool !== undefined && process.env.RADAR_TEST_WORKER_DATABASE !== base) {
  const url = new URL(base);
  const name = `${decodeURIComponent(url.pathname.slice(1)) || 'postgres'}_w${pool}`;
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(`create database "${name.replaceAll('"', '""')}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created by a file on the same worker id just now
      });
    }
    url.pathname = `/${encodeURIComponent(name)}`;
    process.env.TEST_DATABASE_URL = url.toString();
    process.env.RADAR_TEST_WORKER_DATABASE = process.env.TEST_DATABASE_URL;
  } catch {
    // PostgreSQL does not answer: leave the URL alone; postgresAvailable() says so (and fails in CI).
  } finally {
    await client.end().catch(() => undefined);
  }
}
