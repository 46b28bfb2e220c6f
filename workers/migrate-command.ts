/**
 * `radar migrate`: applies pending database migrations once, for a deployment whose processes do not
 * migrate at start (`database.migrate`, workers/roles.ts). Safe to run from several places at once: the
 * migration lock (store/database.ts) makes them take turns, and the later ones find nothing to do.
 * `--check` applies nothing: exit 0 when the schema is current, 1 naming what is pending.
 */
import type { Command } from 'commander';
import { exitWithError } from '../src/cli/errors.js';
import { loadConfigOrExit } from './command.js';

/** The database named without credentials: `PostgreSQL db.example:5432/radar schema "radar"`, or the SQLite path. */
function where(url: string, schema: string, isPostgresUrl: (url: string) => boolean): string {
  if (!isPostgresUrl(url)) return `SQLite ${url.replace(/^sqlite:(\/\/)?/i, '')}`;
  try {
    const parsed = new URL(url);
    return `PostgreSQL ${parsed.host}${parsed.pathname} schema "${schema}"`;
  } catch {
    return `PostgreSQL schema "${schema}"`;
  }
}

async function migrateCommand(flags: { config?: string; check: boolean }): Promise<void> {
  const { config } = await loadConfigOrExit(flags.config);
  // The database code loads when the command runs (`radar --help` does without it).
  const { isPostgresUrl, migrate, openDatabase, pendingMigrations, assertSchemaCurrent } = await import('../src/store/database.js');
  const { url, schema } = config.database;
  const handle = await openDatabase({ url, schema, migrations: 'none' });
  try {
    if (flags.check) {
      await assertSchemaCurrent(handle);
      process.stdout.write(`${where(url, schema, isPostgresUrl)}: schema current\n`);
      return;
    }
    const applied = await migrate(handle);
    const pending = await pendingMigrations(handle);
    if (pending.length > 0) throw new Error(`still pending after migrating: ${pending.join(', ')}`);
    process.stdout.write(
      applied.length === 0 ? `${where(url, schema, isPostgresUrl)}: schema current, nothing to apply\n` : `${where(url, schema, isPostgresUrl)}: applied ${applied.length} migration(s): ${applied.join(', ')}\n`,
    );
  } finally {
    await handle.close();
  }
}

export function register(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations once (a deployment over several processes runs this before starting them; concurrent runs take turns)')
    .option('-c, --config <file>', 'service config')
    .option('--check', 'apply nothing: exit 0 when the schema is current, 1 naming the pending migrations', false)
    .action(async (flags: { config?: string; check: boolean }) => {
      try {
        await migrateCommand(flags);
      } catch (error) {
        exitWithError(error);
      }
    });
}
