/**
 * Tweet ids are snowflakes: 64-bit numbers whose top bits are milliseconds since the X epoch. Ids are
 * compared as numbers (never as strings: "999" < "1000"), and a time can be turned into the smallest
 * id of that millisecond (what twitter-api-v2 itself does to page with `until_id` after `start_time`).
 */
const X_EPOCH_MS = 1288834974657n;

export const TWEET_ID = /^[0-9]{1,20}$/;

/** -1, 0 or 1 as `a` is older than, the same as, or newer than `b`. */
export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function maxId(a: string | null | undefined, b: string | null | undefined): string | null {
  if (a == null) return b ?? null;
  if (b == null) return a;
  return compareIds(a, b) >= 0 ? a : b;
}

export function minId(a: string | null | undefined, b: string | null | undefined): string | null {
  if (a == null) return b ?? null;
  if (b == null) return a;
  return compareIds(a, b) <= 0 ? a : b;
}

/** When the tweet with this id was created (epoch ms). Ids from before snowflakes (2010) give the X epoch. */
export function idTime(id: string): number {
  const ms = (BigInt(id) >> 22n) + X_EPOCH_MS;
  return Number(ms);
}

/** The smallest id a tweet created at `ms` can have: `since_id` of it means "created at or after ~ms". */
export function idFromTime(ms: number): string {
  const since = BigInt(Math.max(0, Math.floor(ms))) - X_EPOCH_MS;
  return (since > 0n ? since << 22n : 0n).toString();
}
