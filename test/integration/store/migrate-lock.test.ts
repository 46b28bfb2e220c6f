/**
 * Migrations run once, whoever starts together: concurrent migrations of one fresh PostgreSQL schema
 * (other than public, in a database that already holds an install in another schema) take turns under
 * the migration lock; a process that only checks refuses an outdated schema with one line and creates
 * nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, openDatabase, pendingMigrations, type DatabaseHandle } from '../../../src/store/database.js';
import { migrationProvider } from '../../../src/store/migrations.js';
import { POSTGRES_URL, postgresAvailable, uniqueName } from '../../helpers/services.js';
import pg from 'pg';

const ALL = Object.keys(await migrationProvider('postgres').getMigrations()).sort();
const schemas: string[] = [];

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query('select 1 from pg_namespace where nspname = $1', [schema])).rowCount === 1;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const schema of schemas) await dropSchema(POSTGRES_URL, schema);
});

describe('migrations on PostgreSQL', async () => {
  const available = await postgresAvailable();

  it.skipIf(!available)('three processes migrating one fresh schema together: all succeed, each migration applied once', async () => {
    const installed = uniqueName('inst').toLowerCase();
    const fresh = uniqueName('fresh').toLowerCase();
    schemas.push(installed, fresh);
    // An install already in the database, in another schema.
    await (await openDatabase({ url: POSTGRES_URL, schema: installed })).close();
    const handles = await Promise.all([0, 1, 2].map(() => openDatabase({ url: POSTGRES_URL, schema: fresh })));
    try {
      for (const h of handles) expect(await pendingMigrations(h)).toEqual([]);
      const rows = await (handles[0] as DatabaseHandle).db.selectFrom('kysely_migration' as never).select('name' as never).execute();
      expect((rows as Array<{ name: string }>).map((r) => r.name).sort()).toEqual(ALL);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });

  it.skipIf(!available)('a process that only checks refuses a missing or outdated schema with one line, and creates nothing', async () => {
    const schema = uniqueName('chk').toLowerCase();
    schemas.push(schema);
    const refused = openDatabase({ url: POSTGRES_URL, schema, migrations: 'check' });
    await expect(refused).rejects.toMatchObject({
      code: 'ERR_SCHEMA_OUTDATED',
      message: `PostgreSQL schema "${schema}" lacks ${ALL.length} migration(s) (${ALL.slice(0, 3).join(', ')}, …): run \`radar migrate\` once (or set database.migrate: always), then start this process again`,
    });
    expect(await schemaExists(schema)).toBe(false);
    // Migrated once, the same check passes.
    await (await openDatabase({ url: POSTGRES_URL, schema })).close();
    const checked = await openDatabase({ url: POSTGRES_URL, schema, migrations: 'check' });
    expect(await pendingMigrations(checked)).toEqual([]);
    await checked.close();
  });
});

describe('migrations on SQLite', () => {
  it('three connections migrating one fresh file together: all succeed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'radar-migrate-'));
    try {
      const url = `sqlite:${join(dir, 'radar.db')}`;
      await expect(openDatabase({ url, migrations: 'check' })).rejects.toMatchObject({ code: 'ERR_SCHEMA_OUTDATED' });
      const handles = await Promise.all([0, 1, 2].map(() => openDatabase({ url })));
      for (const h of handles) expect(await pendingMigrations(h)).toEqual([]);
      await Promise.all(handles.map((h) => h.close()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
