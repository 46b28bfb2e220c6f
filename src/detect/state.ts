/**
 * The detector's whole memory: plain numbers and fixed-size arrays, JSON-serialisable, bounded in size
 * (at most a few hundred numbers whatever the length of the series).
 */

import { holdState, type HoldState } from './hold-policy.js';
import type { TestState } from './reset-tests.js';
import type { SeasonalMedianState } from './seasonal-median.js';
import { recurringPeaksState, type RecurringPeaksState } from './recurring-peaks.js';
import { spikeTailState, type SpikeTailState } from './spike-tail.js';

export const STATE_VERSION = 4;
export const MODEL_NONE = 0;
export const MODEL_COUNTS = 1;
export const MODEL_CONTINUOUS = 2;
/** Ring size of the counts window test (points). */
export const RING = 64;
/** Size of the reference sample of the continuous rank test (values, sampled at a stride). */
export const RANK_REF = 64;

export interface DetectorState extends HoldState, TestState, RecurringPeaksState, SpikeTailState {
  version: number;
  /** Points seen (non-null, in order). */
  n: number;
  lastT: number | null;
  step: number | null;
  /** 0 undecided, 1 counts, 2 continuous. */
  model: number;
  /** Warm-up moments: raw sum (for the auto decision and the first rate), sums of the normalised value. */
  sum: number;
  sumSq: number;
  sumX: number;
  sumRawSq: number;
  sumRef: number;
  allInts: boolean;
  firstT: number | null;

  // Baseline.
  level: number;
  /** Continuous: the deseasonalised level (the profiles are relative to it). */
  levelS: number;
  /** Mean absolute residual (continuous) / dispersion φ (counts). */
  dev: number;
  disp: number;
  /** Seasonal profiles: daily slots and weekly slots (additive for continuous, ratio-of-sums for counts). */
  daySlots: number;
  weekSlots: number;
  day: number[];
  dayDen: number[];
  week: number[];
  weekDen: number[];
  /** Continuous: per daily slot (half hours), mean absolute errors of the plain and the daily predictor. */
  slotErr0: number[];
  slotErr1: number[];
  /** Mean absolute errors of: no season, daily, daily + weekly, the seasonal median. */
  err0: number;
  err1: number;
  err2: number;
  err3: number;
  /** Continuous: the robust seasonal baseline (median of the same time of day over past days); null when off. */
  median: SeasonalMedianState | null;
  /** Counts: rate as a ratio of exponentially weighted sums. */
  rateNum: number;
  rateDen: number;
  lastRef: number | null;
  /**
   * Counts (auto model): how well the Poisson model fits: EWMA of the squared Pearson residual (x − μ)²/μ over
   * points with μ ≥ 1 (1 for Poisson), how many fed it, and EWMA mean and variance of the value per reference
   * unit (to seed a continuous model when the fit says the series is not counts).
   */
  fit: number;
  fitN: number;
  xMean: number;
  xVar: number;

  // Tests: the restartable fields (ez, CUSUMs, ringLen, rankAvg, …) come from TestState (reset-tests.ts).
  ringX: number[];
  ringMu: number[];
  ringPos: number;
  min: number;
  max: number;
  /** Continuous rank test: a strided reference sample of past (deseasonalised) values, its fill and write position. */
  rankRef: number[];
  rankLen: number;
  rankPos: number;
  rankTick: number;
  /** Long-run variance of the rank test's average (the average itself is in TestState). */
  rankVar: number;

  // Correlation with the reference (EWMA moments, long and short).
  corrLong: number[];
  corrShort: number[];

  /** Self-calibration: EWMA mean and variance of the surprise (−log10 p) of past points. */
  surpriseMean: number;
  surpriseVar: number;

  // De-duplication: the hold policy's fields (holdLeft, holdMax, …) come from HoldState (hold-policy.ts).
}

function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

export function initialState(): DetectorState {
  return {
    version: STATE_VERSION,
    n: 0,
    lastT: null,
    step: null,
    model: MODEL_NONE,
    sum: 0,
    sumSq: 0,
    sumX: 0,
    sumRawSq: 0,
    sumRef: 0,
    allInts: true,
    firstT: null,
    level: 0,
    levelS: 0,
    dev: 0,
    disp: 1,
    daySlots: 0,
    weekSlots: 0,
    day: [],
    dayDen: [],
    week: [],
    weekDen: [],
    slotErr0: [],
    slotErr1: [],
    err0: 0,
    err1: 0,
    err2: 0,
    err3: 0,
    median: null,
    rateNum: 0,
    rateDen: 0,
    lastRef: null,
    fit: 1,
    fitN: 0,
    xMean: 0,
    xVar: 0,
    ez: 0,
    cusUp: 0,
    cusDown: 0,
    cusSpike: 0,
    upX: 0,
    upMu: 0,
    downX: 0,
    downMu: 0,
    ringX: zeros(RING),
    ringMu: zeros(RING),
    ringPos: 0,
    ringLen: 0,
    min: 0,
    max: 0,
    rankRef: zeros(RANK_REF),
    rankLen: 0,
    rankPos: 0,
    rankTick: 0,
    rankAvg: 0,
    rankVar: 0,
    corrLong: zeros(5),
    corrShort: zeros(5),
    surpriseMean: 0,
    surpriseVar: 0,
    ...spikeTailState(),
    ...holdState(),
    ...recurringPeaksState(0),
  };
}

export { zeros };
