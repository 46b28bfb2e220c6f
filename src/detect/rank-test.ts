/**
 * Distribution-change test for continuous series. Each (deseasonalised) value is ranked within a reference sample
 * of past values (one value kept every `stride` points, `RANK_REF` at most, so the sample spans about a warm-up);
 * the EWMA of the centred ranks over `window` points, divided by its own long-run spread (real series are
 * autocorrelated), is a z statistic. Robust to bursts: a subtle bump in a bursty series moves many ranks a little.
 *
 * The test is self-normalised, so it bypasses the surprise calibration; its −log10 p is weighted before it competes
 * with the calibrated tests.
 *
 * @example
 * const state = rankState();
 * for (const y of [1, 2, 3, 1, 2, 3]) rankTest(state, settings, y); // fills the reference sample
 * rankTest(state, settings, 10); // ranks 10 above all of it: an upward candidate once `minRef` values are kept
 */
import type { Direction } from '../domain/anomaly.js';
import { RANK_REF } from './state.js';
import { log10NormalTail } from './tail-probability.js';

/** The part of the detector's state this test owns. */
export interface RankState {
  /** Reference sample of past values (a ring of RANK_REF), its fill, write position and the stride counter. */
  rankRef: number[];
  rankLen: number;
  rankPos: number;
  rankTick: number;
  /** EWMA of the centred ranks of recent values in the sample, and the long-run variance of that average. */
  rankAvg: number;
  rankVar: number;
}

export interface RankSettings {
  /** Points of the rank average (its EWMA gain is 1/window). */
  readonly window: number;
  /** Points of memory of the rank average's variance. */
  readonly varMemory: number;
  /** The test is judged only once the sample holds this many values. */
  readonly minRef: number;
  /** Weight of its −log10 p against the calibrated tests. */
  readonly weight: number;
  /** One value in `stride` points enters the sample. */
  readonly stride: number;
  readonly up: boolean;
  readonly down: boolean;
}

/**
 * The rank test's constants (not options: see each; its span and weight are the options `rankSpan` and
 * `rankWeight`). Turning the test off moved both corpora (alert column 58.01, anomaly-extra PA-F1 0.808), so it stays.
 */
// Points of the rank average (its EWMA gain is 1/RANK_WINDOW): about an hour of minutely points (not swept alone).
export const RANK_WINDOW = 60;
// Memory of the rank average's variance: NAB only (500: alert 57.98; anomaly-extra F1 −0.003, false alerts −4%).
export const RANK_VAR_MEMORY = 1000;
// The test is judged once the sample holds this many values: anomaly-extra only (48: false alerts/day 0.107;
// NAB 58.82, alert 58.53).
export const RANK_MIN_REF = 32;

/** Weighted evidence of the rank test: −log10 p (≤ 0 as log10 p) and its direction. */
export interface RankEvidence {
  log10P: number;
  direction: Direction;
}

/** A fresh state: an empty sample. */
export function rankState(): RankState {
  return { rankRef: new Array<number>(RANK_REF).fill(0), rankLen: 0, rankPos: 0, rankTick: 0, rankAvg: 0, rankVar: 0 };
}

/** Forgets the reference sample (it describes the time before a change); the averages stay. */
export function forgetRankSample(state: RankState): void {
  state.rankLen = 0;
  state.rankPos = 0;
}

/**
 * A sorted copy of the sample (derived, not part of the JSON state): ranking by binary search is O(log n) per
 * point instead of a pass over the sample; it changes only when a value enters the sample (every `stride`
 * points). Kept per state object and rebuilt from the ring whenever it no longer matches it (a restored state, a
 * forgotten sample).
 */
interface SortedSample {
  readonly ring: number[];
  readonly values: Float64Array;
  len: number;
  pos: number;
}

const sortedSamples = new WeakMap<RankState, SortedSample>();
/** The last state asked for and its copy (one detector calls with the same state point after point). */
let lastState: RankState | null = null;
let lastSorted: SortedSample | undefined;

function sortedSample(state: RankState): SortedSample {
  let sorted = state === lastState ? lastSorted : sortedSamples.get(state);
  if (sorted === undefined || sorted.ring !== state.rankRef || sorted.len !== state.rankLen || sorted.pos !== state.rankPos) {
    const values = new Float64Array(RANK_REF);
    for (let i = 0; i < state.rankLen; i++) values[i] = state.rankRef[i] as number;
    values.subarray(0, state.rankLen).sort();
    sorted = { ring: state.rankRef, values, len: state.rankLen, pos: state.rankPos };
    sortedSamples.set(state, sorted);
  }
  lastState = state;
  lastSorted = sorted;
  return sorted;
}

