import { describe, expect, it } from 'vitest';
import { createDetector, type Detector } from '../../../src/detect/detector.js';

const T0 = Date.UTC(2026, 0, 5);
const MIN = 60_000;

/** A steady metric near 100 (a small deterministic wobble), minutely. */
const normal = (i: number): number => 100 + ((i * 7) % 5) - 2;

function feed(detector: Detector, from: number, to: number, value: (i: number) => number): void {
  for (let i = from; i < to; i++) detector.update(T0 + i * MIN, value(i));
}

describe('the detector does not learn from the points it alerts on (issue 12, pattern 3)', () => {
  it('keeps the level from before an outage early in the re-baselining, and re-baselines a lasting shift later', () => {
    const detector = createDetector({ model: 'continuous', daily: false, weekly: false, cooldownMinutes: 120, rearmMinutes: 0 });
    feed(detector, 0, 600, normal);
    const outage = (i: number): number => (i < 600 ? normal(i) : 20 + ((i * 7) % 5) - 2);
    let alertAt = -1;
    for (let i = 600; i < 610; i++) if (detector.update(T0 + i * MIN, outage(i)).alert && alertAt < 0) alertAt = i;
    expect(alertAt).toBeGreaterThanOrEqual(600);
    expect(alertAt).toBeLessThan(603);
    feed(detector, 610, alertAt + 12, outage);
    // A dozen points after the alert the level still is the one from before the outage (the first half of the
    // 60-minute re-baselining is frozen while the points are flagged); with the fast gain 0.2 it would be near 20.
    expect(detector.snapshot().level).toBeGreaterThan(90);
    // A lasting shift is learnt once the points stop being flagged (the spread widens) or the frozen half is over.
    feed(detector, alertAt + 12, 700, outage);
    expect(detector.snapshot().level).toBeLessThan(30);
  });
});
