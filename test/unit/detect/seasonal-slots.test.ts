import { describe, expect, it } from 'vitest';
import { profileGain, slotOf } from '../../../src/detect/seasonal-slots.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

describe('seasonal slots', () => {
  it.each([
    [0, DAY, 48, 0],
    [9.5 * HOUR, DAY, 48, 19],
    [DAY - 1, DAY, 48, 47],
    [3 * DAY + 2 * HOUR, DAY, 24, 2],
    [-HOUR, DAY, 24, 23],
    [2 * DAY + 5 * HOUR, WEEK, 7, 2],
  ])('slotOf(%d, %d, %d) = %d', (t, period, slots, expected) => {
    expect(slotOf(t, period, slots)).toBe(expected);
  });

  it('learns a running mean over the first visits, then the per-cycle gain spread over the visits', () => {
    // Hourly points, 24 slots a day: one visit per slot per day.
    expect(profileGain(0.1, 0, DAY, HOUR, 24)).toBe(1);
    expect(profileGain(0.1, DAY, DAY, HOUR, 24)).toBe(0.5);
    expect(profileGain(0.1, 3 * DAY, DAY, HOUR, 24)).toBe(0.25);
    expect(profileGain(0.1, 30 * DAY, DAY, HOUR, 24)).toBe(0.1);
    // Minutely points, 48 slots: 30 visits a slot a day, so 0.1 per day is 0.1/30 per visit.
    expect(profileGain(0.1, 100 * DAY, DAY, MINUTE, 48)).toBeCloseTo(0.1 / 30, 15);
    expect(profileGain(0.1, 0, DAY, null, 48)).toBe(1);
  });
});
