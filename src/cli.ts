/**
 * The `radar` command: the entry point that wires everything together.
 * Each area registers its own sub-commands from `src/<area>/command.ts`; `bin/radar.js` calls `main`.
 */
import { Command } from 'commander';
import { exitWithError } from './cli/errors.js';
import { configureHelp } from './cli/help.js';

const registrations: Array<() => Promise<{ register: (program: Command) => void }>> = [
  () => import('./cli/classify-command.js'),
  () => import('../workers/replay-command.js'),
  () => import('../workers/versions-command.js'),
  () => import('../workers/command.js'),
  () => import('../workers/migrate-command.js'),
  () => import('../workers/retention-command.js'),
  () => import('./cli/detect-command.js'),
  () => import('./cli/alerting-command.js'),
  () => import('./sources/imap/command.js'),
  () => import('../workers/sources-command.js'),
];

/** The `radar` program with every sub-command registered (nothing runs until it is parsed). */
export async function buildProgram(): Promise<Command> {
  const program = new Command();
  program.name('radar').description('complaint-radar: complaints in, signals and alerts out').showHelpAfterError();
  // Before the registrations: sub-commands inherit these settings from their parent when created.
  configureHelp(program);
  // An option after a sub-command's name is the sub-command's: `classify replay --keywords f --json` is
  // replay's --keywords and --json, not those of `classify` itself.
  program.enablePositionalOptions();
  for (const load of registrations) (await load()).register(program);
  return program;
}

/** Runs `radar` with `argv` (as `process.argv`). */
export async function main(argv: readonly string[]): Promise<void> {
  const program = await buildProgram();
  // A failure no command handled (a missing file, an unreadable config) is one line, not a stack trace.
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    exitWithError(error);
  }
}
