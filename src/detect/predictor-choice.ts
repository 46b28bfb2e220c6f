/**
 * Which predictor to trust for a point, by recent mean absolute error: the plain level, the level plus the daily
 * profile, plus the weekly one too, or the seasonal median (continuous series only). A profile is trusted only once
 * it has really predicted better (and seen two of its cycles), so a series without a season stays on the level.
 *
 * @example
 * choosePredictor({ err0: 10, err1: 4, err2: 4, err3: 0, slotErr0: [], slotErr1: [] }, 3, 40, -1, 3 * DAY, false);
 * // DAILY: the daily profile cut the error to 40% and two days were seen
 */
const DAY = 86_400_000;
const WEEK = 7 * DAY;

export const PLAIN = 0;
export const DAILY = 1;
export const WEEKLY = 2;
export const MEDIAN = 3;

/**
 * The seasonal median is used where its recent error is below this share of the chosen predictor's (0.5: on NAB
 * and anomaly-extra together 0.5 was about neutral — alert column +0.1, extra false alerts −5% — where 0.7 and 0.9
 * lost NAB points on realAWSCloudwatch and realKnownCause).
 */
const MEDIAN_GATE = 0.5;

/**
 * A seasonal model is used only when it cuts the mean absolute error to below this share of the plain level's.
 * NAB only (0.8: NAB 59.22 / alert 58.05; extra unchanged).
 */
export const SEASON_GATE = 0.9;
/**
 * The daily profile is used at a time of day where its error there is below this share of the plain one (a jump
 * every day at 09:00), once SLOT_MIN_DAYS days were seen.
 * NAB only (0.8: NAB 59.64 / alert 60.42; extra F1 +0.003).
 */
export const SLOT_GATE = 0.9;
// NAB only (4: NAB 59.33 / alert 58.51; extra F1 +0.002).
export const SLOT_MIN_DAYS = 2;

/** The predictors' recent errors (the part of the detector's state this choice reads). */
export interface PredictorErrors {
  /** Mean absolute errors of: the level, level + daily, level + daily + weekly, the seasonal median. */
  err0: number;
  err1: number;
  err2: number;
  err3: number;
  /** Per daily error slot: the errors of the level and of level + daily (empty when off). */
  slotErr0: number[];
  slotErr1: number[];
}

/**
 * The predictor (PLAIN, DAILY, WEEKLY or MEDIAN) for this point. `daySlot`/`weekSlot`/`errorSlot` are −1 when that
 * profile or the per-slot errors are off; `elapsed` is the time since the series began; `hasMedian` whether the
 * seasonal median has a value here.
 */
export function choosePredictor(
  errors: Readonly<PredictorErrors>,
  daySlot: number,
  weekSlot: number,
  errorSlot: number,
  elapsed: number,
  hasMedian: boolean,
): number {
  let choice = PLAIN;
  if (daySlot >= 0 && elapsed >= 2 * DAY && errors.err1 < SEASON_GATE * errors.err0) choice = DAILY;
  // The daily profile also wins where it has been the better predictor at this time of day (a daily jump).
  if (
    choice === PLAIN &&
    errorSlot >= 0 &&
    elapsed >= SLOT_MIN_DAYS * DAY &&
    (errors.slotErr1[errorSlot] ?? 0) < SLOT_GATE * (errors.slotErr0[errorSlot] ?? 0)
  ) {
    choice = DAILY;
  }
  if (weekSlot >= 0 && elapsed >= 2 * WEEK && errors.err2 < SEASON_GATE * Math.min(errors.err0, errors.err1)) choice = WEEKLY;
  // The seasonal median (robust to past incidents) wins where its recent error is clearly the smallest.
  const chosenError = choice === PLAIN ? errors.err0 : choice === DAILY ? errors.err1 : errors.err2;
  if (hasMedian && errors.err3 > 0 && errors.err3 < MEDIAN_GATE * chosenError) choice = MEDIAN;
  return choice;
}
