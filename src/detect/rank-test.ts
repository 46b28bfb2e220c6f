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

/** Weighted evidence of the rank test: −log10 p (≤ 0 as log10 p) and its direction. */
export interface RankEvidence {
  readonly log10P: number;
  readonly direction: Direction;
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
 * Ranks `y` in the sample, updates the average and its variance, then keeps `y` in the sample at the stride.
 * Returns the weighted evidence in a watched direction once the sample is large enough, else null.
 */
export function rankTest(state: RankState, settings: RankSettings, y: number): RankEvidence | null {
  let evidence: RankEvidence | null = null;
  const len = state.rankLen;
  if (len > 0) {
    const sample = state.rankRef;
    let below = 0;
    for (let i = 0; i < len; i++) {
      const past = sample[i] as number;
      below += past < y ? 1 : past === y ? 0.5 : 0;
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
        evidence = { log10P: log10P * settings.weight, direction: z > 0 ? 'up' : 'down' };
      }
    }
  }
  state.rankTick += 1;
  if (state.rankTick >= settings.stride) {
    state.rankTick = 0;
    state.rankRef[state.rankPos] = y;
    state.rankPos = (state.rankPos + 1) % RANK_REF;
    if (state.rankLen < RANK_REF) state.rankLen += 1;
  }
  return evidence;
}
