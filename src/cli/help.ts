/**
 * `radar --help` lists every command, sub-commands included (`classify replay`, `alerts test-route`),
 * each under its full name, so nothing hides one level down. Applies to every command's help
 * (`radar classify --help` lists `classify eval`, `classify replay`, …).
 */
import { Help, type Command } from 'commander';

/** The full name of a command below the program: `classify replay` (the implicit `help` is just `help`). */
export function commandPath(cmd: Command): string {
  const names = [cmd.name()];
  for (let c = cmd.parent; c !== null && c.parent !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The visible commands under `cmd`, depth first; the implicit `help` command only at the top. */
function visibleDescendants(helper: Help, cmd: Command, top: boolean): Command[] {
  const out: Command[] = [];
  for (const sub of Help.prototype.visibleCommands.call(helper, cmd)) {
    // The implicit `help [command]` of a group has no parent: one at the top is enough.
    const implicit = sub.parent !== cmd;
    if (implicit && !top) continue;
    out.push(sub);
    if (!implicit) out.push(...visibleDescendants(helper, sub, false));
  }
  return out;
}

/** Makes `program`'s help (and that of every command created after this call) list commands in depth. */
export function configureHelp(program: Command): void {
  program.configureHelp({
    visibleCommands(this: Help, cmd: Command): Command[] {
      return visibleDescendants(this, cmd, true);
    },
    subcommandTerm(this: Help, cmd: Command): string {
      const term = Help.prototype.subcommandTerm.call(this, cmd);
      const path = commandPath(cmd);
      return `${path.slice(0, path.length - cmd.name().length)}${term}`;
    },
  });
}
