/**
 * Restarts the detector's tests (window average, CUSUMs and their guards, the counts window, the rank average):
 * evidence gathered before a change of baseline, model or a long gap is not evidence about what follows.
 */

/** The test fields of the detector's state. */
export interface TestState {
  /** Continuous window test: EWMA of the clipped z. */
  ez: number;
  /** CUSUMs (up, down, and the steeper spike one for counts). */
  cusUp: number;
  cusDown: number;
  cusSpike: number;
  /** Counts since each CUSUM last left zero: observed and expected sums. */
  upX: number;
  upMu: number;
  downX: number;
  downMu: number;
  /** Fill of the counts window ring. */
  ringLen: number;
  /** The rank test's average (its sample is kept). */
  rankAvg: number;
}

/** All tests back to zero. */
export function resetTests(state: TestState): void {
  state.ez = 0;
  state.cusUp = 0;
  state.cusDown = 0;
  state.cusSpike = 0;
  state.upX = 0;
  state.upMu = 0;
  state.downX = 0;
  state.downMu = 0;
  state.ringLen = 0;
  state.rankAvg = 0;
}
