/**
 * Detector options: what a series' config entry (or the CLI) may set, and the resolved form the detector runs on.
 */

export type DirectionOption = 'up' | 'down' | 'both';
export type ModelOption = 'auto' | 'counts' | 'continuous';

/**
 * Internal constants of the method. Exposed so a bench can sweep them (`--config params.json`); a series config
 * normally leaves them alone.
 */
export interface DetectorTuning {
  /**
   * Score = L / (L + scoreScale) with L = sensitivity × (−log10 p): never saturates; 5 means score 0.5 ⇔ p = 1e-5
   * (for continuous series p is the calibrated tail of the point's surprise).
   */
  readonly scoreScale: number;
  /** Residuals are clipped to ±clipZ σ before they teach the baseline (outliers do not move it). */
  readonly clipZ: number;
  /** CUSUM allowance k in σ units for continuous series (the test's p-value is exp(−2k·S)). */
  readonly cusumK: number;
  /** Width (points) of the short average the window test runs on. */
  readonly window: number;
  /** Extra −log10 p given to a value beyond the range seen so far ± rangeMargin × range. */
  readonly rangeBonus: number;
  readonly rangeMargin: number;
  /**
   * Continuous: a value beyond that margin gets at least this −log10 p after calibration (a new extreme is a
   * novelty even in a series whose calibration has learnt large surprises; HTM scores it 1). 0 = off.
   */
  readonly rangeEvidence: number;
  /**
   * Raw scores at or above this start a hold: suppression of repeats and a fast re-baseline. 0 means the alert
   * threshold (so anything that would alert holds, and nothing weaker disturbs the tests).
   */
  readonly armScore: number;
  /** During a hold, let a score stronger than the one that started it through (a bigger second event). */
  readonly escalate: boolean;
  /**
   * With escalate: how much stronger, as a ratio of evidence (−log10 p), a score must be than the one that started
   * the hold (1 = any stronger one). A weak early detection then does not hide a clear onset a little later.
   */
  readonly escalateRatio: number;
  /** Gain of the level while re-baselining after a detection. */
  readonly fastGain: number;
  /**
   * Minutes of fast re-baselining after a detection (at most the cooldown): long enough to learn a new level,
   * short enough that a later incident is not learnt as normal.
   */
  readonly rebaseMinutes: number;
  /** Continuous: residuals are clipped to ±profileClipZ σ before they teach the seasonal profiles (≤ clipZ: same). */
  readonly profileClipZ: number;
  /** Gain (per visit) of the seasonal profiles once several cycles were seen (counts). */
  readonly seasonGain: number;
  /** The same for continuous metrics (slower: their profiles also learn large recurring residuals). */
  readonly metricSeasonGain: number;
  /** A seasonal model is used only when it cuts the mean absolute error to below this share. */
  readonly seasonGate: number;
  /**
   * Continuous: also keep the two predictors' errors per daily slot, and use the daily profile at a time of day
   * where it has been the better one (a jump every day at 09:00), even when the plain level wins overall.
   */
  readonly slotSelect: boolean;
  /** Gain per visit of those per-slot errors (a running mean over the first visits). */
  readonly slotGain: number;
  /** The daily profile is used at a time of day when its error there is below this share of the plain one. */
  readonly slotGate: number;
  /** Days of history before a per-slot choice is trusted. */
  readonly slotMinDays: number;
  /**
   * Continuous: σ is taken from the per-slot error of the predictor in use at this time of day (once slotMinDays
   * days were seen), kept within [slotSigma, slotSigmaCeil] × the overall spread. 0 = off (one σ for the day).
   * Tuned on NAB (0.7, 1.5).
   */
  readonly slotSigma: number;
  readonly slotSigmaCeil: number;
  /** Only for whole-number series (counts too large for the count model: their noise follows the daily level). */
  readonly slotSigmaCounts: boolean;
  /** Relative floor on σ (share of |level|) and absolute floor. */
  readonly sigmaFloorRel: number;
  /** Poisson CUSUM shift ratios (up, down). */
  readonly rhoUp: number;
  readonly rhoDown: number;
  /** Counts: shift ratio of a second, steeper upward CUSUM for short spikes (0 = off). */
  readonly rhoSpike: number;
  /** Expected count a window test wants before it judges (adaptive aggregation). */
  readonly windowCount: number;
  /**
   * Continuous series: judge each point's surprise against the distribution of past surprises (mean and variance
   * over `calibrationMemory` points), as HTM's anomaly likelihood does; real metrics are not Gaussian.
   */
  readonly calibrate: boolean;
  /**
   * Counts too: a point's exact tail is discounted to its calibrated one when that is less extreme (a bursty,
   * overdispersed series), never sharpened (a Poisson series keeps its exact tails).
   */
  readonly calibrateCounts: boolean;
  readonly calibrationMemory: number;
  /** The surprise is raised to this power before calibration (0.5 tames heavy tails). */
  readonly calibrationPower: number;
  /** EWMA gain applied to the surprise before calibration (1 = none; HTM averages 10 points). */
  readonly calibrationSmooth: number;
  /** Floor on the standard deviation of the surprise. */
  readonly calibrationFloor: number;
  /**
   * Winsorise the surprise that teaches the calibration at mean + this many standard deviations (0 = off): heavy
   * tails still widen the distribution, point by point, but one burst cannot blow it up.
   */
  readonly calibrationWinsor: number;
  /** Floor on the expected count per point (so a lone 4 a.m. complaint is not a 1e-9 event). */
  readonly muFloor: number;
  /**
   * Continuous series: a distribution-change test. Each (deseasonalised) value is ranked within a reference sample
   * of past values (taken every warmup/64 points, so it spans about a warm-up); the EWMA of the centred ranks over
   * `rankWindow` points, divided by its own long-run spread (autocorrelated series), is a z statistic. Robust to
   * bursts: a subtle bump in a bursty series moves many ranks a little. 0 = off.
   */
  readonly rankWindow: number;
  /** Points of memory of the rank average's variance (its scale under no change). */
  readonly rankVarMemory: number;
  /** The rank test is judged only once the reference sample holds this many values. */
  readonly rankMinRef: number;
  /** Span of the rank test's reference sample, in warm-ups (its stride is rankSpan × warmup / 64 points). */
  readonly rankSpan: number;
  /**
   * The rank test is self-normalised, so it bypasses the calibration (adding it to the calibrated tests would
   * widen their calibration); its −log10 p is weighted by this before it competes with their calibrated one.
   */
  readonly rankWeight: number;
  /** The least memory, cooldown and warm-up in points whatever the step (a level is not learnt from 3 points). */
  readonly memoryFloor: number;
  readonly cooldownFloor: number;
  readonly warmupFloor: number;
}

