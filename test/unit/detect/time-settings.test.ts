import { describe, expect, it } from 'vitest';
import { inferStep, parseSeriesCsv } from '../../../src/detect/csv.js';
import { createDetector } from '../../../src/detect/detector.js';
import { resolveDetectorOptions, rowSettings } from '../../../src/detect/options.js';

const MIN = 60_000;

describe('memory, cooldown and warm-up are times, converted by the step', () => {
  it.each([
    // step, settings, expected points
    [MIN, { memoryMinutes: 120, cooldownMinutes: 240, warmupMinutes: 60 }, { memory: 120, cooldown: 240, warmup: 60 }],
    [5 * MIN, { memoryMinutes: 120, cooldownMinutes: 1440, warmupMinutes: 60 }, { memory: 24, cooldown: 288, warmup: 12 }],
    // the defaults: a hold covers at least 144 points, the baseline remembers at least 20
    [MIN, {}, { memory: 100, cooldown: 144, warmup: 60 }],
    [60 * MIN, {}, { memory: 20, cooldown: 144, warmup: 2 }],
    // floors in points bite on coarse series only
    [60 * MIN, { memoryMinutes: 120, cooldownMinutes: 60, warmupMinutes: 60 }, { memory: 20, cooldown: 144, warmup: 2 }],
    [MIN, { memoryMinutes: 120 }, { memory: 120 }],
    // a benchmark's probation rows lengthen the warm-up, nothing else
    [5 * MIN, { warmupMinutes: 60, probationRows: 750 }, { warmup: 750, cooldown: 144, memory: 20 }],
  ] as const)('step %d ms, %j', (step, options, expected) => {
    expect(rowSettings(resolveDetectorOptions(options), step)).toMatchObject(expected);
  });

  it('the same hour of memory means the same baseline whether points come every minute or every 5 minutes', () => {
    // A step from 10 to 20 at t = 10 h: after 2 h more, a 2-hour memory has covered 1 − e^−1 of it at either step.
    const level = (step: number) => {
      const d = createDetector({ model: 'continuous', memoryMinutes: 120, direction: 'down' });
      let out = d.update(0, 10);
      for (let t = step; t <= 12 * 60 * MIN; t += step) out = d.update(t, t < 10 * 60 * MIN ? 10 : 20);
      return out.expected as number;
    };
    expect(Math.abs(level(MIN) - level(5 * MIN))).toBeLessThan(0.8);
  });
});

describe('inferStep', () => {
  it('is the median gap, so a late start or missing rows do not set it', () => {
    const csv = ['2015-01-01 00:00:00,1', '2015-01-01 00:01:00,1', ...Array.from({ length: 9 }, (_, i) => `2015-01-01 0${i + 1}:00:00,1`)];
    csv.push('2015-01-01 12:00:00,1');
    expect(inferStep(parseSeriesCsv(csv.join('\n')))).toBe(60 * MIN);
  });
  it('is null for a single row', () => expect(inferStep(parseSeriesCsv('2015-01-01 00:00:00,1'))).toBeNull());
});
