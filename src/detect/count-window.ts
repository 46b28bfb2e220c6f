/**
 * The counts window test's memory: the last RING counts and their expected values, summed back from the newest
 * until the expected sum reaches `minExpected` (adaptive aggregation: at 0.1 complaints a minute the window spans
 * 50 minutes, at 10 a minute just this one), so a Poisson tail on the sums judges a burst whatever the rate.
 *
 * @example
 * const w = countWindowState();
 * addCount(w, 3, 1); addCount(w, 4, 1);
 * windowSums(w, 2); // { observed: 7, expected: 2 }
 */
import { RING } from './state.js';

/** The part of the detector's state the window owns (a ring). */
export interface CountWindowState {
  ringX: number[];
  ringMu: number[];
  ringPos: number;
  ringLen: number;
}

/** Observed and expected sums over the window. */
export interface WindowSums {
  readonly observed: number;
  readonly expected: number;
}

/** An empty window. */
export function countWindowState(): CountWindowState {
  return { ringX: new Array<number>(RING).fill(0), ringMu: new Array<number>(RING).fill(0), ringPos: 0, ringLen: 0 };
}

/** Adds a count and its expected value (the oldest falls out after RING points). */
export function addCount(state: CountWindowState, count: number, expected: number): void {
  state.ringX[state.ringPos] = count;
  state.ringMu[state.ringPos] = expected;
  state.ringPos = (state.ringPos + 1) % RING;
  if (state.ringLen < RING) state.ringLen += 1;
}

/** Sums from the newest point back until the expected sum reaches `minExpected` (or the window is exhausted). */
export function windowSums(state: Readonly<CountWindowState>, minExpected: number): WindowSums {
  let observed = 0;
  let expected = 0;
  for (let back = 1; back <= state.ringLen; back++) {
    const j = (state.ringPos - back + RING) % RING;
    observed += state.ringX[j] ?? 0;
    expected += state.ringMu[j] ?? 0;
    if (expected >= minExpected) break;
  }
  return { observed, expected };
}
