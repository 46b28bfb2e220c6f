/**
 * The streaming anomaly detector. Pure: no IO, no clock; time comes in with each point.
 *
 * Per point it predicts the value from an ensemble — a level, a level plus daily/weekly profiles, and the median of
 * the same time of day over the past week (`seasonal-median.ts`) — using whichever has predicted best recently,
 * times the reference series when there is one. It runs three tests on the residual (a point test, a short-window
 * test and a two-sided CUSUM) with exact Poisson tails for counts and calibrated normal tails for continuous
 * metrics, plus a range test. The noise model (counts vs continuous) is chosen on the first points and re-checked
 * after the warm-up. The strongest test, as −log10 p, becomes the score. After a detection the detector holds:
 * repeats are suppressed (only a much stronger score passes) and the level re-learns fast for a while, so a level
 * shift alerts once, at its onset; once the series is back near the baseline from before the detection, that
 * baseline comes back and the hold ends, so the next incident alerts again. Memory, cooldown and warm-up are
 * minutes, converted to points by the step (`options.ts`, `rowSettings`).
 *
 * The parts, each with its own state slice and unit test: `noise-model.ts` (counts vs continuous, re-checked),
 * `predictor-choice.ts` and `seasonal-slots.ts` / `seasonal-median.ts` (the predictors), `recurring-peaks.ts` (a
 * spike like the ones seen at this time of day on past days is a pattern), `count-window.ts`,
 * `rank-test.ts` and `tail-probability.ts` (tests), `surprise-calibration.ts` and `spike-tail.ts` (how surprising a
 * surprise is on this series), `hold-policy.ts` (hold, re-baseline,
 * re-arm, alert rule), `reference-correlation.ts`, `reset-tests.ts`. This file wires them per point.
 */
import type { AnomalyReason, DetectorPoint, Direction } from '../domain/anomaly.js';
import { resolveDetectorOptions, rowSettings, type DetectorOptions, type ResolvedDetectorOptions, type RowSettings } from './options.js';
import {
  initialState,
  MODEL_COUNTS,
  MODEL_NONE,
  RANK_REF,
  STATE_VERSION,
  type DetectorState,
} from './state.js';
import { log10NormalTail, log10PoissonLower, log10PoissonUpper } from './tail-probability.js';
import { learnSeasonalMedian, seasonalMedian } from './seasonal-median.js';
import { AUTO_POINTS, chooseModel, countsFitPoorly, SIGMA_PER_MAD, switchToContinuous, timeOfDaySpread } from './noise-model.js';
import { resetTests } from './reset-tests.js';
import { correlationOf, FOLLOWS_REFERENCE, learnCorrelation } from './reference-correlation.js';
import { forgetRankSample, RANK_MIN_REF, RANK_VAR_MEMORY, RANK_WINDOW, rankTest, type RankEvidence, type RankSettings } from './rank-test.js';
import { CALIBRATION_FLOOR, COUNTS_CALIBRATION_FLOOR, calibratedLog10P, judgeSurprise, learnSurprise, type CalibrationSettings } from './surprise-calibration.js';
import { profileGain, slotOf } from './seasonal-slots.js';
import { dailyFade, familiarPeak, learnPeak } from './recurring-peaks.js';
import { learnSpikeTail, spikeTailLog10P } from './spike-tail.js';
import { choosePredictor, SLOT_MIN_DAYS } from './predictor-choice.js';
import { addCount, windowSums } from './count-window.js';
import {
  clearRevert,
  countsReturnEvidence,
  gaussianReturnEvidence,
  holdElapse,
  holdScore,
  isBaselineFrozen,
  isHolding,
  isRearmed,
  isRearming,
  isReturnToNormal,
  rebaseEnded,
  shouldAlert,
  type HoldSettings,
} from './hold-policy.js';

export { correlationOf } from './reference-correlation.js';

/** A DetectorPoint plus the score before de-duplication (for the alert state machine and charts). */
export interface DetectorOutput extends DetectorPoint {
  readonly rawScore: number;
  /** Rolling (about 30 points) correlation with the reference series; null without one or when flat. */
  readonly correlation: number | null;
  /** The long correlation with the reference ("do the two usually move together?"); null without one or when flat. */
  readonly usualCorrelation: number | null;
}

