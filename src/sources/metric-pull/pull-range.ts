/**
 * Which buckets a poll pulls: from the bucket after the cursor (or the backfill start) to the last
 * complete bucket, split into requests of at most `maxPoints` points each.
 */
import { bucketStart } from '../../series/counts.js';

/** Start of the last bucket that ended at least `delay` before `now`. */
export function lastCompleteBucket(now: number, delay: number, step: number): number {
  return bucketStart(now - delay, step) - step;
}

export interface PullRange {
  /** First bucket start to pull. */
  readonly from: number;
  /** Last bucket start to pull (inclusive); `to < from` when nothing is complete yet. */
  readonly to: number;
  /** Buckets between the cursor and the backfill start that are too old to catch up on (0 normally). */
  readonly skipped: number;
}

/**
 * The range one query pulls at `now`: after `last` (start of the last bucket stored; null on the first
 * poll) up to the last complete bucket, never further back than `backfill`.
 */
export function pullRange(last: number | null, now: number, options: { readonly step: number; readonly delay: number; readonly backfill: number }): PullRange {
  const { step } = options;
  const to = lastCompleteBucket(now, options.delay, step);
  const earliest = bucketStart(now - options.backfill, step);
  const next = last === null ? earliest : bucketStart(last, step) + step;
  const from = Math.max(next, earliest);
  return { from, to, skipped: last === null ? 0 : Math.max(0, (from - next) / step) };
}

/** [from, to] (bucket starts, inclusive) in pieces of at most `maxPoints` buckets, oldest first. */
export function splitRange(from: number, to: number, step: number, maxPoints: number): Array<{ readonly from: number; readonly to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  for (let start = from; start <= to; start += maxPoints * step) out.push({ from: start, to: Math.min(to, start + (maxPoints - 1) * step) });
  return out;
}
