/**
 * `radar classify replay`: its options and description. What it does (re-classify stored messages with
 * two model versions and show what changes) is in replay.ts, loaded when the command runs, so `radar
 * --help` and the other commands start without the classifier and the store.
 */
import { Option, type Command } from 'commander';
import type { ReplayOptions } from './replay.js';

export function register(program: Command): void {
  const classify = program.commands.find((c) => c.name() === 'classify');
  if (!classify) throw new Error('the classify command must be registered before replay');
  classify
    .command('replay')
    .description('re-classify stored messages with two model versions (default: the active one and a candidate) and show what changes (nothing is written)')
    .option('--from <version>', 'the version to compare from: a stored version id (default: the active one)')
    .option('--to <version|file>', 'the candidate: a stored version id, a keywords.yaml, or a learned layer JSON')
    .option('--keywords <file>', 'candidate keywords.yaml (same as --to <file>)')
    .option('--learned <file>', 'candidate learned layer JSON (same as --to <file.json>)')
    .option('--since <time>', 'ISO time, epoch ms, or a duration ago (default 7d)')
    .option('--until <time>', 'ISO time, epoch ms, or a duration ago (default now)')
    .option('--examples <n>', 'flipped messages to show', '20')
    .option('--json', 'print the report as JSON')
    .option('-c, --config <file>', 'service config (for the database URL and the current keyword file; default: $RADAR_CONFIG, config/radar.yaml, the example)')
    // The old spelling of -c (before every command named its config file -c/--config).
    .addOption(new Option('--service-config <file>').hideHelp())
    .action(async (flags: ReplayOptions) => (await import('./replay.js')).runReplay(flags));
}
