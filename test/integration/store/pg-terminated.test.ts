/**
 * PostgreSQL terminating the service's connections (`pg_terminate_backend`, a failover, an idle
 * timeout on a proxy) while a pooled connection is checked out: the process must not crash (pg emits
 * 'error' on a checked-out client, which nothing listened to), the statement that was interrupted
 * fails, and the next one runs on a fresh connection. Found by the chaos test (test/integration/chaos).
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, openDatabase } from '../../../src/store/database.js';
import { POSTGRES_URL, postgresAvailable, uniqueName } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

describe('PostgreSQL backends terminated under a checked-out connection', async () => {
  const available = await postgresAvailable();
  const schema = uniqueName('pgterm').toLowerCase();
  const appName = `radar-${schema}`;
  afterAll(async () => {
    if (available) await dropSchema(POSTGRES_URL, schema);
  });

  it.skipIf(!available)('the interrupted transaction fails, the process lives, the next query reconnects', async () => {
    const handle = await openDatabase({ url: `${POSTGRES_URL}?application_name=${appName}`, schema, poolSize: 2 });
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    const terminate = async () =>
      Number(
        (
          await admin.query<{ n: number }>(
            'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and application_name = $1 and pid <> pg_backend_pid()',
            [appName],
          )
        ).rows[0]?.n,
      );
    try {
      const inTransaction = handle.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        // The connection is checked out and idle in the transaction when the backend is terminated.
        expect(await terminate()).toBeGreaterThan(0);
        // Let the FATAL message and the close reach the client (it emits 'error' with no query running).
        await new Promise((r) => setTimeout(r, 300));
        await sql`select 2`.execute(trx);
      });
      await expect(inTransaction).rejects.toThrow();
      // The pool drops the broken client; the next statement runs on a new connection.
      await waitFor(async () => (await sql<{ one: number }>`select 1 as one`.execute(handle.db).then((r) => r.rows[0]?.one).catch(() => 0)) === 1, 10_000, 'no query after the termination');
      // Idle pooled connections terminated too: the next queries still answer.
      expect(await terminate()).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 300));
      await waitFor(async () => (await sql<{ one: number }>`select 1 as one`.execute(handle.db).then((r) => r.rows[0]?.one).catch(() => 0)) === 1, 10_000, 'no query after terminating idle connections');
    } finally {
      await admin.end();
      await handle.close();
    }
  });
});
