/**
 * `radar sources test <name> [-c <service config>] [--json] [--timeout 60s]`: checks one configured
 * source's credentials and query with one real request (one batch), stores nothing, and says what it
 * found (workers/source-probe.ts). Exit code 0 when every mailbox/query answered, 1 otherwise.
 */
import type { Command } from 'commander';
import { describeError } from '../src/platform/errors.js';
import { loadConfigOrExit } from './command.js';

export function register(program: Command): void {
  const sources = program.command('sources').description('configured sources: check credentials and queries');
  sources
    .command('test')
    .description("poll one configured source once (first batch only) with its real credentials; store nothing, move no cursor")
    .argument('<name>', 'the source name (sources.<kind>[].name)')
    .option('-c, --config <file>', 'service config (default: $RADAR_CONFIG, config/radar.yaml, the example)')
    .option('--json', 'print the result as JSON (with the messages found)')
    .option('--timeout <duration>', 'give up after this long', '60s')
    .action(async (name: string, flags: { config?: string; json?: boolean; timeout: string }) => {
      const { config } = await loadConfigOrExit(flags.config);
      try {
        // Every source's client loads when the command runs (`radar --help` does without them).
        const [{ default: pino }, { parseDuration }, { createLogger }, { formatProbe, probeSource }] = await Promise.all([
          import('pino'), import('../src/config/duration.js'), import('../src/platform/log.js'), import('./source-probe.js'),
        ]);
        const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: pino.destination(2) });
        const timeoutMs = parseDuration(flags.timeout);
        if (timeoutMs === null || timeoutMs <= 0) throw new Error(`--timeout: "${flags.timeout}" is not a duration (e.g. 30s, 2m)`);
        const results = await probeSource(config, name, { log, timeoutMs });
        process.stdout.write(flags.json ? `${JSON.stringify(results, null, 2)}\n` : formatProbe(results));
        process.exitCode = results.every((r) => r.outcome === 'ok') ? 0 : 1;
      } catch (error) {
        process.stderr.write(`error: ${describeError(error)}\n`);
        process.exitCode = 1;
      }
    });
}
