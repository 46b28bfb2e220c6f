import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `500ms`, `15s`, `5m`, `2h`, `1d`, `1w` (or a number of milliseconds). Null when invalid. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(value);
  if (!match) return null;
  return Math.round(Number(match[1]) * (UNITS[match[2] as string] ?? 0));
}

/** A zod duration: accepts `15s`-style strings or milliseconds, yields milliseconds. */
export const duration = () =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${value}" is not a duration (use e.g. 500ms, 15s, 5m, 2h, 1d)` });
      return z.NEVER;
    }
    return ms;
  });
