/**
 * Globs over series names: `*` matches any run of characters (dots included), `?` one character.
 *
 * @example globToRegExp('complaints.*').test('complaints.login') // true
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const ch of glob) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** True when `name` matches any of the compiled globs. */
export function matchesAny(patterns: readonly RegExp[], name: string): boolean {
  return patterns.some((p) => p.test(name));
}
