import { describe, expect, it } from 'vitest';
import { learnSeasonalMedian, seasonalMedian, seasonalMedianState, sixDigits } from '../../../src/detect/seasonal-median.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('seasonal median (same time of day over past days)', () => {
  it('is the median of the past days at that hour, ignoring one odd day', () => {
    const st = seasonalMedianState(HOUR);
    // Days 0–4 at 09:00: 10, 11, 99 (an incident), 12, 13; other hours 1.
    const nine = [10, 11, 99, 12, 13];
    for (let d = 0; d < 5; d++) for (let h = 0; h < 24; h++) learnSeasonalMedian(st, d * DAY + h * HOUR, h === 9 ? (nine[d] as number) : 1);
    learnSeasonalMedian(st, 5 * DAY, 1); // closes the last bin
    expect(seasonalMedian(st, 5 * DAY + 9 * HOUR)).toBe(12);
    expect(seasonalMedian(st, 5 * DAY + 10 * HOUR)).toBe(1);
  });

  it('waits for three past days and remembers seven', () => {
    const st = seasonalMedianState(HOUR);
    for (let d = 0; d < 2; d++) for (let h = 0; h < 24; h++) learnSeasonalMedian(st, d * DAY + h * HOUR, d);
    learnSeasonalMedian(st, 2 * DAY, 2);
    expect(seasonalMedian(st, 2 * DAY + HOUR)).toBeNull();
    for (let d = 2; d < 12; d++) for (let h = 0; h < 24; h++) learnSeasonalMedian(st, d * DAY + h * HOUR, d);
    learnSeasonalMedian(st, 12 * DAY, 12);
    // days 5..11 remain: median 8
    expect(seasonalMedian(st, 12 * DAY + HOUR)).toBe(8);
  });

  it('averages minutes into 5-minute bins and is off for daily data', () => {
    const st = seasonalMedianState(60_000);
    expect(st.bins).toBe(288);
    for (let d = 0; d < 3; d++) for (let m = 0; m < 1440; m++) learnSeasonalMedian(st, d * DAY + m * 60_000, m % 5);
    learnSeasonalMedian(st, 3 * DAY, 0);
    expect(seasonalMedian(st, 3 * DAY + 7 * 60_000)).toBe(2);
    expect(seasonalMedianState(DAY).bins).toBe(0);
  });
});

describe('seasonal median: each bin\'s median is remembered until that bin gets a new day', () => {
  it('follows a new day at once, and a state restored from JSON gives the same medians', () => {
    const st = seasonalMedianState(HOUR);
    for (let d = 0; d < 4; d++) for (let h = 0; h < 24; h++) learnSeasonalMedian(st, d * DAY + h * HOUR, h === 9 ? 10 * (d + 1) : h);
    learnSeasonalMedian(st, 4 * DAY, 0);
    // 09:00 held 10, 20, 30, 40: median 25, asked twice (the second answer is the remembered one).
    expect(seasonalMedian(st, 4 * DAY + 9 * HOUR)).toBe(25);
    expect(seasonalMedian(st, 4 * DAY + 9 * HOUR)).toBe(25);
    learnSeasonalMedian(st, 4 * DAY + 9 * HOUR, 1000);
    learnSeasonalMedian(st, 4 * DAY + 10 * HOUR, 10);
    // 10, 20, 30, 40, 1000: median 30.
    expect(seasonalMedian(st, 5 * DAY + 9 * HOUR)).toBe(30);
    const restored = JSON.parse(JSON.stringify(st)) as typeof st;
    for (let h = 0; h < 24; h++) expect(seasonalMedian(restored, 5 * DAY + h * HOUR)).toBe(seasonalMedian(st, 5 * DAY + h * HOUR));
  });
});

describe('six significant digits without the string round trip', () => {
  it('is Number(x.toPrecision(6)) to the bit, for bin means, every magnitude, near-ties and the odd values', () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const xs: number[] = [0, -0, Number.NaN, Infinity, -Infinity, 5e-324, 1e-320, 1.7976931348623157e308, 123.4567891, 0.1, 99.99995, 100.0005];
    for (let i = 0; i < 20_000; i++) xs.push((rand() - 0.3) * 10 ** (Math.floor(rand() * 44) - 22));
    for (let i = 0; i < 20_000; i++) xs.push((100 * rand() + 100 * rand() + 100 * rand()) / 3);
    for (let e = -16; e < 22; e++) {
      for (let m = 0; m < 50; m++) {
        // A tie at the sixth digit, and its neighbouring doubles.
        const tie = (100_000 + Math.floor(rand() * 900_000) + 0.5) / 10 ** (5 - e);
        xs.push(tie, tie * (1 - Number.EPSILON), tie * (1 + Number.EPSILON), -tie);
      }
      xs.push(10 ** e, 10 ** e * (1 - Number.EPSILON), 999_999.5 / 10 ** (5 - e));
    }
    const differ = xs.filter((x) => !Object.is(sixDigits(x), Number(x.toPrecision(6))));
    expect(differ).toEqual([]);
  });
});
