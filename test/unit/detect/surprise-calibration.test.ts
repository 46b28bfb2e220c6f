import { describe, expect, it } from 'vitest';
import { CALIBRATION_FLOOR, calibratedLog10P, judgeSurprise, learnSurprise, type CalibrationSettings, type CalibrationState } from '../../../src/detect/surprise-calibration.js';
import { log10NormalTail } from '../../../src/detect/tail-probability.js';

const settings: CalibrationSettings = { floor: 0.1, memory: 1000, winsor: 25 };
const fresh = (): CalibrationState => ({ surpriseMean: 0, surpriseVar: 0 });
/** Judges a surprise, then learns it (what the detector does with a point it learns from). */
function calibrateSurprise(state: CalibrationState, settings: CalibrationSettings, log10P: number, pointsSeen: number, beatenBy?: number): number {
  const calibrated = judgeSurprise(state, settings, log10P, beatenBy);
  learnSurprise(state, settings, log10P, pointsSeen);
  return calibrated;
}

describe('surprise calibration (past surprises set the scale)', () => {
  it('judges the first surprise on the floor alone, then learns it as the mean', () => {
    const state = fresh();
    expect(calibrateSurprise(state, settings, -0.2, 1)).toBeCloseTo(log10NormalTail(2), 12);
    expect(state.surpriseMean).toBeCloseTo(0.2, 12);
    expect(state.surpriseVar).toBe(0);
  });

  it('finds a surprise of 3 unremarkable in a series that is always about that surprising', () => {
    const noisy = fresh();
    const calm = fresh();
    const surprises = [2.5, 3.5, 2.8, 3.2, 3, 2.6, 3.4, 3.1, 2.9, 3];
    surprises.forEach((x, i) => calibrateSurprise(noisy, settings, -x, i + 1));
    surprises.forEach((_, i) => calibrateSurprise(calm, settings, -0.3, i + 1));
    const inNoisy = calibrateSurprise(noisy, settings, -3, 11);
    const inCalm = calibrateSurprise(calm, settings, -3, 11);
    expect(inNoisy).toBeGreaterThan(-1);
    expect(inCalm).toBeLessThan(-5);
  });

  it('winsorises what it learns, so one huge burst cannot blow up the scale', () => {
    const capped = fresh();
    const uncapped = fresh();
    for (let i = 1; i <= 20; i++) {
      calibrateSurprise(capped, settings, -1, i);
      calibrateSurprise(uncapped, { ...settings, winsor: 0 }, -1, i);
    }
    calibrateSurprise(capped, settings, -300, 21);
    calibrateSurprise(uncapped, { ...settings, winsor: 0 }, -300, 21);
    expect(capped.surpriseMean).toBeLessThan(uncapped.surpriseMean);
    expect(capped.surpriseMean).toBeCloseTo(1 + (25 * 0.1) / 21, 9);
  });


  it('may discount the exact tail of a count, never sharpen it; a metric takes the calibrated value', () => {
    expect(calibratedLog10P(-12, -3, true)).toBe(-3);
    expect(calibratedLog10P(-2, -6, true)).toBe(-2);
    expect(calibratedLog10P(-2, -6, false)).toBe(-6);
    expect(calibratedLog10P(-12, -3, false)).toBe(-3);
  });
});

describe('a calibrated value another test beats', () => {
  it('is the exact one, or a bound above what beats it, and the state learns the same', () => {
    const settings: CalibrationSettings = { floor: CALIBRATION_FLOOR, memory: 50, winsor: 25 };
    const exact: CalibrationState = { surpriseMean: 0, surpriseVar: 0 };
    const lazy: CalibrationState = { surpriseMean: 0, surpriseVar: 0 };
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    let skipped = 0;
    for (let i = 1; i <= 2000; i++) {
      const log10P = -3 * rand() * rand();
      const other = -2 * rand();
      const want = calibrateSurprise(exact, settings, log10P, i);
      const got = calibrateSurprise(lazy, settings, log10P, i, other);
      // The caller takes `other` whenever it is below the returned value: the same choice as with the exact value.
      expect(other < got).toBe(other < want);
      if (!(other < want)) expect(got).toBe(want);
      if (got !== want) skipped += 1;
      expect(lazy).toEqual(exact);
    }
    expect(skipped).toBeGreaterThan(0);
  });
});

describe('judging without learning', () => {
  it('leaves the distribution alone; learning it afterwards gives what judge-and-learn gives', () => {
    const judgedOnly = fresh();
    for (let i = 1; i <= 10; i++) calibrateSurprise(judgedOnly, settings, -0.5, i);
    const before = { ...judgedOnly };
    const value = judgeSurprise(judgedOnly, settings, -8);
    expect(judgedOnly).toEqual(before);
    const both = { ...before };
    expect(calibrateSurprise(both, settings, -8, 11)).toBe(value);
    learnSurprise(judgedOnly, settings, -8, 11);
    expect(judgedOnly).toEqual(both);
  });
});
