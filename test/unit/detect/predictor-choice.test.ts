import { describe, expect, it } from 'vitest';
import { choosePredictor, DAILY, MEDIAN, PLAIN, WEEKLY, type PredictorErrors } from '../../../src/detect/predictor-choice.js';

const DAY = 86_400_000;
const errors = (e: Partial<PredictorErrors>): PredictorErrors => ({ err0: 10, err1: 10, err2: 10, err3: 0, slotErr0: [], slotErr1: [], ...e });

describe('predictor choice (by recent error)', () => {
  it.each([
    ['no profile beats the level', errors({}), 3, 3, -1, 20 * DAY, false, PLAIN],
    ['the daily profile cuts the error', errors({ err1: 4 }), 3, 3, -1, 3 * DAY, false, DAILY],
    ['… but not before two days', errors({ err1: 4 }), 3, 3, -1, 1.5 * DAY, false, PLAIN],
    ['… nor when the daily profile is off', errors({ err1: 4 }), -1, -1, -1, 3 * DAY, false, PLAIN],
    ['the weekly one beats both, after two weeks', errors({ err1: 8, err2: 3 }), 3, 3, -1, 15 * DAY, false, WEEKLY],
    ['… not before', errors({ err1: 8, err2: 3 }), 3, 3, -1, 10 * DAY, false, DAILY],
    ['a daily jump: the daily profile wins at its time of day', errors({ slotErr0: [5, 9], slotErr1: [5, 2] }), 3, -1, 1, 3 * DAY, false, DAILY],
    ['… and not at another', errors({ slotErr0: [5, 9], slotErr1: [5, 2] }), 3, -1, 0, 3 * DAY, false, PLAIN],
    ['the seasonal median at under half the chosen error', errors({ err1: 4, err3: 1.9 }), 3, -1, -1, 3 * DAY, true, MEDIAN],
    ['… not at more than half', errors({ err1: 4, err3: 2.1 }), 3, -1, -1, 3 * DAY, true, DAILY],
    ['… nor without a median value here', errors({ err3: 1 }), 3, -1, -1, 3 * DAY, false, PLAIN],
  ])('%s', (_name, e, daySlot, weekSlot, errorSlot, elapsed, hasMedian, expected) => {
    expect(choosePredictor(e, daySlot, weekSlot, errorSlot, elapsed, hasMedian)).toBe(expected);
  });
});
