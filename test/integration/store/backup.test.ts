/**
 * The backup commands the README gives work on a live database: SQLite `.backup` and `VACUUM INTO`
 * while the service holds it open in WAL mode, and `pg_dump -Fc -n <schema>` restored with
 * `pg_restore` into an empty database.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Classification } from '../../../src/domain/classification.js';
import { Store } from '../../../src/store/store.js';
import { createTestService, POSTGRES_URL, postgresAvailable, uniqueName, type TestService } from '../../helpers/services.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const classification: Classification = { complaint: true, score: 1, categories: [{ name: 'login', score: 1, terms: ['login'] }], lang: 'en' };

async function fill(t: TestService): Promise<void> {
  const items = Array.from({ length: 50 }, (_, i) => ({
    message: { id: `api:${i}`, channel: 'api' as const, source: 'api', author: null, text: `cannot login ${i}`, lang: 'en' as const, createdAt: new Date(NOW - i * 60_000).toISOString(), link: null },
    classification,
  }));
  await t.ctx.store.ingest(items, NOW, 60_000);
}

async function count(store: Store): Promise<{ messages: number; complaints: number }> {
  const messages = Number((await store.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const complaints = (await store.series.read('complaints', 0, NOW + 60_000)).reduce((a, p) => a + p.v, 0);
  return { messages, complaints };
}

describe('backups as the README says', () => {
  let t: TestService | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('SQLite: .backup and VACUUM INTO copy a database the service holds open', async () => {
    t = await createTestService({ db: 'sqlite' });
    await fill(t);
    const db = join(t.dir, 'radar.db');
    const copies = [join(t.dir, 'backup.db'), join(t.dir, 'vacuum.db')];
    execFileSync('sqlite3', [db, `.backup '${copies[0]}'`]);
    execFileSync('sqlite3', [db, `VACUUM INTO '${copies[1]}'`]);
    for (const copy of copies) {
      const store = await Store.open({ url: `sqlite:${copy}` });
      try {
        expect(await count(store)).toEqual({ messages: 50, complaints: 50 });
      } finally {
        await store.close();
      }
    }
  });

  it('PostgreSQL: pg_dump -Fc -n <schema>, pg_restore into an empty database', async () => {
    if (!(await postgresAvailable())) return;
    t = await createTestService({ db: 'postgres' });
    await fill(t);
    const schema = t.config.database.schema;
    const target = uniqueName('restore').toLowerCase();
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`create database "${target}"`);
    const targetUrl = Object.assign(new URL(POSTGRES_URL), { pathname: `/${target}` }).toString();
    try {
      const dump = execFileSync('pg_dump', ['-Fc', '-n', schema, POSTGRES_URL]);
      execFileSync('pg_restore', ['-d', targetUrl], { input: dump });
      const store = await Store.open({ url: targetUrl, schema });
      try {
        expect(await count(store)).toEqual({ messages: 50, complaints: 50 });
      } finally {
        await store.close();
      }
    } finally {
      await admin.query(`drop database if exists "${target}" with (force)`);
      await admin.end();
    }
  });
});