export interface DetectorOptions {
  /** Step between points in ms; inferred from the first two timestamps when absent. */
  readonly step?: number;
  /** Direction(s) that score and alert. */
  readonly direction?: DirectionOption;
  /** `counts` = Poisson-like counts (complaints), `continuous` = metrics; `auto` decides from the warm-up data. */
  readonly model?: ModelOption;
  /** Multiplies the score: 2 = twice as eager, 0.5 = half. */
  readonly sensitivity?: number;
  /** Production alert threshold on the score. */
  readonly threshold?: number;
  /** Counts: the least absolute excess (count above expected, or below for drops) that may alert. */
  readonly minCount?: number;
  /** Minutes of data before the first verdict (converted to points by the series' step). */
  readonly warmupMinutes?: number;
  /** Minutes after a detection during which repeats are suppressed and the baseline re-learns. */
  readonly cooldownMinutes?: number;
  /** Time constant (minutes) of the baseline level. */
  readonly memoryMinutes?: number;
  /**
   * A hold ends early once the series has been back within one σ of the baseline from before the detection for
   * this many minutes (the incident is over: the next one alerts again). 0 = holds last the whole cooldown.
   */
  readonly rearmMinutes?: number;
  /**
   * Rows at the start the detector may only learn from (a benchmark's probation period, RUNNING.md's
   * `--probation-rows`): the warm-up lasts at least this many points. Nothing else depends on it.
   */
  readonly probationRows?: number;
  /** Learn a daily / weekly profile (used only once it helps). */
  readonly daily?: boolean;
  readonly weekly?: boolean;
  readonly tuning?: Partial<DetectorTuning>;
}

export interface ResolvedDetectorOptions {
  readonly step: number | null;
  readonly up: boolean;
  readonly down: boolean;
  readonly model: ModelOption;
  readonly sensitivity: number;
  readonly threshold: number;
  readonly minCount: number;
  readonly warmupMinutes: number;
  readonly cooldownMinutes: number;
  readonly memoryMinutes: number;
  readonly rearmMinutes: number;
  readonly probationRows: number;
  readonly daily: boolean;
  readonly weekly: boolean;
  readonly tuning: DetectorTuning;
}

