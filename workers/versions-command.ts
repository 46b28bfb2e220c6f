/**
 * `radar classify versions [-c <service config>] [--json]`: the stored model versions, newest first,
 * with the active one marked. `radar classify activate <version> [-c …]`: makes a stored version the
 * active one (a rollback, or a roll-out of a version published earlier); every process loads it within
 * `classify.versionPoll`, and the next detect tick re-counts the recent window and re-baselines the
 * series that changed (workers/model-rollout.ts).
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { describeError } from '../src/platform/errors.js';
import type { Store } from '../src/store/store.js';
import type { ModelVersionSummary } from '../src/store/model-version-store.js';
import { loadConfigOrExit } from './command.js';

const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function row(v: ModelVersionSummary): string {
  const layers = v.learned ? `keywords + learned (${v.labels ?? 0} labels)` : 'keywords';
  return `${v.active ? '*' : ' '} ${v.id}  ${iso(v.createdAt)}  ${v.createdVia.padEnd(12)}  ${layers}${v.note ? `  ${v.note}` : ''}`;
}

/** Who ran the command, for `activated_by` (no secret, just the login name). */
function operator(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

async function withStore(configFile: string | undefined, fn: (store: Store) => Promise<void>): Promise<void> {
  const { config } = await loadConfigOrExit(configFile);
  let store: Store | undefined;
  try {
    // The store loads when the command runs (`radar --help` does without it).
    const { Store } = await import('../src/store/store.js');
    store = await Store.open({ url: config.database.url, schema: config.database.schema });
    await fn(store);
  } catch (error) {
    process.stderr.write(`error: ${describeError(error)}\n`);
    process.exitCode = 1;
  } finally {
    await store?.close();
  }
}

export function register(program: Command): void {
  const classify = program.commands.find((c) => c.name() === 'classify');
  if (!classify) throw new Error('the classify command must be registered before versions');
  classify
    .command('versions')
    .description('list the stored model versions, newest first (* = active)')
    .option('--limit <n>', 'versions to show', '50')
    .option('--json', 'print them as JSON')
    .option('-c, --config <file>', 'service config (for the database URL; default: $RADAR_CONFIG, config/radar.yaml, the example)')
    .action(async (flags: { limit: string; json?: boolean; config?: string }) => {
      await withStore(flags.config, async (store) => {
        const limit = Math.min(1000, Math.max(1, Number(flags.limit) || 50));
        const versions = await store.modelVersions.list(limit);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(versions)}\n`);
          return;
        }
        if (versions.length === 0) {
          process.stdout.write('no model version published yet (a service publishes its keyword file when it starts)\n');
          return;
        }
        process.stdout.write(`${versions.map(row).join('\n')}\n`);
      });
    });
  classify
    .command('activate')
    .description('make a stored model version the active one (rollback); every process loads it within classify.versionPoll')
    .argument('<version>', 'a version id from `radar classify versions`')
    .option('-c, --config <file>', 'service config (for the database URL; default: $RADAR_CONFIG, config/radar.yaml, the example)')
    .action(async (version: string, flags: { config?: string }) => {
      await withStore(flags.config, async (store) => {
        const changed = await store.modelVersions.activate(version, operator(), Date.now());
        if (changed === null) throw new Error(`no stored model version "${version}" (radar classify versions lists them)`);
        process.stdout.write(
          changed
            ? `${version} is now the active model version: every process loads it within classify.versionPoll; the next detect tick re-classifies the recent window and re-baselines the series that change\n`
            : `${version} was already the active model version\n`,
        );
      });
    });
}
