/**
 * The slots of a seasonal profile (time of day, time of week) and the gain a slot learns with.
 *
 * @example
 * slotOf(9.5 * HOUR, DAY, 48); // 19: the half hour 09:30–10:00
 * profileGain(0.1, 0, DAY, HOUR, 24); // 1: the first visit of a slot takes the value as it is
 */

/** Below this (in magnitude), whole numbers divide exactly enough: the rounded quotient is off by at most one. */
const EXACT = 2 ** 52;

/**
 * `t` modulo `period` in [0, period), to the bit the same as `((t % period) + period) % period`. For a whole,
 * non-negative time (epoch ms) and a whole period it is a division (two floating-point remainders are a library
 * call each, on every point); kept small so that it is inlined.
 */
export function phaseOf(t: number, period: number): number {
  // Whole numbers below 2^52: t − q × period is exact, and in [0, period) only when the quotient q was.
  const r = t - Math.floor(t / period) * period;
  return r >= 0 && r < period && t < EXACT && t > -EXACT && Math.floor(t) === t && Math.floor(period) === period ? r : remainder(t, period);
}

function remainder(t: number, period: number): number {
  return ((t % period) + period) % period;
}

/** The slot (0 … slots − 1) of time `t` (epoch ms) in a cycle of `period` ms. */
export function slotOf(t: number, period: number, slots: number): number {
  const phase = phaseOf(t, period);
  const slot = Math.floor((phase / period) * slots);
  return slot >= slots ? slots - 1 : slot;
}

/**
 * Gain per visit of a profile slot: a running mean over the first cycles, then `perCycle` per cycle spread over
 * the visits a slot gets in one cycle. `elapsed` is the time since the series began; `step` its step (null:
 * one visit per cycle).
 */
export function profileGain(perCycle: number, elapsed: number, period: number, step: number | null, slots: number): number {
  const visitsPerCycle = Math.max(1, period / (step ?? period) / slots);
  const visits = 1 + Math.floor((elapsed / period) * visitsPerCycle);
  return Math.max(perCycle / visitsPerCycle, 1 / visits);
}