export const DEFAULT_TUNING: DetectorTuning = {
  scoreScale: 5,
  clipZ: 4,
  cusumK: 1.5,
  window: 6,
  rangeBonus: 6,
  rangeMargin: 0.05,
  rangeEvidence: 10,
  armScore: 0,
  escalate: true,
  escalateRatio: 10,
  fastGain: 0.2,
  rebaseMinutes: 60,
  profileClipZ: 50,
  seasonGain: 0.1,
  metricSeasonGain: 0.05,
  seasonGate: 0.9,
  slotSelect: true,
  slotGain: 0.3,
  slotMinDays: 2,
  slotGate: 0.9,
  slotSigma: 0.7,
  slotSigmaCeil: 1.5,
  slotSigmaCounts: true,
  sigmaFloorRel: 0.001,
  rhoUp: 2,
  rhoDown: 0.4,
  rhoSpike: 4,
  windowCount: 5,
  muFloor: 0.05,
  calibrate: true,
  calibrateCounts: true,
  calibrationMemory: 1000,
  calibrationFloor: 0.1,
  calibrationPower: 1,
  calibrationSmooth: 1,
  calibrationWinsor: 25,
  rankWindow: 60,
  rankVarMemory: 1000,
  rankMinRef: 32,
  rankSpan: 1,
  rankWeight: 0.5,
  // Chosen on NAB and anomaly-extra together (both move with each), checked on the complaint scenarios:
  memoryFloor: 20,
  cooldownFloor: 144,
  warmupFloor: 2,
};

export const DEFAULT_DETECTOR_OPTIONS = {
  direction: 'both',
  model: 'auto',
  sensitivity: 1,
  threshold: 0.5,
  minCount: 3,
  warmupMinutes: 60,
  cooldownMinutes: 60,
  memoryMinutes: 100,
  // 12 h back to normal: NAB and anomaly-extra both lose with shorter re-arming on their spiky series (120 min:
  // NAB 61.4 -> 57.7); complaint series, whose incidents end cleanly, set 10 in the service config.
  rearmMinutes: 720,
  daily: true,
  weekly: true,
} as const;

export function resolveDetectorOptions(options: DetectorOptions): ResolvedDetectorOptions {
  const d = DEFAULT_DETECTOR_OPTIONS;
  const direction = options.direction ?? d.direction;
  return {
    step: options.step ?? null,
    up: direction !== 'down',
    down: direction !== 'up',
    model: options.model ?? d.model,
    sensitivity: options.sensitivity ?? d.sensitivity,
    threshold: options.threshold ?? d.threshold,
    minCount: options.minCount ?? d.minCount,
    warmupMinutes: Math.max(0, options.warmupMinutes ?? d.warmupMinutes),
    cooldownMinutes: Math.max(0, options.cooldownMinutes ?? d.cooldownMinutes),
    memoryMinutes: Math.max(0, options.memoryMinutes ?? d.memoryMinutes),
    rearmMinutes: Math.max(0, options.rearmMinutes ?? d.rearmMinutes),
    probationRows: Math.max(0, Math.round(options.probationRows ?? 0)),
    daily: options.daily ?? d.daily,
    weekly: options.weekly ?? d.weekly,
    tuning: { ...DEFAULT_TUNING, ...options.tuning },
  };
}

/** The time settings in points, once the series' step is known. */
export interface RowSettings {
  readonly warmup: number;
  readonly cooldown: number;
  readonly memory: number;
  /** Points back to normal that end a hold (0 = never early). */
  readonly rearm: number;
  /** Points of fast re-baselining after a detection. */
  readonly rebase: number;
}

const MINUTE = 60_000;

/** Converts the minute settings to points at `step` ms per point (each at least its working minimum). */
export function rowSettings(o: ResolvedDetectorOptions, step: number): RowSettings {
  const per = (minutes: number): number => (minutes * MINUTE) / step;
  return {
    warmup: Math.max(2, o.tuning.warmupFloor, o.probationRows, Math.round(per(o.warmupMinutes))),
    cooldown: Math.max(1, o.tuning.cooldownFloor, Math.round(per(o.cooldownMinutes))),
    memory: Math.max(2, o.tuning.memoryFloor, per(o.memoryMinutes)),
    rebase: Math.max(1, Math.min(Math.round(per(o.tuning.rebaseMinutes)), Math.round(0.5 * Math.max(o.tuning.cooldownFloor, per(o.cooldownMinutes))))),
    rearm: o.rearmMinutes > 0 ? Math.max(1, Math.round(per(o.rearmMinutes))) : 0,
  };
}
