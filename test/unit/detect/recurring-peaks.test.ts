import { describe, expect, it } from 'vitest';
import { dailyFade, familiarPeak, learnPeak, recurringPeaksState } from '../../../src/detect/recurring-peaks.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);
const fade = dailyFade(3);

describe('recurring peaks (per time of day, past days only)', () => {
  it('halves in the half-life', () => {
    expect(Math.pow(dailyFade(3), 3)).toBeCloseTo(0.5, 12);
  });

  it('knows nothing of today: a residual joins at midnight', () => {
    const st = recurringPeaksState(48);
    learnPeak(st, T0 + 3.4 * HOUR, 6, 1.3, fade);
    expect(familiarPeak(st, 6, true, 0)).toBe(0);
    learnPeak(st, T0 + DAY + 1 * HOUR, 2, 0, fade);
    expect(familiarPeak(st, 6, true, 0)).toBeCloseTo(1.3, 12);
    // A neighbouring slot (the spike jitters) sees it too; two slots away does not.
    expect(familiarPeak(st, 7, true, 0)).toBeCloseTo(1.3, 12);
    expect(familiarPeak(st, 8, true, 0)).toBe(0);
    expect(familiarPeak(st, 6, false, 0)).toBe(0);
  });

  it('needs peaks on about two past days when asked to, and fades them', () => {
    const st = recurringPeaksState(48);
    learnPeak(st, T0 + 3.4 * HOUR, 6, 1.3, fade);
    learnPeak(st, T0 + DAY + 3.7 * HOUR, 7, 1.2, fade);
    expect(familiarPeak(st, 7, true, 1.5)).toBe(0);
    learnPeak(st, T0 + 2 * DAY, 0, 0, fade);
    expect(familiarPeak(st, 7, true, 1.5)).toBeCloseTo(Math.max(1.3 * fade, 1.2), 12);
    expect(familiarPeak(st, 6, true, 1.5)).toBeCloseTo(Math.max(1.3 * fade, 1.2), 12);
    // Four quiet days later the count has faded below two days.
    learnPeak(st, T0 + 6 * DAY, 0, 0, fade);
    expect(familiarPeak(st, 7, true, 1.5)).toBe(0);
  });

  it('remembers dips apart from spikes, and is off with no slots', () => {
    const st = recurringPeaksState(24);
    learnPeak(st, T0 + 5 * HOUR, 5, -40, fade);
    learnPeak(st, T0 + DAY, 0, 0, fade);
    expect(familiarPeak(st, 5, false, 0)).toBe(40);
    expect(familiarPeak(st, 5, true, 0)).toBe(0);
    const off = recurringPeaksState(0);
    learnPeak(off, T0, 0, 5, fade);
    expect(familiarPeak(off, 0, true, 0)).toBe(0);
  });
});
