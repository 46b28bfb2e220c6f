/**
 * Self-calibration of the evidence, as HTM's anomaly likelihood does: a point's surprise (−log10 p of its
 * strongest test) is judged against the distribution of past surprises (EWMA mean and variance), because real
 * metrics are not Gaussian and a series that is always a little surprising should not page.
 *
 * Returns the calibrated log10 p (≤ 0); the caller decides how to combine it with the exact one (counts may only
 * be discounted, never sharpened).
 *
 * @example
 * const state = { surpriseMean: 0, surpriseVar: 0, surpriseAvg: 0 };
 * calibrateSurprise(state, settings, -3, 1); // ≈ log10 P(Z > 3 / floor): the first surprise is judged on the floor
 */
import { log10NormalTail } from './tail-probability.js';

/** The part of the detector's state the calibration owns. */
export interface CalibrationState {
  /** EWMA mean and variance of past surprises. */
  surpriseMean: number;
  surpriseVar: number;
  /** EWMA of the surprise itself (only with smooth < 1). */
  surpriseAvg: number;
}

export interface CalibrationSettings {
  /** The surprise is raised to this power first (0.5 tames heavy tails). */
  readonly power: number;
  /** EWMA gain applied to the surprise before it is judged (1 = none). */
  readonly smooth: number;
  /** Floor on the standard deviation of the surprise. */
  readonly floor: number;
  /** Points of memory of the mean and variance (a running mean before that). */
  readonly memory: number;
  /** Winsorise the surprise that teaches the distribution at mean + this many sd (0 = off). */
  readonly winsor: number;
}

/**
 * Judges the surprise `-log10P` against past surprises, then learns it. `pointsSeen` (≥ 1) sets the running-mean
 * gain over the first points.
 */
export function calibrateSurprise(
  state: CalibrationState,
  settings: CalibrationSettings,
  log10P: number,
  pointsSeen: number,
): number {
  let surprise = settings.power === 1 ? -log10P : Math.pow(-log10P, settings.power);
  if (settings.smooth < 1) {
    state.surpriseAvg += settings.smooth * (surprise - state.surpriseAvg);
    surprise = state.surpriseAvg;
  }
  const sd = Math.sqrt(state.surpriseVar) + settings.floor;
  const calibrated = log10NormalTail((surprise - state.surpriseMean) / sd);
  const gain = pointsSeen < settings.memory ? 1 / pointsSeen : 1 / settings.memory;
  let deviation = surprise - state.surpriseMean;
  if (settings.winsor > 0 && deviation > settings.winsor * sd) deviation = settings.winsor * sd;
  state.surpriseMean += gain * deviation;
  state.surpriseVar = (1 - gain) * (state.surpriseVar + gain * deviation * deviation);
  return calibrated;
}
