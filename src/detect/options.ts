/**
 * Detector options: what a series' config entry (or the CLI) may set, and the resolved form the detector runs on.
 */

export type DirectionOption = 'up' | 'down' | 'both';
export type ModelOption = 'auto' | 'counts' | 'continuous';

/**
 * The method's constants that stay options: only those where two independent data sets (NAB and anomaly-extra) both
 * move with the value, as the note on each says. Every other constant of the method is a named constant next to the
 * code that uses it, with the reason for its value. A series config normally leaves these alone; a benchmark may
 * sweep them (`--config params.json`, key `tuning`).
 */
export interface DetectorTuning {
  /**
   * Residuals are clipped to ±clipZ σ before they teach the baseline and the tests (outliers do not move them).
   * Both move: 2 → NAB 57.51 (alert 55.93), anomaly-extra PA-F1 0.700; 8 → NAB 56.51 (56.55), PA-F1 0.812.
   */
  readonly clipZ: number;
  /**
   * CUSUM allowance k in σ units for continuous series (the test's p-value is exp(−2k·S)).
   * Both move: 0.75 → NAB 58.78 (alert 58.63), anomaly-extra PA-F1 0.611; 3 → NAB 59.60 (58.71), PA-F1 0.804.
   */
  readonly cusumK: number;
  /**
   * A value beyond the range seen so far ± rangeMargin × that range is a new extreme (extra evidence).
   * Both move: 0.1 → NAB 58.12 (alert 58.05), anomaly-extra PA-F1 0.770; 0.025 → NAB 58.87, PA-F1 0.810.
   */
  readonly rangeMargin: number;
  /**
   * Width (points) of the short average the continuous window test runs on.
   * Both move: 3 → NAB 57.65 (alert 57.01), anomaly-extra false alerts/day 0.106; 12 → NAB 60.62 (58.90), 0.096.
   */
  readonly window: number;
  /**
   * Gain of the level while re-baselining after a detection.
   * Both move: 0.4 → NAB 59.09 (alert 58.88), anomaly-extra false alerts/day 0.084 (from 0.097).
   */
  readonly fastGain: number;
  /**
   * Minutes of fast re-baselining after a detection (at most half the cooldown): long enough to learn a new level,
   * short enough that a later incident is not learnt as normal.
   * Both move: 120 → NAB 59.11 (alert 58.91), anomaly-extra PA-F1 0.808, false alerts/day 0.108.
   */
  readonly rebaseMinutes: number;
  /**
   * Points of memory of the surprise calibration (continuous series: each point's surprise is judged against the
   * distribution of past surprises, as HTM's anomaly likelihood does; real metrics are not Gaussian).
   * Both move: 500 → NAB 57.77 (alert 57.16), anomaly-extra PA-F1 0.746.
   */
  readonly calibrationMemory: number;
  /**
   * The surprise that teaches the calibration is winsorised at mean + this many standard deviations: heavy tails
   * still widen the distribution, point by point, but one burst cannot blow it up.
   * Both move: 5 → NAB 46.60 (alert 46.08), anomaly-extra PA-F1 0.821 but false alerts/day 0.153 (from 0.097).
   */
  readonly calibrationWinsor: number;
  /**
   * Span of the continuous rank test's reference sample, in warm-ups (its stride is rankSpan × warmup / 64 points).
   * Both move: 2 → NAB 57.15 (alert 56.97), anomaly-extra PA-F1 0.803, false alerts/day 0.161.
   */
  readonly rankSpan: number;
  /**
   * The rank test is self-normalised, so it bypasses the calibration; its −log10 p is weighted by this before it
   * competes with the calibrated tests. Both move: 1 → NAB 57.24 (alert 56.32), anomaly-extra PA-F1 0.808, false
   * alerts/day 0.143.
   */
  readonly rankWeight: number;
  /**
   * The least cooldown in points whatever the step (a hold on hourly data still covers six days of noise after an
   * incident). Both move: 72 → NAB 54.89 (alert 53.86), anomaly-extra PA-F1 0.738, false alerts/day 0.135.
   */
  readonly cooldownFloor: number;
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
   * A hold ends early once the series has been back in band (counts: the band the alert sees; metrics: within one
   * σ) of the baseline from before the detection for this many minutes and the pooled evidence says that baseline
   * is back rather than the incident's level (`hold-policy.ts`, `REARM_EVIDENCE`): the incident is over, the next
   * one alerts again. 0 = holds last the whole cooldown.
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
  clipZ: 4,
  cusumK: 1.5,
  rangeMargin: 0.05,
  window: 6,
  fastGain: 0.2,
  rebaseMinutes: 60,
  calibrationMemory: 1000,
  calibrationWinsor: 25,
  rankSpan: 1,
  rankWeight: 0.5,
  cooldownFloor: 144,
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

/**
 * The least memory in points whatever the step (a level is not learnt from 3 points). NAB only moves with it (40:
 * NAB 61.97, alert 61.73; anomaly-extra PA-F1 0.807, false alerts/day 0.100).
 */
export const MEMORY_FLOOR = 20;
/** The least warm-up in points (two points give a first level and spread). Neither corpus moves (10: identical). */
export const WARMUP_FLOOR = 2;

/** Converts the minute settings to points at `step` ms per point (each at least its working minimum). */
export function rowSettings(o: ResolvedDetectorOptions, step: number): RowSettings {
  const per = (minutes: number): number => (minutes * MINUTE) / step;
  return {
    warmup: Math.max(WARMUP_FLOOR, o.probationRows, Math.round(per(o.warmupMinutes))),
    cooldown: Math.max(o.tuning.cooldownFloor, Math.round(per(o.cooldownMinutes))),
    memory: Math.max(MEMORY_FLOOR, per(o.memoryMinutes)),
    rebase: Math.max(1, Math.min(Math.round(per(o.tuning.rebaseMinutes)), Math.round(0.5 * Math.max(o.tuning.cooldownFloor, per(o.cooldownMinutes))))),
    rearm: o.rearmMinutes > 0 ? Math.max(1, Math.round(per(o.rearmMinutes))) : 0,
  };
}
