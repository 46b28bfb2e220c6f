/**
 * A small detector scenario on real stores: a steady complaint count per minute for one category (and
 * the total), traffic beside it, and an optional burst. Written straight to the series store (what
 * ingest would have counted), so tests control every bucket.
 */
import type { ServiceContext } from '../../workers/context.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

const PATTERN = [2, 3, 4, 3, 2, 5, 3, 1, 4, 3];

/** Complaints of `complaints.login` in the bucket starting at t (a fixed 10-minute pattern, mean 3). */
export function baseline(t: number): number {
  return PATTERN[Math.floor(t / MIN) % PATTERN.length] ?? 3;
}

export interface Burst {
  readonly from: number;
  readonly to: number;
  /** Complaints per minute during the burst. */
  readonly perMinute: number;
}

/** Writes buckets of [from, to): login complaints (the total the same), traffic 1000/min; bursts on top. */
export async function seedSeries(ctx: ServiceContext, from: number, to: number, bursts: readonly Burst[] = []): Promise<void> {
  const adds: Array<{ key: string; t: number; v: number }> = [];
  const traffic: Array<{ t: number; v: number }> = [];
  for (let t = from; t < to; t += MIN) {
    const burst = bursts.find((b) => t >= b.from && t < b.to);
    const v = burst ? burst.perMinute : baseline(t);
    adds.push({ key: 'complaints', t, v }, { key: 'complaints.login', t, v });
    traffic.push({ t, v: 1000 });
  }
  await ctx.store.series.add(adds);
  await ctx.store.series.set('traffic', traffic);
}
