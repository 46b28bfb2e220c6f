import { z } from 'zod';

/**
 * A zod refinement for a list of `{name}` entries: every name once, the repeat reported at its own
 * path (`[3].name`) with the message `duplicate source name "x"`.
 */
export function uniqueNames(what: string) {
  return (list: ReadonlyArray<{ readonly name: string }>, ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    list.forEach((entry, i) => {
      if (seen.has(entry.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'name'], message: `duplicate ${what} name "${entry.name}"` });
      seen.add(entry.name);
    });
  };
}
