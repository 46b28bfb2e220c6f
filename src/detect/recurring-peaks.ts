/**
 * Recurring peaks: the largest residual above and below the prediction seen at each time of day on the past days,
 * fading with a half-life of a few days. A spike that comes back every day at about the same hour (a nightly job,
 * a daily batch) is a pattern, even when it jitters by some minutes or is too sharp for the averaged daily profile
 * to absorb: a residual not much larger than one seen at this time of day (or a neighbouring slot) on the days
 * before is not a new extreme. Only past days count: today's residuals join at midnight, so an incident is never
 * "familiar" from its own first points. Bounded: four numbers per time-of-day slot; O(1) amortised (the fold runs
 * once a day over the slots).
 *
 * @example
 * const st = recurringPeaksState(48);
 * learnPeak(st, day1 + 3.4 * HOUR, 6, 1.3, 0.8); // a 1.3 spike at 03:24
 * familiarUp(st, 7, day2 + 3.7 * HOUR);          // ≈ 1.04 the next day at 03:44 (neighbouring slot, faded by 0.8)
 */

/** The part of the detector's state this owns (arrays empty when off). */
export interface RecurringPeaksState {
  /** Per slot: the faded largest residual above / below the prediction on past days, and today's so far. */
  peakUp: number[];
  peakDown: number[];
  todayUp: number[];
  todayDown: number[];
  /** Per slot: the faded number of past days with a peak at or next to it (above / below). */
  daysUp: number[];
  daysDown: number[];
  /** The day (epoch days) today's peaks belong to; −1 before the first point. */
  peakDay: number;
}

const DAY = 86_400_000;

export function recurringPeaksState(slots: number): RecurringPeaksState {
  const zeros = (): number[] => new Array<number>(slots).fill(0);
  return { peakUp: zeros(), peakDown: zeros(), todayUp: zeros(), todayDown: zeros(), daysUp: zeros(), daysDown: zeros(), peakDay: -1 };
}

/** Per-day fade for a half-life of `halfLifeDays` days. */
export function dailyFade(halfLifeDays: number): number {
  return Math.pow(0.5, 1 / halfLifeDays);
}

function maxAround(peaks: readonly number[], slot: number): number {
  const n = peaks.length;
  const a = peaks[(slot + n - 1) % n] as number;
  const b = peaks[slot] as number;
  const c = peaks[(slot + 1) % n] as number;
  return a > b ? (a > c ? a : c) : b > c ? b : c;
}

/** The largest past-day residual above (`up`) or below the prediction at `slot` or its neighbours (0 when off). */
export function familiarPeak(state: RecurringPeaksState, slot: number, up: boolean, minDays: number): number {
  if (slot < 0 || slot >= state.peakUp.length) return 0;
  if (((up ? state.daysUp : state.daysDown)[slot] as number) < minDays) return 0;
  return maxAround(up ? state.peakUp : state.peakDown, slot);
}

/** Learns the residual `r` (value − prediction) at time `t` in `slot`; at a new day the past peaks fade by `fade` and take in the day before's. */
export function learnPeak(state: RecurringPeaksState, t: number, slot: number, r: number, fade: number): void {
  if (slot < 0 || slot >= state.peakUp.length) return;
  const day = Math.floor(t / DAY);
  if (day !== state.peakDay) {
    if (state.peakDay >= 0) {
      const f = Math.pow(fade, Math.max(1, day - state.peakDay));
      for (let i = 0; i < state.peakUp.length; i++) {
        state.daysUp[i] = (state.daysUp[i] as number) * f + (maxAround(state.todayUp, i) > 0 ? 1 : 0);
        state.daysDown[i] = (state.daysDown[i] as number) * f + (maxAround(state.todayDown, i) > 0 ? 1 : 0);
      }
      for (let i = 0; i < state.peakUp.length; i++) {
        const up = (state.peakUp[i] as number) * f;
        const down = (state.peakDown[i] as number) * f;
        const tu = state.todayUp[i] as number;
        const td = state.todayDown[i] as number;
        state.peakUp[i] = tu > up ? tu : up;
        state.peakDown[i] = td > down ? td : down;
        state.todayUp[i] = 0;
        state.todayDown[i] = 0;
      }
    }
    state.peakDay = day;
  }
  if (r > (state.todayUp[slot] as number)) state.todayUp[slot] = r;
  else if (-r > (state.todayDown[slot] as number)) state.todayDown[slot] = -r;
}
