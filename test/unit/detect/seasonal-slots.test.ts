import { describe, expect, it } from 'vitest';
import { phaseOf, profileGain, slotOf } from '../../../src/detect/seasonal-slots.js';

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

describe('phase in a cycle', () => {
  it('is ((t % period) + period) % period to the bit: whole and fractional, negative and huge times', () => {
    let seed = 5;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const ts: number[] = [0, -0, 1, -1, 2 ** 52 - 1, 2 ** 52, 2 ** 53, -(2 ** 52) + 1, -(2 ** 60), 1e300, Number.NaN, Infinity];
    for (let i = 0; i < 20_000; i++) {
      const t = Math.floor(rand() * 2 ** (rand() * 53));
      ts.push(t, -t, t + rand(), Date.UTC(2026, 0, 5) + i * 60_000, 2 ** 52 - 1 - i);
    }
    for (const period of [24 * HOUR, 7 * 24 * HOUR, HOUR, MINUTE, 7, 1.5]) {
      const differ = ts.filter((t) => !Object.is(phaseOf(t, period), ((t % period) + period) % period));
      expect(differ).toEqual([]);
    }
  });
});
