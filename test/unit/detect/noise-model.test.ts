import { describe, expect, it } from 'vitest';
import { chooseModel, countsFitPoorly, switchToContinuous, timeOfDaySpread, type ModelSettings } from '../../../src/detect/noise-model.js';
import { initialState, MODEL_CONTINUOUS, MODEL_COUNTS, type DetectorState } from '../../../src/detect/state.js';

const MINUTE = 60_000;
const auto: ModelSettings = { model: 'auto', daily: true, weekly: true, warmup: 60 };

/** A state that has seen `values` in its warm-up (the moments the detector collects), minutely. */
function warmedUp(values: readonly number[]): DetectorState {
  const s = initialState();
  s.step = MINUTE;
  s.min = Math.min(...values);
  s.max = Math.max(...values);
  for (const v of values) {
    s.n += 1;
    s.sum += v;
    s.sumRawSq += v * v;
    s.sumX += v;
    s.sumSq += v * v;
    s.sumRef += 1;
    if (!Number.isInteger(v)) s.allInts = false;
  }
  return s;
}

describe('noise model (counts vs continuous)', () => {
  it.each([
    ['Poisson-like small counts', [2, 0, 3, 1, 4, 2, 1, 0, 3, 2, 5, 1], MODEL_COUNTS],
    ['mostly zeros', [0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0], MODEL_COUNTS],
    ['fractional values', [2.5, 3.1, 2.9, 3.3, 2.7, 3.0, 2.8, 3.2, 3.1, 2.6, 3.0, 2.9], MODEL_CONTINUOUS],
    ['whole numbers far too flat for Poisson', [24, 24, 25, 24, 23, 24, 24, 25, 24, 24, 23, 24], MODEL_CONTINUOUS],
    ['large counts', [120, 131, 118, 125, 140, 122, 119, 128, 133, 121, 126, 130], MODEL_CONTINUOUS],
  ])('auto takes %s as model %i', (_name, values, model) => {
    const s = warmedUp(values);
    const last = values.at(-1) as number;
    chooseModel(auto, s, last, last, 1);
    expect(s.model).toBe(model);
  });

  it('an explicit model wins, and sizes the profiles by the model (48 daily slots for counts, 288 for metrics)', () => {
    const counts = warmedUp([1.5, 2.5, 3.5]);
    chooseModel({ ...auto, model: 'counts' }, counts, 3.5, 3.5, 1);
    expect([counts.model, counts.daySlots, counts.weekSlots]).toEqual([MODEL_COUNTS, 48, 7]);
    const metric = warmedUp([1, 2, 3]);
    chooseModel({ ...auto, model: 'continuous' }, metric, 3, 3, 1);
    expect([metric.model, metric.daySlots, metric.weekSlots, metric.slotErr0.length]).toEqual([MODEL_CONTINUOUS, 288, 168, 48]);
    expect(metric.level).toBe(2);
  });

  it('re-checks counts after the warm-up: a fractional value or a fit far from Poisson means continuous', () => {
    const s = warmedUp([2, 0, 3, 1]);
    chooseModel(auto, s, 1, 1, 1);
    s.n = 61;
    expect(countsFitPoorly(auto, s, 2)).toBe(false);
    expect(countsFitPoorly(auto, s, 2.5)).toBe(true);
    s.fitN = 30;
    s.fit = 0.04; // ±0.9 around 24 is a twentieth of Poisson's variance
    expect(countsFitPoorly(auto, s, 24)).toBe(true);
    expect(countsFitPoorly({ ...auto, model: 'counts' }, s, 24)).toBe(false);
    s.xMean = 24;
    s.xVar = 0.81;
    switchToContinuous(auto, s);
    expect(s.model).toBe(MODEL_CONTINUOUS);
    expect(s.level).toBe(24);
    expect(s.n).toBe(30);
    expect([s.min, s.max]).toEqual([24 - 1.8, 24 + 1.8]);
  });
});

describe('time-of-day spread of whole-number metrics', () => {
  it.each([
    // overall spread, the slot's error, the spread used
    [10, 8, 8],
    [10, 2, 7],
    [10, 40, 15],
  ] as const)('dev %d, slot error %d → %d', (dev, slotDev, expected) => {
    expect(timeOfDaySpread(dev, slotDev)).toBeCloseTo(expected, 12);
  });
});