/** The first index in values[0, len) whose value is ≥ y (strict = false) or > y (strict = true). */
function bound(values: Float64Array, len: number, y: number, strict: boolean): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = values[mid] as number;
    if (v < y || (strict && v === y)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Replaces `out` (when the ring is full) by `y` in the sorted copy, keeping it sorted: the first occurrence of `out`
 * leaves, `y` goes after the values equal to it, and only the values between the two places move (one shift, not a
 * removal and an insertion over the rest of the sample). `above` is the number of values ≤ y when the caller has
 * counted them, else −1.
 */
function replaceSorted(sorted: SortedSample, out: number | null, y: number, above: number): void {
  const values = sorted.values;
  const len = sorted.len;
  // Where y goes among the values (after any equal to it), the leaving one still counted (the caller may know it).
  let at = above >= 0 ? above : bound(values, len, y, true);
  if (out === null) {
    for (let i = len; i > at; i--) values[i] = values[i - 1] as number;
    values[at] = y;
    sorted.len = len + 1;
    return;
  }
  const gone = bound(values, len, out, false);
  if (gone < at) {
    // The leaving value is at or below y: the values between move down one place.
    at -= 1;
    for (let i = gone; i < at; i++) values[i] = values[i + 1] as number;
  } else {
    for (let i = gone; i > at; i--) values[i] = values[i - 1] as number;
  }
  values[at] = y;
}

/**
 * Ranks `y` in the sample, updates the average and its variance, then keeps `y` in the sample at the stride.
 * Returns the weighted evidence in a watched direction once the sample is large enough, else null; written into
 * `out` when given (a per-point caller allocates nothing).
 */
export function rankTest(state: RankState, settings: RankSettings, y: number, out?: RankEvidence): RankEvidence | null {
  let evidence: RankEvidence | null = null;
  const len = state.rankLen;
  // Values that do not order (NaN) take the plain pass, which treats them as neither below nor equal.
  const ordered = y === y;
  const sorted = ordered ? sortedSample(state) : null;
  // Values ≤ y in the sorted copy, where y would enter it (−1: not counted).
  let upper = -1;
  if (len > 0) {
    let below = 0;
    if (sorted !== null) {
      // Values below count 1, equal ones 1/2 (the same sum as the pass over the ring).
      const values = sorted.values;
      const lower = bound(values, len, y, false);
      upper = lower;
      while (upper < len && values[upper] === y) upper += 1;
      below = lower + 0.5 * (upper - lower);
    } else {
      const sample = state.rankRef;
      for (let i = 0; i < len; i++) {
        const past = sample[i] as number;
        below += past < y ? 1 : past === y ? 0.5 : 0;
      }
    }
    const gain = 1 / settings.window;
    state.rankAvg += gain * (below / len - 0.5 - state.rankAvg);
    if (len >= settings.minRef) {
      // Variance of the average of independent uniform centred ranks: the floor of its scale.
      const nullVariance = gain / (2 - gain) / 12;
      const variance = state.rankVar > nullVariance ? state.rankVar : nullVariance;
      const z = state.rankAvg / Math.sqrt(variance);
      const varianceGain = 1 / settings.varMemory;
      const squared = state.rankAvg * state.rankAvg;
      state.rankVar += varianceGain * ((squared < 16 * variance ? squared : 16 * variance) - state.rankVar);
      if (z > 0 ? settings.up : settings.down) {
        const log10P = log10NormalTail(z > 0 ? z : -z);
        evidence = out ?? { log10P: 0, direction: 'up' };
        evidence.log10P = log10P * settings.weight;
        evidence.direction = z > 0 ? 'up' : 'down';
      }
    }
  }
  state.rankTick += 1;
  if (state.rankTick >= settings.stride) {
    state.rankTick = 0;
    const out = state.rankLen === RANK_REF ? (state.rankRef[state.rankPos] as number) : null;
    // A NaN leaving the ring has no place in the sorted copy: rebuild it next time instead.
    if (sorted !== null && out !== out) {
      sortedSamples.delete(state);
      if (lastState === state) lastState = null;
    }
    else if (sorted !== null) replaceSorted(sorted, out, y, upper);
    state.rankRef[state.rankPos] = y;
    state.rankPos = (state.rankPos + 1) % RANK_REF;
    if (state.rankLen < RANK_REF) state.rankLen += 1;
    if (sorted !== null) sorted.pos = state.rankPos;
  }
  return evidence;
}
