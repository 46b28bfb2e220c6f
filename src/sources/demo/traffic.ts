/**
 * The demo's traffic curve: visits per minute of a big web mail, as a pure function of (seed, t).
 *
 * - Daily shape in Moscow time (UTC+3, no daylight saving): a night trough at about 12% of the peak
 *   around 04:30, a morning hump (peak at 11:00), a softer afternoon, an evening hump (about 0.9 of the
 *   peak around 21:00). On weekends people get up later: the morning hump moves to 12:30 and is lower.
 * - Weekly factor: weekdays 0.93–1.0, Saturday 0.72, Sunday 0.76; blended across midnight so the curve
 *   has no step.
 * - Noise: a day-level factor (±4%), a smooth hourly wander (±6%) and per-minute jitter (±2%).
 * - Surges (newsletters, see `schedule.ts`) multiply the visits; complaints follow in proportion.
 */
import { hashUnit } from './prng.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Moscow is UTC+3 all year. */
export const MOSCOW_OFFSET_MS = 3 * HOUR_MS;

const SALT_DAY = 11;
const SALT_HOUR = 12;
const SALT_MINUTE = 13;

/** Weekly factor by Moscow day of week, Sunday first (as `Date#getUTCDay`). */
const WEEKLY = [0.76, 0.97, 1.0, 0.99, 0.98, 0.93, 0.72] as const;

function bump(hour: number, centre: number, width: number): number {
  let d = Math.abs(hour - centre);
  if (d > 12) d = 24 - d;
  return Math.exp(-(d * d) / (2 * width * width));
}

function rawShape(hour: number, weekend: boolean): number {
  const morning = weekend ? 0.78 * bump(hour, 12.5, 2.8) : 0.88 * bump(hour, 11, 2.6);
  const afternoon = 0.42 * bump(hour, 15.5, 2.4);
  const evening = 0.8 * bump(hour, 21, 2.1);
  return 0.11 + morning + afternoon + evening;
}

// Normalised so the busiest weekday minute is 1.
const SHAPE_MAX = (() => {
  let max = 0;
  for (let m = 0; m < 1440; m++) max = Math.max(max, rawShape(m / 60, false));
  return max;
})();

/** Daily shape in (0, 1] for an hour of the day (Moscow time, fractional). */
export function dailyShape(hour: number, weekend: boolean): number {
  return rawShape(hour, weekend) / SHAPE_MAX;
}

function dayValue(dayIndex: number, hour: number): number {
  const dow = (((dayIndex + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return (WEEKLY[dow] ?? 1) * dailyShape(hour, dow === 0 || dow === 6);
}

/** Daily and weekly shape at `t` (epoch ms), before noise and surges; the weekday peak is 1. */
export function seasonalShape(t: number): number {
  const local = t + MOSCOW_OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  const hour = (local - day * DAY_MS) / HOUR_MS;
  const here = dayValue(day, hour);
  // Blend with the neighbouring day over the two hours either side of midnight.
  if (hour < 2) {
    const w = 0.5 + hour / 4;
    return w * here + (1 - w) * dayValue(day - 1, hour);
  }
  if (hour > 22) {
    const w = 0.5 + (24 - hour) / 4;
    return w * here + (1 - w) * dayValue(day + 1, hour);
  }
  return here;
}

/** Multiplicative noise at `t`: day level, a smooth hourly wander and minute jitter. */
export function trafficNoise(seed: number, t: number): number {
  const day = Math.floor((t + MOSCOW_OFFSET_MS) / DAY_MS);
  const dayLevel = 1 + 0.08 * (hashUnit(seed, SALT_DAY, day) - 0.5);
  const h = t / HOUR_MS;
  const h0 = Math.floor(h);
  const f = h - h0;
  const smooth = (1 - Math.cos(Math.PI * f)) / 2;
  const a = hashUnit(seed, SALT_HOUR, h0);
  const b = hashUnit(seed, SALT_HOUR, h0 + 1);
  const wander = 1 + 0.12 * (a + (b - a) * smooth - 0.5);
  const jitter = 1 + 0.04 * (hashUnit(seed, SALT_MINUTE, Math.floor(t / MINUTE_MS)) - 0.5);
  return dayLevel * wander * jitter;
}
