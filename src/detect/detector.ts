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
 */
import type { AnomalyReason, DetectorPoint, Direction } from '../domain/anomaly.js';
import { resolveDetectorOptions, rowSettings, type DetectorOptions, type ResolvedDetectorOptions, type RowSettings } from './options.js';
import {
  initialState,
  MODEL_COUNTS,
  MODEL_NONE,
  RANK_REF,
  RING,
  STATE_VERSION,
  type DetectorState,
} from './state.js';
import { log10NormalTail, log10PoissonLower, log10PoissonUpper } from './tail-probability.js';
import { learnSeasonalMedian, seasonalMedian } from './seasonal-median.js';
import { AUTO_POINTS, chooseModel, countsFitPoorly, SIGMA_PER_MAD, switchToContinuous } from './noise-model.js';
import { resetTests } from './reset-tests.js';
import { correlationOf, learnCorrelation } from './reference-correlation.js';
import { forgetRankSample, rankTest, type RankSettings } from './rank-test.js';
import { calibrateSurprise, type CalibrationSettings } from './surprise-calibration.js';
import { profileGain, slotOf } from './seasonal-slots.js';
import {
  clearRevert,
  holdElapse,
  holdScore,
  isHolding,
  isRearmed,
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

/** The options with the time settings converted to points at the series' step. */
type Run = ResolvedDetectorOptions &
  RowSettings & { readonly rank: RankSettings; readonly calibration: CalibrationSettings; readonly hold: HoldSettings };

/** The hold policy's settings (armScore 0 means the alert threshold). */
function holdSettings(o: ResolvedDetectorOptions, rows: RowSettings): HoldSettings {
  return {
    cooldown: rows.cooldown,
    rebase: rows.rebase,
    rearm: rows.rearm,
    armScore: o.tuning.armScore > 0 ? o.tuning.armScore : o.threshold,
    escalate: o.tuning.escalate,
    escalateRatio: o.tuning.escalateRatio,
  };
}

/** The surprise calibration's settings from the options. */
function calibrationSettings(o: ResolvedDetectorOptions): CalibrationSettings {
  const tu = o.tuning;
  return {
    power: tu.calibrationPower,
    smooth: tu.calibrationSmooth,
    floor: tu.calibrationFloor,
    memory: tu.calibrationMemory,
    winsor: tu.calibrationWinsor,
  };
}

/** The rank test's settings from the options (its sample spans rankSpan warm-ups). */
function rankSettings(o: ResolvedDetectorOptions, warmup: number): RankSettings {
  const tu = o.tuning;
  return {
    window: tu.rankWindow,
    varMemory: tu.rankVarMemory,
    minRef: tu.rankMinRef,
    weight: tu.rankWeight,
    stride: Math.max(1, Math.round((tu.rankSpan * warmup) / RANK_REF)),
    up: o.up,
    down: o.down,
  };
}

/**
 * The seasonal median is used where its recent error is below this share of the chosen predictor's (0.5: on NAB
 * and anomaly-extra together 0.5 was about neutral — alert column +0.1, extra false alerts −5% — where 0.7 and 0.9
 * lost NAB points on realAWSCloudwatch and realKnownCause).
 */
const MEDIAN_GATE = 0.5;

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

export function restoreDetector(options: DetectorOptions, state: Readonly<DetectorState>): Detector {
  const o = resolveDetectorOptions(options);
  // A state of another version (an older detector) is not migrated: the detector starts afresh.
  const s = state.version === STATE_VERSION ? (structuredClone(state) as DetectorState) : initialState();
  let run: Run | null = null;
  let runStep = 0;
  return {
    options: o,
    update: (t, value, reference) => {
      const step = s.step ?? o.step ?? MINUTE;
      if (run === null || runStep !== step) {
        const rows = rowSettings(o, step);
        run = { ...o, ...rows, rank: rankSettings(o, rows.warmup), calibration: calibrationSettings(o), hold: holdSettings(o, rows) };
        runStep = step;
      }
      return update(run, s, t, value, reference);
    },
    snapshot: () => structuredClone(s),
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

function quiet(t: number, value: number | null, s: DetectorState): DetectorOutput {
  void s;
  return {
    t,
    value,
    score: 0,
    rawScore: 0,
    correlation: null,
    expected: null,
    lower: null,
    upper: null,
    direction: null,
    reason: null,
    alert: false,
  };
}

function clip(x: number, c: number): number {
  return x > c ? c : x < -c ? -c : x;
}

function onGap(o: Run, s: DetectorState, missing: number): void {
  s.ez *= Math.pow(1 - 1 / o.tuning.window, missing);
  if (missing >= o.tuning.window) resetTests(s);
}

function update(
  o: Run,
  s: DetectorState,
  t: number,
  value: number | null,
  reference: number | null | undefined,
): DetectorOutput {
  // Time: infer the step, count missing points, ignore duplicates and points from the past.
  let missing = 0;
  if (s.lastT !== null) {
    const dt = t - s.lastT;
    if (!(dt > 0)) return quiet(t, value, s);
    if (s.step === null) s.step = o.step ?? dt;
    else missing = Math.max(0, Math.round(dt / s.step) - 1);
  } else if (o.step !== null) s.step = o.step;
  s.lastT = t;
  holdElapse(s, 1 + missing, missing);
  if (value === null || !Number.isFinite(value)) {
    onGap(o, s, missing + 1);
    return quiet(t, value, s);
  }
  if (missing > 0) onGap(o, s, missing);

  // Reference: the series is judged relative to it (a traffic surge is not an incident).
  const hasRef = reference !== undefined;
  let refv = 1;
  if (hasRef) {
    if (reference !== null && Number.isFinite(reference) && reference >= 0) {
      refv = reference;
      if (reference > 0) s.lastRef = reference;
    } else refv = s.lastRef ?? 1;
  }

  if (s.firstT === null) s.firstT = t;
  if (s.model === MODEL_NONE) {
    // Collect the moments the auto decision (and the first baseline) needs.
    const xv = hasRef && o.model !== 'counts' && refv > 0 ? value / refv : value;
    if (s.n === 0) {
      s.min = value;
      s.max = value;
    }
    if (!Number.isInteger(value)) s.allInts = false;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
    // Explicit models wait too: the first level and spread come from these points, not from one value.
    const needed = Math.min(AUTO_POINTS, o.warmup);
    if (s.n + 1 < needed) {
      s.n += 1;
      s.sum += value;
      s.sumRawSq += value * value;
      s.sumX += xv;
      s.sumSq += xv * xv;
      s.sumRef += refv;
      return quiet(t, value, s);
    }
    chooseModel(o, s, value, xv, refv);
  }
  if (s.model === MODEL_COUNTS && countsFitPoorly(o, s, value)) switchToContinuous(o, s);
  s.n += 1;
  // Evidence piled up while the baseline was still being learnt is not evidence: the first verdict starts afresh.
  if (s.n === o.warmup + 1) resetTests(s);
  return s.model === MODEL_COUNTS ? updateCounts(o, s, t, value, refv, hasRef) : updateContinuous(o, s, t, value, refv, hasRef);
}

interface Verdict {
  lp: number;
  test: Test;
  dir: Direction | null;
  /** A self-normalised test judged after calibration (its own scale already): −log10 p and direction. */
  postLp: number;
  postDir: Direction | null;
}

function setVerdict(v: Verdict, lp: number, test: Test, dir: Direction): void {
  v.lp = lp;
  v.test = test;
  v.dir = dir;
}

function reasonOf(s: DetectorState, v: Verdict, hasRef: boolean): AnomalyReason | null {
  if (v.dir === null) return null;
  if (v.dir === 'down') {
    // With a reference, the series is judged as a share of it: a fall of that share while the two used to move
    // together is the metric no longer following traffic.
    if (hasRef) {
      const long = correlationOf(s.corrLong);
      if (long !== null && long > 0.5) return 'correlation_break';
    }
    return 'drop';
  }
  return v.test === Test.Point || v.test === Test.Range ? 'spike' : 'level_shift';
}

/** Turns the strongest test into the score, applies the hold (de-duplication) and the alert rule. */
function finish(
  o: Run,
  s: DetectorState,
  t: number,
  value: number,
  v: Verdict,
  guardOk: boolean,
  expected: number,
  lower: number,
  upper: number,
  hasRef: boolean,
  baseline: number,
  revertExpected: number,
): DetectorOutput {
  const tu = o.tuning;
  let lp = v.lp;
  const counts = s.model === MODEL_COUNTS;
  if (tu.calibrate && (!counts || tu.calibrateCounts)) {
    const calibrated = calibrateSurprise(s, o.calibration, v.lp, s.n);
    // Counts have exact tails already: the calibration may only discount them (a bursty series), never sharpen.
    lp = counts ? Math.max(lp, calibrated) : calibrated;
  }
  if (v.postLp < lp) {
    lp = v.postLp;
    v.dir = v.postDir;
    v.test = Test.Window;
  }
  // Squash the evidence L = −log10 p into [0,1) without saturating, so stronger evidence always ranks higher.
  const evidence = s.n > o.warmup ? Math.max(0, o.sensitivity * -lp) : 0;
  let raw = evidence / (evidence + tu.scoreScale);
  // A move back towards the baseline from before the last detection is the incident ending, not a new one.
  if (isReturnToNormal(s, v.dir, value, revertExpected, expected)) {
    // Clearly back to normal: return to the old baseline at once.
    if (raw >= o.hold.armScore) restoreBaseline(s);
    raw = 0;
  }
  // The incident is over once the series is back near the baseline from before it: restore that baseline (nothing
  // learnt from the incident) and end the hold, so the next incident alerts again.
  if (isRearmed(s, o.hold, value, revertExpected, (upper - lower) / (2 * BAND))) {
    restoreBaseline(s);
    raw = 0;
  }
  // While an incident is held, the band shown is the baseline from before it (the fast re-baselining serves the
  // tests; what the series should be doing is still the old level).
  const held = isHolding(s);
  const wasHolding = s.holdLeft > 0;
  const score = holdScore(s, o.hold, raw, evidence, baseline, v.dir);
  if (!wasHolding && raw >= o.hold.armScore) {
    resetTests(s);
    // The rank test's reference describes the time before the change: learn it afresh.
    forgetRankSample(s);
  }
  const alert = shouldAlert(s, o.hold, score, o.threshold, guardOk);
  const shown = raw >= o.hold.armScore * 0.5 || score > 0;
  const shift = held ? revertExpected - expected : 0;
  return {
    t,
    value,
    score,
    rawScore: raw,
    correlation: hasRef ? correlationOf(s.corrShort) : null,
    expected: expected + shift,
    lower: Math.max(s.model === MODEL_COUNTS ? 0 : -Infinity, lower + shift),
    upper: upper + shift,
    direction: shown ? v.dir : null,
    reason: shown ? reasonOf(s, v, hasRef) : null,
    alert,
  };
}

/** Back to the baseline from before the last detection; the tests start afresh. */
function restoreBaseline(s: DetectorState): void {
  if (s.model === MODEL_COUNTS) s.rateNum = s.revertLevel * s.rateDen;
  else {
    s.level = s.revertLevel;
    s.levelS = s.revertLevel;
  }
  clearRevert(s);
  resetTests(s);
}

/** Counts down the fast re-baselining; the tests start afresh when it ends. */
function endRebase(s: DetectorState): void {
  if (rebaseEnded(s)) resetTests(s);
}

function updateContinuous(
  o: Run,
  s: DetectorState,
  t: number,
  value: number,
  refv: number,
  hasRef: boolean,
): DetectorOutput {
  const tu = o.tuning;
  const x = hasRef ? (refv > 0 ? value / refv : value / (s.lastRef ?? 1)) : value;
  const first = s.firstT ?? t;
  const ds = s.daySlots > 0 ? slotOf(t, DAY, s.daySlots) : -1;
  const ws = s.weekSlots > 0 ? slotOf(t, WEEK, s.weekSlots) : -1;
  const dayV = ds >= 0 ? (s.day[ds] ?? 0) : 0;
  const weekV = ws >= 0 ? (s.week[ws] ?? 0) : 0;
  const elapsed = t - first;
  let mode = 0;
  if (ds >= 0 && elapsed >= 2 * DAY && s.err1 < tu.seasonGate * s.err0) mode = 1;
  // The daily profile also wins where it has been the better predictor at this time of day (a daily jump).
  const es = ds >= 0 && s.slotErr0.length > 0 ? Math.floor((ds * s.slotErr0.length) / s.daySlots) : -1;
  if (mode === 0 && es >= 0 && elapsed >= tu.slotMinDays * DAY && (s.slotErr1[es] ?? 0) < tu.slotGate * (s.slotErr0[es] ?? 0)) {
    mode = 1;
  }
  if (ws >= 0 && elapsed >= 2 * WEEK && s.err2 < tu.seasonGate * Math.min(s.err0, s.err1)) mode = 2;
  // Two predictors: a plain level, and a deseasonalised level plus the profiles; the better one (by recent error)
  // is used, so a profile is trusted only once it really predicts.
  const p0 = s.level;
  const p1 = s.levelS + dayV;
  const p2 = p1 + weekV;
  // The seasonal median (robust to past incidents) wins where its recent error is clearly the smallest.
  const pm = s.median !== null ? seasonalMedian(s.median, t) : null;
  if (pm !== null && s.err3 > 0 && s.err3 < MEDIAN_GATE * (mode === 0 ? s.err0 : mode === 1 ? s.err1 : s.err2)) mode = 3;
  const p3 = pm ?? p0;
  const levelBefore = mode === 0 || mode === 3 ? s.level : s.levelS;
  const pred = mode === 0 ? p0 : mode === 1 ? p1 : mode === 2 ? p2 : p3;
  const range = s.max - s.min;
  // Whole-number series (large counts, judged as metrics; `allInts` is decided on the first points) are noisier
  // when busier: once enough days were seen, σ is the error of the predictor in use at this time of day, kept
  // near the overall spread, so a quiet night and a busy noon are each judged on their own noise.
  let dev = s.dev;
  if (tu.slotSigma > 0 && (s.allInts || !tu.slotSigmaCounts) && es >= 0 && elapsed >= tu.slotMinDays * DAY) {
    const slotDev = (mode === 0 || mode === 3 ? s.slotErr0[es] : s.slotErr1[es]) ?? dev;
    dev = Math.min(tu.slotSigmaCeil * dev, Math.max(tu.slotSigma * dev, slotDev));
  }
  const sigma = Math.max(SIGMA_PER_MAD * dev, tu.sigmaFloorRel * Math.abs(pred), tu.sigmaFloorRel * range, 1e-9);
  const z = (x - pred) / sigma;
  const zc = clip(z, tu.clipZ);

  // Tests.
  const g = 1 / tu.window;
  s.ez += g * (zc - s.ez);
  const zs = s.ez / Math.sqrt(g / (2 - g));
  const k = tu.cusumK;
  s.cusUp = Math.max(0, s.cusUp + zc - k);
  s.cusDown = Math.max(0, s.cusDown - zc - k);
  const v: Verdict = { lp: 0, test: Test.None, dir: null, postLp: 0, postDir: null };
  const learnt = s.n > o.warmup / 2;
  // Tail probabilities are monotone: evaluate one per direction, for the larger of the point and window statistics.
  if (o.up) {
    const stat = zs > z ? zs : z;
    if (stat > 0) {
      let lp = log10NormalTail(stat);
      let test = zs > z ? Test.Window : Test.Point;
      if (learnt && x > s.max + tu.rangeMargin * range) {
        // A new extreme is a novelty whatever the calibration says (HTM's spatial anomaly).
        if (-tu.rangeEvidence < v.postLp) {
          v.postLp = -tu.rangeEvidence;
          v.postDir = 'up';
        }
        lp = (test === Test.Point ? lp : log10NormalTail(z)) - tu.rangeBonus;
        test = Test.Range;
      }
      if (lp < v.lp) setVerdict(v, lp, test, 'up');
    }
    const lc = (-2 * k * s.cusUp) / LN10;
    if (lc < v.lp) setVerdict(v, lc, Test.Cusum, 'up');
  }
  if (o.down) {
    const stat = -zs > -z ? -zs : -z;
    if (stat > 0) {
      let lp = log10NormalTail(stat);
      let test = -zs > -z ? Test.Window : Test.Point;
      if (learnt && x < s.min - tu.rangeMargin * range) {
        // A new extreme is a novelty whatever the calibration says (HTM's spatial anomaly).
        if (-tu.rangeEvidence < v.postLp) {
          v.postLp = -tu.rangeEvidence;
          v.postDir = 'down';
        }
        lp = (test === Test.Point ? lp : log10NormalTail(-z)) - tu.rangeBonus;
        test = Test.Range;
      }
      if (lp < v.lp) setVerdict(v, lp, test, 'down');
    }
    const lc = (-2 * k * s.cusDown) / LN10;
    if (lc < v.lp) setVerdict(v, lc, Test.Cusum, 'down');
  }

  if (tu.rankWindow > 0) {
    const rank = rankTest(s, o.rank, x - pred + levelBefore);
    if (rank !== null && rank.log10P < v.postLp) {
      v.postLp = rank.log10P;
      v.postDir = rank.direction;
    }
  }

  // Learn (clipped residuals, unless re-baselining after a detection).
  const fast = s.rebaseLeft > 0;
  const resid = x - pred;
  const a = fast ? tu.fastGain : 1 / o.memory;
  const ae = 1 / o.memory;
  const cap = tu.clipZ * sigma;
  s.err0 += ae * (Math.min(Math.abs(x - p0), cap) - s.err0);
  s.err1 += ae * (Math.min(Math.abs(x - p1), cap) - s.err1);
  s.err2 += ae * (Math.min(Math.abs(x - p2), cap) - s.err2);
  if (pm !== null) s.err3 = s.err3 === 0 ? Math.min(Math.abs(x - pm), cap) : s.err3 + ae * (Math.min(Math.abs(x - pm), cap) - s.err3);
  if (s.median !== null) learnSeasonalMedian(s.median, t, x);
  if (es >= 0) {
    // Gain per point: slotGain per day spread over the points a slot gets a day (a running mean at first).
    const perDay = Math.max(1, DAY / (s.step ?? DAY) / s.slotErr0.length);
    const gs = Math.max(tu.slotGain / perDay, 1 / (1 + Math.floor((elapsed / DAY) * perDay)));
    s.slotErr0[es] = (s.slotErr0[es] ?? 0) + gs * (Math.min(Math.abs(x - p0), cap) - (s.slotErr0[es] ?? 0));
    s.slotErr1[es] = (s.slotErr1[es] ?? 0) + gs * (Math.min(Math.abs(x - p1), cap) - (s.slotErr1[es] ?? 0));
  }
  const r0 = x - p0;
  s.level += a * (fast ? r0 : clip(r0, cap));
  s.dev += (fast ? tu.fastGain * 0.25 : ae * 0.5) * (Math.min(Math.abs(resid), cap) - s.dev);
  if (ds >= 0 || ws >= 0) {
    const r2 = x - p2;
    const remL = fast ? r2 : clip(r2, cap);
    s.levelS += a * remL;
    // The profiles may learn from larger residuals than the level: a jump that recurs every day is a pattern.
    let rem = (fast || tu.profileClipZ <= tu.clipZ ? remL : clip(r2, tu.profileClipZ * sigma)) - a * remL;
    if (ds >= 0) {
      const gd = profileGain(tu.metricSeasonGain, elapsed, DAY, s.step, s.daySlots);
      s.day[ds] = dayV + gd * rem;
      rem -= gd * rem;
    }
    if (ws >= 0) s.week[ws] = weekV + profileGain(tu.metricSeasonGain, elapsed, WEEK, s.step, s.weekSlots) * rem;
  } else s.levelS = s.level;
  if (x < s.min) s.min = x;
  if (x > s.max) s.max = x;
  if (hasRef) learnCorrelation(s, value, refv, 1 / (o.memory * 4));
  endRebase(s);

  const scale = hasRef ? refv : 1;
  const revert = (pred - levelBefore + s.revertLevel) * scale;
  return finish(o, s, t, value, v, true, pred * scale, (pred - BAND * sigma) * scale, (pred + BAND * sigma) * scale, hasRef, levelBefore, revert);
}

function updateCounts(
  o: Run,
  s: DetectorState,
  t: number,
  x: number,
  refv: number,
  hasRef: boolean,
): DetectorOutput {
  const tu = o.tuning;
  const first = s.firstT ?? t;
  const elapsed = t - first;
  const ds = s.daySlots > 0 ? slotOf(t, DAY, s.daySlots) : -1;
  const ws = s.weekSlots > 0 ? slotOf(t, WEEK, s.weekSlots) : -1;
  const prior = 2;
  const fD = ds >= 0 ? ((s.day[ds] ?? 0) + prior) / ((s.dayDen[ds] ?? 0) + prior) : 1;
  const fW = ws >= 0 ? ((s.week[ws] ?? 0) + prior) / ((s.weekDen[ws] ?? 0) + prior) : 1;
  const rate = (s.rateNum + 1e-9) / (s.rateDen + 1e-9);
  const base = rate * refv;
  let mode = 0;
  if (ds >= 0 && elapsed >= 2 * DAY && s.err1 < tu.seasonGate * s.err0) mode = 1;
  if (ws >= 0 && elapsed >= 2 * WEEK && s.err2 < tu.seasonGate * Math.min(s.err0, s.err1)) mode = 2;
  const muRaw = base * (mode >= 1 ? fD : 1) * (mode === 2 ? fW : 1);
  const mu = Math.max(tu.muFloor, muRaw);
  const phi = s.disp < 1 ? 1 : s.disp;
  const xs = x / phi;
  const ms = mu / phi;

  // Window test over the last m points, m adaptive so the expected sum reaches windowCount.
  s.ringX[s.ringPos] = x;
  s.ringMu[s.ringPos] = mu;
  s.ringPos = (s.ringPos + 1) % RING;
  if (s.ringLen < RING) s.ringLen += 1;
  let wx = 0;
  let wm = 0;
  for (let i = 1; i <= s.ringLen; i++) {
    const j = (s.ringPos - i + RING) % RING;
    wx += s.ringX[j] ?? 0;
    wm += s.ringMu[j] ?? 0;
    if (wm >= tu.windowCount) break;
  }

  // CUSUMs with a time-varying baseline: LLR = x ln ρ − (ρ − 1) μ, scaled by the dispersion.
  const lu = Math.log(tu.rhoUp);
  const ld = Math.log(tu.rhoDown);
  s.cusUp = s.cusUp + (x * lu - (tu.rhoUp - 1) * mu) / phi;
  if (s.cusUp <= 0) {
    s.cusUp = 0;
    s.upX = 0;
    s.upMu = 0;
  } else {
    s.upX += x;
    s.upMu += mu;
  }
  // A second, steeper CUSUM for short sharp spikes (faster than the ρ = rhoUp one on them).
  if (tu.rhoSpike > 0) {
    s.cusSpike = Math.max(0, s.cusSpike + (x * Math.log(tu.rhoSpike) - (tu.rhoSpike - 1) * mu) / phi);
  }
  s.cusDown = s.cusDown + (x * ld - (tu.rhoDown - 1) * mu) / phi;
  if (s.cusDown <= 0) {
    s.cusDown = 0;
    s.downX = 0;
    s.downMu = 0;
  } else {
    s.downX += x;
    s.downMu += mu;
  }

  const v: Verdict = { lp: 0, test: Test.None, dir: null, postLp: 0, postDir: null };
  // Exact tails only where they can matter (more than one standard deviation out); elsewhere p > 0.15 anyway.
  const wxs = wx / phi;
  const wms = wm / phi;
  if (o.up) {
    if (xs - ms > Math.sqrt(ms)) {
      const lp = log10PoissonUpper(xs, ms);
      if (lp < v.lp) setVerdict(v, lp, Test.Point, 'up');
    }
    if (wxs - wms > Math.sqrt(wms)) {
      const lp = log10PoissonUpper(wxs, wms);
      if (lp < v.lp) setVerdict(v, lp, Test.Window, 'up');
    }
    const lc = -s.cusUp / LN10;
    if (lc < v.lp) setVerdict(v, lc, Test.Cusum, 'up');
    const ls = -s.cusSpike / LN10;
    if (ls < v.lp) setVerdict(v, ls, Test.Cusum, 'up');
  }
  if (o.down) {
    if (ms - xs > Math.sqrt(ms)) {
      const lp = log10PoissonLower(xs, ms);
      if (lp < v.lp) setVerdict(v, lp, Test.Point, 'down');
    }
    if (wms - wxs > Math.sqrt(wms)) {
      const lp = log10PoissonLower(wxs, wms);
      if (lp < v.lp) setVerdict(v, lp, Test.Window, 'down');
    }
    const lc = -s.cusDown / LN10;
    if (lc < v.lp) setVerdict(v, lc, Test.Cusum, 'down');
  }
  const guardOk =
    v.dir === 'up'
      ? Math.max(x - mu, wx - wm, s.upX - s.upMu) >= o.minCount
      : v.dir === 'down'
        ? Math.max(mu - x, wm - wx, s.downMu - s.downX) >= o.minCount
        : false;

  // Learn.
  const fast = s.rebaseLeft > 0;
  const cap = mu + tu.clipZ * Math.sqrt(phi * mu) + 1;
  const xc = fast ? x : Math.min(x, cap);
  const a = fast ? tu.fastGain : 1 / o.memory;
  const ae = 1 / o.memory;
  const fullD = mode >= 1 ? fD : 1;
  const fullW = mode === 2 ? fW : 1;
  s.err0 += ae * (Math.abs(xc - base) - s.err0);
  s.err1 += ae * (Math.abs(xc - base * fD) - s.err1);
  s.err2 += ae * (Math.abs(xc - base * fD * fW) - s.err2);
  s.rateNum += a * (xc - s.rateNum);
  s.rateDen += a * (refv * fullD * fullW - s.rateDen);
  if (ds >= 0) {
    const gd = profileGain(tu.seasonGain, elapsed, DAY, s.step, s.daySlots);
    s.day[ds] = (s.day[ds] ?? 0) + gd * (xc - (s.day[ds] ?? 0));
    s.dayDen[ds] = (s.dayDen[ds] ?? 0) + gd * (base * fW - (s.dayDen[ds] ?? 0));
  }
  if (ws >= 0) {
    const gw = profileGain(tu.seasonGain, elapsed, WEEK, s.step, s.weekSlots);
    s.week[ws] = (s.week[ws] ?? 0) + gw * (xc - (s.week[ws] ?? 0));
    s.weekDen[ws] = (s.weekDen[ws] ?? 0) + gw * (base * fD - (s.weekDen[ws] ?? 0));
  }
  if (muRaw >= 1) {
    const d = ((x - mu) * (x - mu)) / mu;
    s.disp += (ae / 4) * (Math.min(d, 25) - s.disp);
    s.fitN += 1;
    s.fit += Math.max(1 / s.fitN, 1 / o.warmup) * (d - s.fit);
  }
  const xr = refv > 0 ? x / refv : x;
  const gx = Math.max(1 / s.n, ae);
  const dx = xr - s.xMean;
  s.xMean += gx * dx;
  s.xVar = (1 - gx) * (s.xVar + gx * dx * dx);
  if (hasRef) learnCorrelation(s, x, refv, 1 / (o.memory * 4));
  endRebase(s);

  const band = BAND * Math.sqrt(phi * mu);
  const revert = s.revertLevel > 0 ? Math.max(tu.muFloor, (muRaw * s.revertLevel) / rate) : mu;
  return finish(o, s, t, x, v, guardOk, mu, Math.max(0, mu - band), mu + band, hasRef, rate, revert);
}