export interface Detector {
  readonly options: ResolvedDetectorOptions;
  /** Feeds one point (epoch ms, value or null when missing, and the reference series' value at t). */
  update(t: number, value: number | null, reference?: number | null): DetectorOutput;
  /** The whole state as plain JSON. */
  snapshot(): DetectorState;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const LN10 = Math.LN10;
/** Band width (in σ) of the expected band. */
const BAND = 3;

// The method's constants. Each was a tuning option once; it is a constant because at most one of NAB and
// anomaly-extra moved with it (the note says which, from a sweep at the production defaults: NAB standard score /
// alert column, anomaly-extra point-adjusted F1 / false alerts per series-day; base 58.73 / 58.71, 0.811 / 0.097),
// because it did nothing at its default (armScore 0 = the threshold, calibration power 1, calibration smoothing 1),
// or because it duplicated another knob (scoreScale = 1 / sensitivity). The parts that could be switched off are
// always on: turning each off lost on both corpora (the calibration: NAB 37.16, PA-F1 0.715, 0.631 false
// alerts/day; the per-time-of-day predictor choice: NAB 55.58, PA-F1 0.801; the rank test: alert column 58.01,
// PA-F1 0.808; counts' calibration: alert column 57.85, false alerts/day 0.129). The time-of-day spread stays for
// whole numbers only (for every continuous series: NAB 59.67, but PA-F1 0.806). The options that remain are in
// options.ts, each with the two data sets that move with it.

/** Score = L / (L + SCORE_SCALE), L = sensitivity × (−log10 p): 0.5 ⇔ p = 1e-5. The same knob as `sensitivity`. */
const SCORE_SCALE = 5;
/** Extra −log10 p given to a value beyond the range seen so far (a new extreme). NAB only moves with it (3: NAB 58.70 / alert 58.62, extra F1 0.813; 12: 57.65 / 58.38, extra 0.811). */
const RANGE_BONUS = 6;
/**
 * Continuous: a new extreme gets at least this −log10 p after calibration (a novelty even in a series whose
 * calibration has learnt large surprises; HTM scores it 1). Neither corpus moves with it at the standard profile (5 or 20: NAB 58.64–58.73, alert 58.71, extra unchanged).
 */
const RANGE_EVIDENCE = 10;
/**
 * Continuous: residuals are clipped to ±PROFILE_CLIP_Z σ (not clipZ) before they teach the seasonal profiles: a jump
 * that recurs every day is a pattern. NAB only (4 = clip as the level: NAB 55.58, extra F1 0.813, false alerts +3%).
 */
const PROFILE_CLIP_Z = 50;
/** Gain per cycle of the seasonal profiles once several cycles were seen (counts). Counts only; neither corpus moves (0.2: NAB 58.69, extra unchanged). */
const SEASON_GAIN = 0.1;
/** The same for continuous metrics (slower: their profiles also learn large recurring residuals). NAB only (0.1: NAB 59.32 / alert 59.20; extra F1 0.813, false alerts −1%). */
const METRIC_SEASON_GAIN = 0.05;
/** Gain per day of the per-slot predictor errors (a running mean over the first days). NAB only (0.6: NAB 59.72 / 59.41; extra F1 +0.004, false alerts +4%). */
const SLOT_GAIN = 0.3;
/** Relative floor on σ (share of |level| and of the range seen). NAB only (0.002: NAB 58.50, alert 58.28; anomaly-extra PA-F1 0.809, false alerts unchanged). */
const SIGMA_FLOOR_REL = 0.001;
/** Poisson CUSUM shift ratios: up, down, and a steeper upward one for short spikes. Counts only: NAB moves, anomaly-extra (no count series) does not (ρ up 3: NAB 59.35; ρ down 0.2: 58.47; no spike CUSUM: 57.88; extra unchanged). The complaint scenarios are the count data these serve. */
const RHO_UP = 2;
const RHO_DOWN = 0.4;
const RHO_SPIKE = 4;
const LOG_RHO_UP = Math.log(RHO_UP);
const LOG_RHO_DOWN = Math.log(RHO_DOWN);
const LOG_RHO_SPIKE = Math.log(RHO_SPIKE);
/**
 * How often a count CUSUM really crosses e^S, as a share of e^−S per point: e^−S is Ville's bound on one excursion,
 * and under Poisson noise excursions rarely start and overshoot. Simulated (10^7 points per mean, restarting after
 * each crossing) for ρ = 0.4, 2 and 4 at means 0.1–30 and S = ln 10³ and ln 10⁴: 0.005–0.26 (ρ 2: 0.02 at a mean of
 * 0.1, 0.21 at 3–5; ρ 4: at most 0.17; ρ 0.4: at most 0.26). The bound used is twice the largest share measured, as
 * the detector's counts are not the simulation's: the rate is learnt, not known, and a complaint category also rises
 * with another category's incident (misclassified complaints). At the measured 0.25 the complaint scenarios (seed 1)
 * caught 5 more incidents and 101 earlier (445 min in all), but the demo replay paged on such rises: alerts about no
 * incident 1 / 1 / 3 -> 1 / 2 / 4 (seeds 42 / 7 / 3), where 0.5 keeps them at 1 / 1 / 3.
 */
const CUSUM_CROSSING_SHARE = 0.5;
/**
 * The count CUSUMs' evidence is S × CUSUM_GAIN / ln 10 (S in nats): at the default alert level (SCORE_SCALE decades,
 * p = 10^−5) a CUSUM then pages at most about as often per point as the point test does there (its crossing rate is at
 * most CUSUM_CROSSING_SHARE × e^−S = 10^−5), where e^−S alone was stricter than the point test; below that level the gain
 * is smaller than the share would allow, so a CUSUM at rest still scores 0. A gain, not an offset of
 * log10(1 / CUSUM_CROSSING_SHARE): an offset scores every point at rest above 0 and moves where the alerting's
 * correlation sees a series start to move (in the demo replay the complaints of an incident no longer joined its
 * metric's page). The point and window tests keep their exact tails.
 * Measured at the production defaults: complaint scenarios (seed 1) 282 -> 284 of 320 incidents caught, 63 caught
 * earlier (200 min in all), none later, false alarms per series-week 0.092 unchanged, none during surges (median
 * delay 4.0 min unchanged, as the oracle's); demo replay 37 -> 39 of 54 incidents alerted (seed 42; 7 and 3 unchanged),
 * alerts about no incident unchanged; NAB (realTweets, its count series) standard 68.31 -> 68.36, alert column
 * 67.59 -> 67.54, leave-one-corpus-out 67.58 -> 67.63; anomaly-extra (no count series) unchanged.
 */
const CUSUM_GAIN = SCORE_SCALE / (SCORE_SCALE - Math.log10(1 / CUSUM_CROSSING_SHARE));
/** Expected count a counts window test wants before it judges (adaptive aggregation). Neither corpus moves (10: NAB 58.73, extra unchanged). */
const WINDOW_COUNT = 5;
/**
 * Recurring peaks (`recurring-peaks.ts`, continuous series): a residual up to RECURRING_SHARE × the largest outlier
 * residual seen at this time of day (± one half-hour slot) on past days is a recurring pattern, once outliers were
 * seen there on about two past days (RECURRING_MIN_DAYS, faded counts), remembered with a half-life of 3 days.
 * First-guess values, not swept. Both move, in opposite directions (the one method change where the corpora disagree):
 * NAB alert column 61.44 -> 63.88 (realAWSCloudwatch 55.5 -> 64.2: daily CPU spikes), anomaly-extra PA-F1 0.811 ->
 * 0.808, false alerts/day 0.094 -> 0.094, recall@7 0.346 -> 0.312 (machine-01 labels its every-midnight event).
 * Requiring one past day only: NAB alert column 63.13, anomaly-extra PA-F1 0.809.
 */
const RECURRING_SHARE = 1.25;
const RECURRING_MIN_DAYS = 1.5;
const RECURRING_FADE = dailyFade(3);
/** Floor on the expected count per point (so a lone 4 a.m. complaint is not a 1e-9 event). Neither corpus moves (0.1: NAB 58.78, extra unchanged). */
const MU_FLOOR = 0.05;

/** The options with the time settings converted to points at the series' step. */
type Run = ResolvedDetectorOptions &
  RowSettings & {
    readonly rank: RankSettings;
    readonly calibration: CalibrationSettings;
    readonly countsCalibration: CalibrationSettings;
    readonly hold: HoldSettings;
  };

/** The hold policy's settings: anything that would alert arms a hold, nothing weaker does. */
function holdSettings(settings: ResolvedDetectorOptions, rows: RowSettings): HoldSettings {
  return { cooldown: rows.cooldown, rebase: rows.rebase, rearm: rows.rearm, armScore: settings.threshold };
}

/** The surprise calibration's settings: memory and winsorising from the options, the floor a constant per model. */
function calibrationSettings(settings: ResolvedDetectorOptions, counts: boolean): CalibrationSettings {
  const floor = counts ? COUNTS_CALIBRATION_FLOOR : CALIBRATION_FLOOR;
  return { floor, memory: settings.tuning.calibrationMemory, winsor: settings.tuning.calibrationWinsor };
}

/** The rank test's settings (its sample spans rankSpan warm-ups). */
function rankSettings(settings: ResolvedDetectorOptions, warmup: number): RankSettings {
  return {
    window: RANK_WINDOW,
    varMemory: RANK_VAR_MEMORY,
    minRef: RANK_MIN_REF,
    weight: settings.tuning.rankWeight,
    stride: Math.max(1, Math.round((settings.tuning.rankSpan * warmup) / RANK_REF)),
    up: settings.up,
    down: settings.down,
  };
}


const enum Test {
  None = 0,
  Point = 1,
  Window = 2,
  Cusum = 3,
  Range = 4,
}

export function createDetector(options: DetectorOptions = {}): Detector {
  return restoreDetector(options, initialState());
}

/** `owned`: the caller hands `saved` over (a state decoded for this detector alone): used as is, not copied. */
export function restoreDetector(options: DetectorOptions, saved: Readonly<DetectorState>, owned = false): Detector {
  const settings = resolveDetectorOptions(options);
  // A state of another version (an older detector) is not migrated: the detector starts afresh.
  // A snapshot of this version from before a part was added lacks that part's fields: they start empty (the part
  // stays off for that series until its model is chosen again), so the snapshot still restores.
  const state = saved.version === STATE_VERSION ? ({ ...initialState(), ...((owned ? saved : structuredClone(saved)) as DetectorState) } as DetectorState) : initialState();
  let run: Run | null = null;
  let runStep = 0;
  return {
    options: settings,
    update: (t, value, reference) => {
      const step = state.step ?? settings.step ?? MINUTE;
      if (run === null || runStep !== step) {
        const rows = rowSettings(settings, step);
        run = { ...settings, ...rows, rank: rankSettings(settings, rows.warmup), calibration: calibrationSettings(settings, false), countsCalibration: calibrationSettings(settings, true), hold: holdSettings(settings, rows) };
        runStep = step;
      }
      return update(run, state, t, value, reference);
    },
    snapshot: () => structuredClone(state),
  };
}

/** Scores a whole series in one go (the same code path as the streaming use). */
export function detectSeries(
  points: ReadonlyArray<{ readonly t: number; readonly v: number | null }>,
  reference: ReadonlyArray<number | null> | null = null,
  options: DetectorOptions = {},
): DetectorOutput[] {
  const detector = createDetector(options);
  const out: DetectorOutput[] = new Array<DetectorOutput>(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as { t: number; v: number | null };
    out[i] = reference === null ? detector.update(p.t, p.v) : detector.update(p.t, p.v, reference[i] ?? null);
  }
  return out;
}

function quiet(t: number, value: number | null, state: DetectorState): DetectorOutput {
  void state;
  return {
    t,
    value,
    score: 0,
    rawScore: 0,
    correlation: null,
    usualCorrelation: null,
    expected: null,
    lower: null,
    upper: null,
    direction: null,
    reason: null,
    alert: false,
  };
}

/**
 * Arguments this far apart have normal tails (as `log10NormalTail` computes them) that are clearly ordered: its slope
 * is at least 0.35 per unit of z, far above its approximation error (1.2e-7 relative below z = 6, about 3e-4 at the
 * switch to the asymptotic series there).
 */
const TAIL_GAP = 0.05;

/**
 * True when the tail at `arg` is certainly above (less extreme than) the tail at `other`, so it cannot be the
 * smallest log10 p (false when `other` is NaN, i.e. no candidate, or too large for the tails to stay finite).
 */
function tailBelow(arg: number, other: number): boolean {
  return other > arg + TAIL_GAP && other < 1e150;
}

/**
 * One direction's tail test into the verdict: `test` and `arg` that direction's (Test.None: no candidate), `other` the
 * other direction's argument (NaN when none), `range` whether the point is a new extreme in this direction.
 */
function judgeTail(verdict: Verdict, test: Test, range: boolean, arg: number, other: number, dir: Direction): void {
  if (test === Test.None) return;
  if (range) {
    // A new extreme is a novelty whatever the calibration says (HTM's spatial anomaly).
    if (-RANGE_EVIDENCE < verdict.postLp) {
      verdict.postLp = -RANGE_EVIDENCE;
      verdict.postDir = dir;
    }
    const lp = log10NormalTail(arg) - RANGE_BONUS;
    if (lp < verdict.lp) setVerdict(verdict, lp, Test.Range, dir);
  } else if (!tailBelow(arg, other)) {
    const lp = log10NormalTail(arg);
    if (lp < verdict.lp) setVerdict(verdict, lp, test, dir);
  }
}

/** x clipped to [−c, c]. Written so that its bytecode stays small enough for V8 to inline it at every call. */
function clip(x: number, c: number): number {
  if (x > c) return c;
  if (x < -c) return -c;
  return x;
}

function onGap(settings: Run, state: DetectorState, missing: number): void {
  state.ez *= Math.pow(1 - 1 / settings.tuning.window, missing);
  if (missing >= settings.tuning.window) resetTests(state);
}

function update(
  settings: Run,
  state: DetectorState,
  t: number,
  value: number | null,
  reference: number | null | undefined,
): DetectorOutput {
  // Time: infer the step, count missing points, ignore duplicates and points from the past.
  let missing = 0;
  if (state.lastT !== null) {
    const dt = t - state.lastT;
    if (!(dt > 0)) return quiet(t, value, state);
    if (state.step === null) state.step = settings.step ?? dt;
    else missing = Math.max(0, Math.round(dt / state.step) - 1);
  } else if (settings.step !== null) state.step = settings.step;
  state.lastT = t;
  holdElapse(state, 1 + missing, missing);
  if (value === null || !Number.isFinite(value)) {
    onGap(settings, state, missing + 1);
    return quiet(t, value, state);
  }
  if (missing > 0) onGap(settings, state, missing);

  // Reference: the series is judged relative to it (a traffic surge is not an incident).
  const hasRef = reference !== undefined;
  let refv = 1;
  if (hasRef) {
    if (reference !== null && Number.isFinite(reference) && reference >= 0) {
      refv = reference;
      if (reference > 0) state.lastRef = reference;
    } else refv = state.lastRef ?? 1;
  }

  if (state.firstT === null) state.firstT = t;
  if (state.model === MODEL_NONE) {
    // Collect the moments the auto decision (and the first baseline) needs.
    const xv = hasRef && settings.model !== 'counts' && refv > 0 ? value / refv : value;
    if (state.n === 0) {
      state.min = value;
      state.max = value;
    }
    if (!Number.isInteger(value)) state.allInts = false;
    if (value < state.min) state.min = value;
    if (value > state.max) state.max = value;
    // Explicit models wait too: the first level and spread come from these points, not from one value.
    const needed = Math.min(AUTO_POINTS, settings.warmup);
    if (state.n + 1 < needed) {
      state.n += 1;
      state.sum += value;
      state.sumRawSq += value * value;
      state.sumX += xv;
      state.sumSq += xv * xv;
      state.sumRef += refv;
      return quiet(t, value, state);
    }
    chooseModel(settings, state, value, xv, refv);
  }
  if (state.model === MODEL_COUNTS && countsFitPoorly(settings, state, value)) switchToContinuous(settings, state);
  state.n += 1;
  // Evidence piled up while the baseline was still being learnt is not evidence: the first verdict starts afresh.
  if (state.n === settings.warmup + 1) resetTests(state);
  return state.model === MODEL_COUNTS ? updateCounts(settings, state, t, value, refv, hasRef) : updateContinuous(settings, state, t, value, refv, hasRef);
}

interface Verdict {
  lp: number;
  test: Test;
  dir: Direction | null;
  /** A self-normalised test judged after calibration (its own scale already): −log10 p and direction. */
  postLp: number;
  postDir: Direction | null;
}

/** One verdict and one rank result, reused point after point (a point's verdict does not outlive it). */
const verdictScratch: Verdict = { lp: 0, test: Test.None, dir: null, postLp: 0, postDir: null };
const rankScratch: RankEvidence = { log10P: 0, direction: 'up' };

function freshVerdict(): Verdict {
  const verdict = verdictScratch;
  verdict.lp = 0;
  verdict.test = Test.None;
  verdict.dir = null;
  verdict.postLp = 0;
  verdict.postDir = null;
  return verdict;
}

function setVerdict(verdict: Verdict, lp: number, test: Test, dir: Direction): void {
  verdict.lp = lp;
  verdict.test = test;
  verdict.dir = dir;
}

function reasonOf(state: DetectorState, verdict: Verdict, hasRef: boolean): AnomalyReason | null {
  if (verdict.dir === null) return null;
  if (verdict.dir === 'down') {
    // With a reference, the series is judged as a share of it: a fall of that share while the two used to move
    // together is the metric no longer following traffic.
    if (hasRef) {
      const long = correlationOf(state.corrLong);
      if (long !== null && long > FOLLOWS_REFERENCE) return 'correlation_break';
    }
    return 'drop';
  }
  return verdict.test === Test.Point || verdict.test === Test.Range ? 'spike' : 'level_shift';
}

/** What a predictor expects of the point, and what the hold policy needs to tell a return to normal. */
interface Band {
  /** Expected value and the band around it (in the series' units). */
  expected: number;
  lower: number;
  upper: number;
  /** The baseline (level or rate) in the predictor's own terms, kept when a detection arms a hold. */
  baseline: number;
  /** The value expected had the baseline stayed at the one from before the last detection. */
  revertExpected: number;
  /** The noise around the expected value: the dispersion φ (counts) or σ in the series' units (continuous). */
  noise: number;
}

/** One band, reused point after point like the verdict (its numbers stay unboxed: nothing is allocated per point). */
const bandScratch: Band = { expected: 0.5, lower: 0.5, upper: 0.5, baseline: 0.5, revertExpected: 0.5, noise: 0.5 };

function bandOf(expected: number, lower: number, upper: number, baseline: number, revertExpected: number, noise: number): Band {
  const band = bandScratch;
  band.expected = expected;
  band.lower = lower;
  band.upper = upper;
  band.baseline = baseline;
  band.revertExpected = revertExpected;
  band.noise = noise;
  return band;
}

/** Turns the strongest test into the score, applies the hold (de-duplication) and the alert rule. */
function finish(
  settings: Run,
  state: DetectorState,
  t: number,
  value: number,
  verdict: Verdict,
  guardOk: boolean,
  band: Band,
  hasRef: boolean,
): DetectorOutput {
  const { expected, lower, upper, baseline, revertExpected, noise } = band;
  const counts = state.model === MODEL_COUNTS;
  const calibration = counts ? settings.countsCalibration : settings.calibration;
  // The self-normalised tests' log10 p (postLp) replaces a calibrated one above it, which is then not computed exactly.
  let lp = calibratedLog10P(verdict.lp, judgeSurprise(state, calibration, verdict.lp, verdict.postLp), counts);
  if (!counts) {
    // A spike is judged by how often spikes like it came before (`spike-tail.ts`), when that is the weaker verdict.
    // A new extreme is not (a novelty whatever came before, as in `judgeTail`).
    if (verdict.test === Test.Point) {
      const tail = spikeTailLog10P(state, verdict.lp);
      if (tail > lp) lp = tail;
    }
    learnSpikeTail(state, verdict.lp);
  }
  if (verdict.postLp < lp) {
    lp = verdict.postLp;
    verdict.dir = verdict.postDir;
    verdict.test = Test.Window;
  }
  // Squash the evidence L = −log10 p into [0,1) without saturating, so stronger evidence always ranks higher.
  const evidence = state.n > settings.warmup ? Math.max(0, settings.sensitivity * -lp) : 0;
  let raw = evidence / (evidence + SCORE_SCALE);
  learnSurprise(state, calibration, verdict.lp, state.n);
  // A move back towards the baseline from before the last detection is the incident ending, not a new one.
  if (isReturnToNormal(state, verdict.dir, value, revertExpected, expected)) {
    // Clearly back to normal: return to the old baseline at once.
    if (raw >= settings.hold.armScore) restoreBaseline(state);
    raw = 0;
  }
  // The incident is over once the series is back near the baseline from before it: restore that baseline (nothing
  // learnt from the incident) and end the hold, so the next incident alerts again.
  if (isRearming(state, settings.hold) && isRearmed(state, settings.hold, returnEvidence(settings, state, value, revertExpected, expected, noise), backInBand(state, value, band))) {
    restoreBaseline(state);
    raw = 0;
  }
  // While an incident is held, the band shown is the baseline from before it (the fast re-baselining serves the
  // tests; what the series should be doing is still the old level).
  const held = isHolding(state);
  const wasHolding = state.holdLeft > 0;
  const score = holdScore(state, settings.hold, raw, evidence, baseline, verdict.dir);
  if (!wasHolding && raw >= settings.hold.armScore) {
    resetTests(state);
    // The rank test's reference describes the time before the change: learn it afresh.
    forgetRankSample(state);
  }
  const alert = shouldAlert(state, settings.hold, score, settings.threshold, guardOk);
  const shown = raw >= settings.hold.armScore * 0.5 || score > 0;
  const shift = held ? revertExpected - expected : 0;
  return {
    t,
    value,
    score,
    rawScore: raw,
    correlation: hasRef ? correlationOf(state.corrShort) : null,
    usualCorrelation: hasRef ? correlationOf(state.corrLong) : null,
    expected: expected + shift,
    lower: Math.max(state.model === MODEL_COUNTS ? 0 : -Infinity, lower + shift),
    upper: upper + shift,
    direction: shown ? verdict.dir : null,
    reason: shown ? reasonOf(state, verdict, hasRef) : null,
    alert,
  };
}

/**
 * This point's evidence that the baseline from before the detection (`old`) is back rather than the incident's level:
 * the level re-learnt since (`current`), or at least the shift the CUSUMs are built for (counts: ×RHO_UP up,
 * ×RHO_DOWN down; metrics: 2·cusumK σ), so an incident that ended before it was learnt still re-arms.
 */
function returnEvidence(settings: Run, state: DetectorState, value: number, old: number, current: number, noise: number): number {
  if (!(noise > 0)) return 0;
  const up = state.revertDir > 0;
  if (state.model === MODEL_COUNTS) {
    const alt = up ? Math.max(current, RHO_UP * old) : Math.min(current, RHO_DOWN * old);
    return countsReturnEvidence(value, old, alt, noise);
  }
  const shift = 2 * settings.tuning.cusumK * noise;
  const alt = up ? Math.max(current, old + shift) : Math.min(current, old - shift);
  return gaussianReturnEvidence(value, old, alt, noise);
}

/**
 * Is the value back on the normal side of the band around the baseline from before the detection: not above it
 * after a rise, not below it after a drop. Counts: the band the alert sees while the incident is held (so the alert
 * has resolved when the detector re-arms; one σ is a run of zeros on a sparse series). Metrics: one σ, as before the
 * re-arm evidence (the shown band there re-arms NAB's spiky series too soon: NAB 64.28 -> 63.34, alert column 63.88
 * -> 63.61; anomaly-extra PA-F1 0.808 -> 0.812).
 */
function backInBand(state: DetectorState, value: number, band: Band): boolean {
  if (state.model !== MODEL_COUNTS) return state.revertDir > 0 ? value <= band.revertExpected + band.noise : value >= band.revertExpected - band.noise;
  const shift = band.revertExpected - band.expected;
  return state.revertDir > 0 ? value <= band.upper + shift : value >= band.lower + shift;
}

/** Back to the baseline from before the last detection; the tests start afresh. */
function restoreBaseline(state: DetectorState): void {
  if (state.model === MODEL_COUNTS) state.rateNum = state.revertLevel * state.rateDen;
  else {
    state.level = state.revertLevel;
    state.levelS = state.revertLevel;
  }
  clearRevert(state);
  resetTests(state);
}

/** Counts down the fast re-baselining; the tests start afresh when it ends. */
function endRebase(state: DetectorState): void {
  if (rebaseEnded(state)) resetTests(state);
}

function updateContinuous(
  settings: Run,
  state: DetectorState,
  t: number,
  value: number,
  refv: number,
  hasRef: boolean,
): DetectorOutput {
  const tuning = settings.tuning;
  const x = hasRef ? (refv > 0 ? value / refv : value / (state.lastRef ?? 1)) : value;
  const first = state.firstT ?? t;
  const daySlot = state.daySlots > 0 ? slotOf(t, DAY, state.daySlots) : -1;
  const weekSlot = state.weekSlots > 0 ? slotOf(t, WEEK, state.weekSlots) : -1;
  const dayOffset = daySlot >= 0 ? (state.day[daySlot] ?? 0) : 0;
  const weekOffset = weekSlot >= 0 ? (state.week[weekSlot] ?? 0) : 0;
  const elapsed = t - first;
  const errorSlot = daySlot >= 0 && state.slotErr0.length > 0 ? Math.floor((daySlot * state.slotErr0.length) / state.daySlots) : -1;
  // Two predictors: a plain level, and a deseasonalised level plus the profiles; the better one (by recent error)
  // is used, so a profile is trusted only once it really predicts.
  const p0 = state.level;
  const p1 = state.levelS + dayOffset;
  const p2 = p1 + weekOffset;
  // The seasonal median is robust to past incidents.
  const medianPrediction = state.median !== null ? seasonalMedian(state.median, t) : null;
  const mode = choosePredictor(state, daySlot, weekSlot, errorSlot, elapsed, medianPrediction !== null);
  const p3 = medianPrediction ?? p0;
  const levelBefore = mode === 0 || mode === 3 ? state.level : state.levelS;
  const pred = mode === 0 ? p0 : mode === 1 ? p1 : mode === 2 ? p2 : p3;
  const range = state.max - state.min;
  // Whole-number series (large counts, judged as metrics; `allInts` is decided on the first points) are noisier
  // when busier: once enough days were seen, σ is the error of the predictor in use at this time of day, kept
  // near the overall spread, so a quiet night and a busy noon are each judged on their own noise.
  let dev = state.dev;
  if (state.allInts && errorSlot >= 0 && elapsed >= SLOT_MIN_DAYS * DAY) {
    const slotDev = (mode === 0 || mode === 3 ? state.slotErr0[errorSlot] : state.slotErr1[errorSlot]) ?? dev;
    dev = timeOfDaySpread(dev, slotDev);
  }
  const sigma = Math.max(SIGMA_PER_MAD * dev, SIGMA_FLOOR_REL * Math.abs(pred), SIGMA_FLOOR_REL * range, 1e-9);
  const z = (x - pred) / sigma;
  // A spike or dip no larger than ones seen at this time of day on past days is a recurring pattern, not a new
  // extreme: it gives no point or range evidence (the window test and the CUSUMs still see it).
  const resid0 = x - pred;
  const peakSlot = errorSlot >= 0 && state.peakUp.length > 0 ? errorSlot : -1;
  const recurringUp = resid0 > 0 && peakSlot >= 0 && resid0 <= RECURRING_SHARE * familiarPeak(state, peakSlot, true, RECURRING_MIN_DAYS);
  const recurringDown = resid0 < 0 && peakSlot >= 0 && -resid0 <= RECURRING_SHARE * familiarPeak(state, peakSlot, false, RECURRING_MIN_DAYS);
  const zUp = recurringUp ? 0 : z;
  const zDown = recurringDown ? 0 : z;
  const clippedZ = clip(z, tuning.clipZ);

  // Tests.
  const windowGain = 1 / tuning.window;
  state.ez += windowGain * (clippedZ - state.ez);
  const windowZ = state.ez / Math.sqrt(windowGain / (2 - windowGain));
  const cusumK = tuning.cusumK;
  state.cusUp = Math.max(0, state.cusUp + clippedZ - cusumK);
  state.cusDown = Math.max(0, state.cusDown - clippedZ - cusumK);
  const verdict = freshVerdict();
  const learnt = state.n > settings.warmup / 2;
  // Tail probabilities are monotone: one per direction, for the larger of the point and window statistics (a new
  // extreme judges the point's own z instead, RANGE_BONUS stronger). The argument of each direction's tail first:
  // NaN when that direction has no candidate.
  const upStat = windowZ > zUp ? windowZ : zUp;
  const upTest = !(settings.up && upStat > 0) ? Test.None : windowZ > zUp ? Test.Window : Test.Point;
  const upRange = upTest !== Test.None && learnt && !recurringUp && x > state.max + tuning.rangeMargin * range;
  const upArg = upTest === Test.None ? Number.NaN : upRange && upTest === Test.Window ? z : upStat;
  const downStat = -windowZ > -zDown ? -windowZ : -zDown;
  const downTest = !(settings.down && downStat > 0) ? Test.None : -windowZ > -zDown ? Test.Window : Test.Point;
  const downRange = downTest !== Test.None && learnt && !recurringDown && x < state.min - tuning.rangeMargin * range;
  const downArg = downTest === Test.None ? Number.NaN : downRange && downTest === Test.Window ? -z : downStat;
  // Only the smallest log10 p wins (the first of equal ones): a tail whose argument is clearly below the other
  // direction's cannot be the smallest, so it is not evaluated (a logarithm and an exponential saved).
  judgeTail(verdict, upTest, upRange, upArg, downArg, 'up');
  if (settings.up) {
    const cusumLp = (-2 * cusumK * state.cusUp) / LN10;
    if (cusumLp < verdict.lp) setVerdict(verdict, cusumLp, Test.Cusum, 'up');
  }
  judgeTail(verdict, downTest, downRange, downArg, upArg, 'down');
  if (settings.down) {
    const cusumLp = (-2 * cusumK * state.cusDown) / LN10;
    if (cusumLp < verdict.lp) setVerdict(verdict, cusumLp, Test.Cusum, 'down');
  }

  const rank = rankTest(state, settings.rank, x - pred + levelBefore, rankScratch);
  if (rank !== null && rank.log10P < verdict.postLp) {
    verdict.postLp = rank.log10P;
    verdict.postDir = rank.direction;
  }

  // Learn (clipped residuals, unless re-baselining after a detection).
  const fast = state.rebaseLeft > 0;
  // Do not learn from points being alerted on: early in the re-baselining a flagged point leaves the level alone.
  const frozen = Math.abs(z) > tuning.clipZ && isBaselineFrozen(state, settings.hold);
  const resid = x - pred;
  const levelGain = fast ? tuning.fastGain : 1 / settings.memory;
  const errorGain = 1 / settings.memory;
  const residualCap = tuning.clipZ * sigma;
  state.err0 += errorGain * (Math.min(Math.abs(x - p0), residualCap) - state.err0);
  state.err1 += errorGain * (Math.min(Math.abs(x - p1), residualCap) - state.err1);
  state.err2 += errorGain * (Math.min(Math.abs(x - p2), residualCap) - state.err2);
  if (medianPrediction !== null) state.err3 = state.err3 === 0 ? Math.min(Math.abs(x - medianPrediction), residualCap) : state.err3 + errorGain * (Math.min(Math.abs(x - medianPrediction), residualCap) - state.err3);
  if (state.median !== null) learnSeasonalMedian(state.median, t, x);
  // Only outliers (beyond clipZ σ, the points that do not teach the baseline) are remembered as peaks.
  if (peakSlot >= 0 && learnt) learnPeak(state, t, peakSlot, Math.abs(z) > tuning.clipZ ? resid0 : 0, RECURRING_FADE);
  if (errorSlot >= 0) {
    // Gain per point: slotGain per day spread over the points a slot gets a day (a running mean at first).
    const perDay = Math.max(1, DAY / (state.step ?? DAY) / state.slotErr0.length);
    const slotErrorGain = Math.max(SLOT_GAIN / perDay, 1 / (1 + Math.floor((elapsed / DAY) * perDay)));
    state.slotErr0[errorSlot] = (state.slotErr0[errorSlot] ?? 0) + slotErrorGain * (Math.min(Math.abs(x - p0), residualCap) - (state.slotErr0[errorSlot] ?? 0));
    state.slotErr1[errorSlot] = (state.slotErr1[errorSlot] ?? 0) + slotErrorGain * (Math.min(Math.abs(x - p1), residualCap) - (state.slotErr1[errorSlot] ?? 0));
  }
  const levelResidual = x - p0;
  if (!frozen) state.level += levelGain * (fast ? levelResidual : clip(levelResidual, residualCap));
  state.dev += (fast ? tuning.fastGain * 0.25 : errorGain * 0.5) * (Math.min(Math.abs(resid), residualCap) - state.dev);
  if (daySlot >= 0 || weekSlot >= 0) {
    const seasonalResidual = x - p2;
    const levelStep = fast ? seasonalResidual : clip(seasonalResidual, residualCap);
    if (!frozen) state.levelS += levelGain * levelStep;
    // The profiles may learn from larger residuals than the level: a jump that recurs every day is a pattern.
    let profileStep = (fast || PROFILE_CLIP_Z <= tuning.clipZ ? levelStep : clip(seasonalResidual, PROFILE_CLIP_Z * sigma)) - levelGain * levelStep;
    if (daySlot >= 0) {
      const dayGain = profileGain(METRIC_SEASON_GAIN, elapsed, DAY, state.step, state.daySlots);
      state.day[daySlot] = dayOffset + dayGain * profileStep;
      profileStep -= dayGain * profileStep;
    }
    if (weekSlot >= 0) state.week[weekSlot] = weekOffset + profileGain(METRIC_SEASON_GAIN, elapsed, WEEK, state.step, state.weekSlots) * profileStep;
  } else state.levelS = state.level;
  if (x < state.min) state.min = x;
  if (x > state.max) state.max = x;
  if (hasRef) learnCorrelation(state, value, refv, 1 / (settings.memory * 4));
  endRebase(state);

  const scale = hasRef ? refv : 1;
  const revert = (pred - levelBefore + state.revertLevel) * scale;
  return finish(
    settings,
    state,
    t,
    value,
    verdict,
    true,
    bandOf(pred * scale, (pred - BAND * sigma) * scale, (pred + BAND * sigma) * scale, levelBefore, revert, sigma * scale),
    hasRef,
  );
}

function updateCounts(
  settings: Run,
  state: DetectorState,
  t: number,
  x: number,
  refv: number,
  hasRef: boolean,
): DetectorOutput {
  const tuning = settings.tuning;
  const first = state.firstT ?? t;
  const elapsed = t - first;
  const daySlot = state.daySlots > 0 ? slotOf(t, DAY, state.daySlots) : -1;
  const weekSlot = state.weekSlots > 0 ? slotOf(t, WEEK, state.weekSlots) : -1;
  const prior = 2;
  const dayFactor = daySlot >= 0 ? ((state.day[daySlot] ?? 0) + prior) / ((state.dayDen[daySlot] ?? 0) + prior) : 1;
  const weekFactor = weekSlot >= 0 ? ((state.week[weekSlot] ?? 0) + prior) / ((state.weekDen[weekSlot] ?? 0) + prior) : 1;
  const rate = (state.rateNum + 1e-9) / (state.rateDen + 1e-9);
  const base = rate * refv;
  const mode = choosePredictor(state, daySlot, weekSlot, -1, elapsed, false);
  const muRaw = base * (mode >= 1 ? dayFactor : 1) * (mode === 2 ? weekFactor : 1);
  const mu = Math.max(MU_FLOOR, muRaw);
  const dispersion = state.disp < 1 ? 1 : state.disp;
  const xScaled = x / dispersion;
  const muScaled = mu / dispersion;

  // Window test over the last m points, m adaptive so the expected sum reaches windowCount.
  addCount(state, x, mu);
  const { observed: windowX, expected: windowMu } = windowSums(state, WINDOW_COUNT);

  // CUSUMs with a time-varying baseline: LLR = x ln ρ − (ρ − 1) μ, scaled by the dispersion.
  state.cusUp = state.cusUp + (x * LOG_RHO_UP - (RHO_UP - 1) * mu) / dispersion;
  if (state.cusUp <= 0) {
    state.cusUp = 0;
    state.upX = 0;
    state.upMu = 0;
  } else {
    state.upX += x;
    state.upMu += mu;
  }
  // A second, steeper CUSUM for short sharp spikes (faster than the ρ = rhoUp one on them).
  state.cusSpike = Math.max(0, state.cusSpike + (x * LOG_RHO_SPIKE - (RHO_SPIKE - 1) * mu) / dispersion);
  state.cusDown = state.cusDown + (x * LOG_RHO_DOWN - (RHO_DOWN - 1) * mu) / dispersion;
  if (state.cusDown <= 0) {
    state.cusDown = 0;
    state.downX = 0;
    state.downMu = 0;
  } else {
    state.downX += x;
    state.downMu += mu;
  }

  const verdict = freshVerdict();
  // Exact tails only where they can matter (more than one standard deviation out); elsewhere p > 0.15 anyway.
  const windowXScaled = windowX / dispersion;
  const windowMuScaled = windowMu / dispersion;
  if (settings.up) {
    if (xScaled - muScaled > Math.sqrt(muScaled)) {
      const lp = log10PoissonUpper(xScaled, muScaled);
      if (lp < verdict.lp) setVerdict(verdict, lp, Test.Point, 'up');
    }
    if (windowXScaled - windowMuScaled > Math.sqrt(windowMuScaled)) {
      const lp = log10PoissonUpper(windowXScaled, windowMuScaled);
      if (lp < verdict.lp) setVerdict(verdict, lp, Test.Window, 'up');
    }
    const cusumLp = (-CUSUM_GAIN * state.cusUp) / LN10;
    if (cusumLp < verdict.lp) setVerdict(verdict, cusumLp, Test.Cusum, 'up');
    const spikeLp = (-CUSUM_GAIN * state.cusSpike) / LN10;
    if (spikeLp < verdict.lp) setVerdict(verdict, spikeLp, Test.Cusum, 'up');
  }
  if (settings.down) {
    if (muScaled - xScaled > Math.sqrt(muScaled)) {
      const lp = log10PoissonLower(xScaled, muScaled);
      if (lp < verdict.lp) setVerdict(verdict, lp, Test.Point, 'down');
    }
    if (windowMuScaled - windowXScaled > Math.sqrt(windowMuScaled)) {
      const lp = log10PoissonLower(windowXScaled, windowMuScaled);
      if (lp < verdict.lp) setVerdict(verdict, lp, Test.Window, 'down');
    }
    const cusumLp = (-CUSUM_GAIN * state.cusDown) / LN10;
    if (cusumLp < verdict.lp) setVerdict(verdict, cusumLp, Test.Cusum, 'down');
  }
  const guardOk =
    verdict.dir === 'up'
      ? Math.max(x - mu, windowX - windowMu, state.upX - state.upMu) >= settings.minCount
      : verdict.dir === 'down'
        ? Math.max(mu - x, windowMu - windowX, state.downMu - state.downX) >= settings.minCount
        : false;

  // Learn.
  const fast = state.rebaseLeft > 0;
  const residualCap = mu + tuning.clipZ * Math.sqrt(dispersion * mu) + 1;
  const clippedX = fast ? x : Math.min(x, residualCap);
  const levelGain = fast ? tuning.fastGain : 1 / settings.memory;
  const errorGain = 1 / settings.memory;
  const fullD = mode >= 1 ? dayFactor : 1;
  const fullW = mode === 2 ? weekFactor : 1;
  state.err0 += errorGain * (Math.abs(clippedX - base) - state.err0);
  state.err1 += errorGain * (Math.abs(clippedX - base * dayFactor) - state.err1);
  state.err2 += errorGain * (Math.abs(clippedX - base * dayFactor * weekFactor) - state.err2);
  state.rateNum += levelGain * (clippedX - state.rateNum);
  state.rateDen += levelGain * (refv * fullD * fullW - state.rateDen);
  if (daySlot >= 0) {
    const dayGain = profileGain(SEASON_GAIN, elapsed, DAY, state.step, state.daySlots);
    state.day[daySlot] = (state.day[daySlot] ?? 0) + dayGain * (clippedX - (state.day[daySlot] ?? 0));
    state.dayDen[daySlot] = (state.dayDen[daySlot] ?? 0) + dayGain * (base * weekFactor - (state.dayDen[daySlot] ?? 0));
  }
  if (weekSlot >= 0) {
    const weekGain = profileGain(SEASON_GAIN, elapsed, WEEK, state.step, state.weekSlots);
    state.week[weekSlot] = (state.week[weekSlot] ?? 0) + weekGain * (clippedX - (state.week[weekSlot] ?? 0));
    state.weekDen[weekSlot] = (state.weekDen[weekSlot] ?? 0) + weekGain * (base * dayFactor - (state.weekDen[weekSlot] ?? 0));
  }
  if (muRaw >= 1) {
    const d = ((x - mu) * (x - mu)) / mu;
    state.disp += (errorGain / 4) * (Math.min(d, 25) - state.disp);
    state.fitN += 1;
    state.fit += Math.max(1 / state.fitN, 1 / settings.warmup) * (d - state.fit);
  }
  const perReference = refv > 0 ? x / refv : x;
  const meanGain = Math.max(1 / state.n, errorGain);
  const meanDeviation = perReference - state.xMean;
  state.xMean += meanGain * meanDeviation;
  state.xVar = (1 - meanGain) * (state.xVar + meanGain * meanDeviation * meanDeviation);
  if (hasRef) learnCorrelation(state, x, refv, 1 / (settings.memory * 4));
  endRebase(state);

  const band = BAND * Math.sqrt(dispersion * mu);
  const revert = state.revertLevel > 0 ? Math.max(MU_FLOOR, (muRaw * state.revertLevel) / rate) : mu;
  return finish(
    settings,
    state,
    t,
    x,
    verdict,
    guardOk,
    bandOf(mu, Math.max(0, mu - band), mu + band, rate, revert, dispersion),
    hasRef,
  );
}
