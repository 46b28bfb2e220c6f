/**
 * A metric that follows traffic, then stops (the talk's "broken feature"), on real stores: traffic with a
 * daily wave and minute-to-minute noise, `logins` a tenth of it (its own small noise) until `decoupleAt`,
 * then flat at its mean, no longer moving with traffic. Written straight to the series store (what a push or
 * a pull source would have stored), so tests control every bucket. Deterministic (no Math.random).
 */
import type { ServiceContext } from '../../workers/context.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** A deterministic pseudo-random number in [-1, 1) for bucket t and stream `salt`. */
function noise(t: number, salt: number): number {
  let x = (Math.floor(t / MIN) * 2654435761 + salt * 40503) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0x5bd1e995) >>> 0;
  x ^= x >>> 15;
  return (x % 20000) / 10000 - 1;
}

/** Traffic in the bucket starting at t: 1000 ± 400 over the day, ± 60 per minute. */
export function trafficAt(t: number): number {
  return Math.round(1000 + 400 * Math.sin((2 * Math.PI * t) / DAY) + 60 * noise(t, 1));
}

/** `logins` in the bucket starting at t: a tenth of traffic (± 1) before `decoupleAt`, flat 100 ± 1 after. */
export function loginsAt(t: number, decoupleAt: number): number {
  return t < decoupleAt ? Math.round(trafficAt(t) / 10 + noise(t, 2)) : Math.round(100 + noise(t, 3));
}

/** Writes `traffic` and `logins` for the buckets of [from, to). */
export async function seedTrafficAndMetric(ctx: ServiceContext, from: number, to: number, decoupleAt: number, metric = 'logins'): Promise<void> {
  const traffic: Array<{ t: number; v: number }> = [];
  const logins: Array<{ t: number; v: number }> = [];
  for (let t = from; t < to; t += MIN) {
    traffic.push({ t, v: trafficAt(t) });
    logins.push({ t, v: loginsAt(t, decoupleAt) });
  }
  await ctx.store.series.set(ctx.config.series.reference, traffic);
  await ctx.store.series.set(metric, logins);
}
