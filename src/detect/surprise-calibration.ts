/**
 * Self-calibration of the evidence, as HTM's anomaly likelihood does: a point's surprise (−log10 p of its
 * strongest test) is judged against the distribution of past surprises (EWMA mean and variance), because real
 * metrics are not Gaussian and a series that is always a little surprising should not page.
 *
 * Returns the calibrated log10 p (≤ 0); the caller decides how to combine it with the exact one (counts may only
 * be discounted, never sharpened).
 *
 * @example
 * const state = { surpriseMean: 0, surpriseVar: 0 };
 * const settings = { floor: CALIBRATION_FLOOR, memory: 1000, winsor: 25 };
 * judgeSurprise(state, settings, -3); // ≈ log10 P(Z > 3 / floor): the first surprise is judged on the floor
 * learnSurprise(state, settings, -3, 1); // then learnt: surpriseMean 3
 */
import { log10NormalTail, log10NormalTailBound } from './tail-probability.js';

/** The part of the detector's state the calibration owns. */
export interface CalibrationState {
  /** EWMA mean and variance of past surprises. */
  surpriseMean: number;
  surpriseVar: number;
}

/**
 * Floor on the standard deviation of the surprise of continuous metrics: a series that is rarely surprised is not
 * paged for every mild surprise. NAB only moves with it, anomaly-extra not (0.1 → 0.2 for every series: NAB 58.73 →
 * 62.12, alert column 58.71 → 61.80, leave-one-corpus-out 57.24 → 61.36, no NAB corpus worse; anomaly-extra PA-F1
 * 0.811 → 0.811, false alerts/day 0.097 → 0.096; 0.3: NAB 62.04 but leave-one-corpus-out 58.84), so a constant.
 */
export const CALIBRATION_FLOOR = 0.2;
/**
 * The same for counts, whose exact tails the calibration may only discount: 0.1 (0.2 there cost the complaint
 * scenarios a few incidents).
 */
export const COUNTS_CALIBRATION_FLOOR = 0.1;

export interface CalibrationSettings {
  /** Floor on the standard deviation of the surprise. */
  readonly floor: number;
  /** Points of memory of the mean and variance (a running mean before that). */
  readonly memory: number;
  /** Winsorise the surprise that teaches the distribution at mean + this many sd (0 = off). */
  readonly winsor: number;
}

/**
 * Judges the surprise `-log10P` against past surprises (`learnSurprise` learns it, when the caller decides the point
 * is one to learn from). `beatenBy` is another test's log10 p that the caller takes instead of a calibrated value
 * above it: when the calibrated log10 p is certainly above it, a lower bound of it (also above `beatenBy`) is
 * returned and the exact tail not computed (+Infinity, the default: nothing to beat, always exact).
 */
export function judgeSurprise(state: Readonly<CalibrationState>, settings: CalibrationSettings, log10P: number, beatenBy = Number.POSITIVE_INFINITY): number {
  const sd = Math.sqrt(state.surpriseVar) + settings.floor;
  const judged = (-log10P - state.surpriseMean) / sd;
  // The bound is below 0: with nothing below 0 to beat (counts, no rank evidence) it is not even looked up.
  const bound = beatenBy < 0 ? log10NormalTailBound(judged) : Number.NEGATIVE_INFINITY;
  return bound > beatenBy ? bound : log10NormalTail(judged);
}

/** Learns the surprise `-log10P` into the distribution of past surprises (`pointsSeen` ≥ 1 sets the running-mean gain). */
export function learnSurprise(state: CalibrationState, settings: CalibrationSettings, log10P: number, pointsSeen: number): void {
  const surprise = -log10P;
  const sd = Math.sqrt(state.surpriseVar) + settings.floor;
  const gain = pointsSeen < settings.memory ? 1 / pointsSeen : 1 / settings.memory;
  let deviation = surprise - state.surpriseMean;
  if (settings.winsor > 0 && deviation > settings.winsor * sd) deviation = settings.winsor * sd;
  state.surpriseMean += gain * deviation;
  state.surpriseVar = (1 - gain) * (state.surpriseVar + gain * deviation * deviation);
}

/**
 * The evidence a test's exact log10 p becomes once calibrated: counts have exact tails already, so the calibration
 * may only discount them (a bursty, overdispersed series), never sharpen them (a Poisson series keeps its exact
 * tails); continuous metrics take the calibrated value.
 */
export function calibratedLog10P(exact: number, calibrated: number, counts: boolean): number {
  return counts ? Math.max(exact, calibrated) : calibrated;
}
