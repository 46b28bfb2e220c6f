/**
 * Correlation of a series with its reference (traffic), kept as exponentially weighted moments: a long window
 * (a few memories: "do the two usually move together?", which turns a drop into a `correlation_break`) and a short
 * one of about 30 points (the `correlation` shown with each point).
 *
 * Moments are `[mean x, mean y, mean x², mean y², mean xy]`.
 *
 * @example
 * const m = [0, 0, 0, 0, 0];
 * for (const [x, y] of [[1, 2], [2, 4], [3, 6]]) addToMoments(m, x, y, 1 / 3);
 * correlationOf(m); // 1 (up to rounding)
 */

/** The part of the detector's state this module owns. */
export interface CorrelationState {
  /** EWMA moments with the long gain (a quarter of the memory's). */
  corrLong: number[];
  /** EWMA moments over about 30 points. */
  corrShort: number[];
}

/** Gain of the short moments (about 30 points). */
const SHORT_GAIN = 1 / 30;

/** Moves the five moments towards (x, y) with gain `gain`. */
export function addToMoments(moments: number[], x: number, y: number, gain: number): void {
  moments[0] = (moments[0] as number) + gain * (x - (moments[0] as number));
  moments[1] = (moments[1] as number) + gain * (y - (moments[1] as number));
  moments[2] = (moments[2] as number) + gain * (x * x - (moments[2] as number));
  moments[3] = (moments[3] as number) + gain * (y * y - (moments[3] as number));
  moments[4] = (moments[4] as number) + gain * (x * y - (moments[4] as number));
}

/** Learns one (value, reference) pair into both the long and the short moments. */
export function learnCorrelation(state: CorrelationState, value: number, reference: number, longGain: number): void {
  addToMoments(state.corrLong, value, reference, longGain);
  addToMoments(state.corrShort, value, reference, SHORT_GAIN);
}

/** Pearson correlation from EWMA moments; null when either side is flat. */
export function correlationOf(moments: readonly number[]): number | null {
  const [meanX = 0, meanY = 0, meanXX = 0, meanYY = 0, meanXY = 0] = moments;
  const varX = meanXX - meanX * meanX;
  const varY = meanYY - meanY * meanY;
  if (!(varX > 1e-12 && varY > 1e-12)) return null;
  return (meanXY - meanX * meanY) / Math.sqrt(varX * varY);
}

/**
 * A series "follows" its reference when the long correlation is above this: the detector then calls a drop of
 * its share a `correlation_break`, and the dashboard draws its decoupling lane with this line marked (the rolling
 * correlation falling under it is the metric no longer moving with traffic).
 */
export const FOLLOWS_REFERENCE = 0.5;

/**
 * Does a series normally follow its reference? From what the detector stored per point (the long correlation):
 * yes when the median of the known values is above {@link FOLLOWS_REFERENCE}. The median, so a decoupling inside
 * the range (which lowers the long correlation slowly) does not hide the lane that shows it.
 *
 * @example
 * followsReference([0.9, 0.8, null, 0.4]); // true (median 0.8)
 * followsReference([0.1, null]); // false
 * followsReference([null]); // false (no reference, or too little history)
 */
export function followsReference(usual: ReadonlyArray<number | null | undefined>): boolean {
  const known = usual.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (known.length === 0) return false;
  const mid = Math.floor(known.length / 2);
  const median = known.length % 2 === 1 ? (known[mid] as number) : ((known[mid - 1] as number) + (known[mid] as number)) / 2;
  return median > FOLLOWS_REFERENCE;
}
