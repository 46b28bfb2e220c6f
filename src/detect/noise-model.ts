/**
 * The noise model: Poisson counts (complaints: exact Poisson tails, ratio-of-sums rates and profiles) or a
 * continuous metric (additive level and profiles, a spread from the mean absolute residual). `auto` chooses on the
 * first points — whole, non-negative, small and about as variable as Poisson is counts — and re-checks the choice
 * after the warm-up: counts whose noise is far from Poisson are judged as continuous from then on. Choosing also
 * sizes the seasonal profiles and seeds the first baseline from the warm-up's moments.
 *
 * Works on the detector's whole state (a choice re-shapes the profiles, errors and baseline).
 */
import type { ModelOption } from './options.js';
import { MODEL_CONTINUOUS, MODEL_COUNTS, MODEL_NONE, zeros, type DetectorState } from './state.js';
import { seasonalMedianState } from './seasonal-median.js';
import { resetTests } from './reset-tests.js';
import { recurringPeaksState } from './recurring-peaks.js';
import { forgetRankSample } from './rank-test.js';

/** The options the noise model reads: the model asked for, the profiles, the warm-up in points. */
export interface ModelSettings {
  readonly model: ModelOption;
  readonly daily: boolean;
  readonly weekly: boolean;
  readonly warmup: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** σ of a normal per mean absolute deviation (√(π/2)). */
export const SIGMA_PER_MAD = 1.2533;
/** Points the auto model waits for before deciding counts vs continuous. */
export const AUTO_POINTS = 30;
/** The auto model takes whole non-negative numbers up to this mean as counts (above, counts behave like metrics). */
const AUTO_MAX_COUNT = 30;
/** Time-of-day bins of the per-slot predictor errors (half hours). */
const ERROR_SLOTS = 48;

/** Chooses the model and sizes the profiles once enough points were seen. */
export function chooseModel(o: ModelSettings, s: DetectorState, value: number, x: number, refv: number): void {
  const n = s.n;
  const mean = n > 0 ? s.sum / n : value;
  const meanX = n > 0 ? s.sumX / n : x;
  const variance = n > 1 ? Math.max(0, s.sumSq / n - meanX * meanX) : 0;
  let model = o.model === 'counts' ? MODEL_COUNTS : o.model === 'continuous' ? MODEL_CONTINUOUS : MODEL_NONE;
  if (model === MODEL_NONE) {
    // Counts look like counts: whole, non-negative, small, and about as variable as Poisson (not flat, not wild).
    const rawVar = n > 1 ? Math.max(0, s.sumRawSq / n - mean * mean) : 0;
    const poissonLike = mean < 1 || (rawVar >= 0.3 * mean && rawVar <= 5 * mean);
    model = s.allInts && s.min >= 0 && mean <= AUTO_MAX_COUNT && poissonLike ? MODEL_COUNTS : MODEL_CONTINUOUS;
  }
  s.model = model;
  const step = s.step ?? HOUR;
  s.daySlots = o.daily && step <= DAY / 8 ? Math.min(model === MODEL_COUNTS ? 48 : 288, Math.round(DAY / step)) : 0;
  s.weekSlots = o.weekly && step <= DAY / 4 ? (model === MODEL_COUNTS ? 7 : 168) : 0;
  s.day = zeros(s.daySlots);
  s.dayDen = zeros(s.daySlots);
  const errSlots = model === MODEL_CONTINUOUS ? Math.min(s.daySlots, ERROR_SLOTS) : 0;
  s.slotErr0 = zeros(errSlots);
  s.slotErr1 = zeros(errSlots);
  Object.assign(s, recurringPeaksState(errSlots));
  s.week = zeros(s.weekSlots);
  s.weekDen = zeros(s.weekSlots);
  if (model === MODEL_COUNTS) {
    const meanRef = n > 0 ? s.sumRef / n : refv;
    s.rateNum = mean;
    s.rateDen = meanRef > 0 ? meanRef : 1;
    s.disp = 1;
    s.dev = 0;
  } else {
    s.median = o.daily ? seasonalMedianState(step) : null;
    s.level = meanX;
    s.levelS = meanX;
    s.dev = Math.sqrt(variance) / SIGMA_PER_MAD;
    // The range test works on the normalised value.
    if (x !== value) {
      s.min = x;
      s.max = x;
    }
  }
}

/**
 * Counts whose noise is far from Poisson (a flat ~24 ± 0.9 that began with zeros, or a wildly bursty series) are
 * judged as continuous metrics from then on: the fit is re-checked after the warm-up and at every point after it
 * (auto model only). Limits: a quarter and 25 times the Poisson variance.
 */
const FIT_UNDER = 0.25;
const FIT_OVER = 25;

export function countsFitPoorly(o: ModelSettings, s: DetectorState, x: number): boolean {
  if (o.model !== 'auto' || s.n <= o.warmup) return false;
  if (!Number.isInteger(x) || x < 0) return true;
  return s.fitN >= o.warmup / 2 && (s.fit < FIT_UNDER || s.fit > FIT_OVER);
}

/** Switches a counts state to the continuous model, seeded from the recent mean and spread of the value. */
export function switchToContinuous(o: ModelSettings, s: DetectorState): void {
  s.model = MODEL_CONTINUOUS;
  const step = s.step ?? HOUR;
  s.daySlots = o.daily && step <= DAY / 8 ? Math.min(288, Math.round(DAY / step)) : 0;
  s.weekSlots = o.weekly && step <= DAY / 4 ? 168 : 0;
  s.day = zeros(s.daySlots);
  s.dayDen = [];
  s.week = zeros(s.weekSlots);
  s.weekDen = [];
  const errSlots = Math.min(s.daySlots, ERROR_SLOTS);
  s.slotErr0 = zeros(errSlots);
  s.slotErr1 = zeros(errSlots);
  Object.assign(s, recurringPeaksState(errSlots));
  s.err0 = 0;
  s.err1 = 0;
  s.err2 = 0;
  s.err3 = 0;
  s.median = o.daily ? seasonalMedianState(step) : null;
  s.level = s.xMean;
  s.levelS = s.xMean;
  s.dev = Math.sqrt(s.xVar) / SIGMA_PER_MAD;
  s.min = s.xMean - 2 * Math.sqrt(s.xVar);
  s.max = s.xMean + 2 * Math.sqrt(s.xVar);
  s.allInts = false;
  s.surpriseMean = 0;
  s.surpriseVar = 0;
  forgetRankSample(s);
  // Judged again only after a warm-up's worth of points under the new model.
  s.n = Math.max(1, Math.round(o.warmup / 2));
  resetTests(s);
}

/**
 * Whole-number series judged as metrics (counts too large for the count model) are noisier when busier: once a few
 * days were seen, their spread is the error of the predictor in use at this time of day (`slotDev`), kept within
 * [SLOT_SIGMA, SLOT_SIGMA_CEIL] × the overall spread `dev`, so a quiet night and a busy noon are each judged on
 * their own noise.
 * Off (one σ for the day): NAB 57.80 (alert 57.02), anomaly-extra PA-F1 0.803: both lose, so the part stays; a
 * ceiling of 3: NAB 59.15 (58.94), anomaly-extra unchanged (NAB only, so the values are constants).
 */
export const SLOT_SIGMA = 0.7;
export const SLOT_SIGMA_CEIL = 1.5;

export function timeOfDaySpread(dev: number, slotDev: number): number {
  return Math.min(SLOT_SIGMA_CEIL * dev, Math.max(SLOT_SIGMA * dev, slotDev));
}
