/**
 * The `radar` command: the entry point that wires everything together.
 * Each area registers its own sub-commands from `src/<area>/command.ts`.
 */
import { Command } from 'commander';
import { exitWithError } from './cli/errors.js';

const program = new Command();
program.name('radar').description('complaint-radar: complaints in, signals and alerts out').showHelpAfterError();

const registrations: Array<() => Promise<{ register: (program: Command) => void }>> = [
  () => import('./classify/command.js'),
  () => import('../workers/replay-command.js'),
  () => import('../workers/command.js'),
  () => import('../workers/retention-command.js'),
  () => import('./detect/command.js'),
  () => import('./alerting/command.js'),
  () => import('./sources/imap/command.js'),
];

for (const load of registrations) (await load()).register(program);

// A failure no command handled (a missing file, an unreadable config) is one line, not a stack trace.
try {
  await program.parseAsync(process.argv);
} catch (error) {
  exitWithError(error);
}
