/**
 * Options of a sub-command that shares option names with its parent (`classify --keywords` and
 * `classify eval --keywords`). Options are positional (see `src/cli.ts`): what follows a sub-command's
 * name is the sub-command's. An option given before it (`radar classify --keywords f eval`) still counts
 * when the sub-command's own option was left at its default.
 */
import type { Command, OptionValues } from 'commander';

export function subcommandOptions<T extends OptionValues>(command: Command): T {
  const options: OptionValues = { ...command.opts() };
  const parent = command.parent;
  if (parent !== null) {
    for (const [key, value] of Object.entries(parent.opts())) {
      if (parent.getOptionValueSource(key) === 'cli' && command.getOptionValueSource(key) !== 'cli') options[key] = value;
    }
  }
  return options as T;
}
