/**
 * `radar retention run`: one prune now, with the service config's periods, printing what each table
 * lost. For operators (after lowering a period, before a backup); the scheduled job does the same.
 * Needs only the database, not Redis.
 */
import type { Command } from 'commander';
import { describeError } from '../src/platform/errors.js';
import type { Store } from '../src/store/store.js';
import { loadConfigOrExit } from './command.js';

function days(ms: number): string {
  return `${Math.round((ms / 86_400_000) * 10) / 10}d`;
}

async function runOnce(configFile: string | undefined, json: boolean): Promise<void> {
  const { config } = await loadConfigOrExit(configFile);
  let store: Store | null = null;
  try {
    // The store loads when the command runs (`radar --help` does without it).
    const [{ Store }, { pruneExpired }] = await Promise.all([import('../src/store/store.js'), import('../src/store/retention.js')]);
    store = await Store.open({ url: config.database.url, schema: config.database.schema });
    const now = Date.now();
    const results = await pruneExpired(store.handle, { periods: config.retention.keep, now, batchSize: config.retention.batchSize });
    if (json) {
      process.stdout.write(`${JSON.stringify({ at: new Date(now).toISOString(), results })}\n`);
      return;
    }
    for (const r of results) {
      const period = config.retention.keep[r.keep];
      const rule = period === null ? `${r.keep}: forever` : `${r.keep}: ${days(period)}`;
      process.stdout.write(`${r.table.padEnd(16)} ${r.action.padEnd(6)} ${String(r.rows).padStart(9)} rows  (${rule})\n`);
    }
  } catch (error) {
    process.stderr.write(`error: retention run failed: ${describeError(error)}\n`);
    process.exitCode = 1;
  } finally {
    await store?.close();
  }
}

export function register(program: Command): void {
  program
    .command('retention')
    .description('data retention (periods under `retention` in the service config)')
    .command('run')
    .description('prune now what is past its retention period (what the scheduled retention job does), printing rows per table')
    .option('-c, --config <file>', 'service config')
    .option('--json', 'one JSON line', false)
    .action(async (flags: { config?: string; json: boolean }) => runOnce(flags.config, flags.json));
}
