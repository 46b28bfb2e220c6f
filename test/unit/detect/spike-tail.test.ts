import { describe, expect, it } from 'vitest';
import { learnSpikeTail, SPIKE_THRESHOLD, spikeTailLog10P, spikeTailState } from '../../../src/detect/spike-tail.js';
import { createDetector, type Detector } from '../../../src/detect/detector.js';

describe('spike tail (peaks over a threshold, exponential tail)', () => {
  it('says nothing below the threshold', () => {
    expect(spikeTailLog10P(spikeTailState(), -(SPIKE_THRESHOLD - 0.5))).toBe(Number.NEGATIVE_INFINITY);
  });

  it('starts as the normal model’s own tail', () => {
    const state = spikeTailState();
    expect(spikeTailLog10P(state, -5)).toBeCloseTo(-5, 9);
    expect(spikeTailLog10P(state, -12)).toBeCloseTo(-12, 9);
  });

  it('a series that spikes every hundred points learns that such spikes are common', () => {
    const state = spikeTailState();
    for (let i = 0; i < 10_000; i++) learnSpikeTail(state, i % 100 === 0 ? -8 : -0.5);
    const lp = spikeTailLog10P(state, -8);
    expect(lp).toBeGreaterThan(-3.5);
    expect(lp).toBeLessThan(-2);
    // A far larger spike is still far rarer.
    expect(spikeTailLog10P(state, -40)).toBeLessThan(lp - 3);
  });

  it('quiet points keep the tail near its prior', () => {
    const state = spikeTailState();
    for (let i = 0; i < 10_000; i++) learnSpikeTail(state, -0.3);
    expect(spikeTailLog10P(state, -6)).toBeLessThan(-6);
  });
});

const T0 = Date.UTC(2026, 0, 5);
const MIN = 60_000;

/** A metric near 100 with a little noise (deterministic, σ ≈ 4), and a burst of +30 (about 8σ) every `every` points. */
function bursty(i: number, every: number): number {
  const noise = ((i * 7919) % 13) - 6;
  return (i % every === every / 2 ? 130 : 100) + noise;
}

function alerts(detector: Detector, from: number, to: number, value: (i: number) => number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (detector.update(T0 + i * MIN, value(i)).alert) n += 1;
  return n;
}

describe('the detector judges a spike by how often such spikes came before', () => {
  it('a metric that bursts every 300 points stops paging on each burst, and a burst on a quiet metric still pages', () => {
    const options = { model: 'continuous' as const, daily: false, weekly: false, cooldownMinutes: 60, rearmMinutes: 0 };
    const busy = createDetector(options);
    alerts(busy, 0, 6000, (i) => bursty(i, 300));
    // After 20 bursts, the next ten (one every 300 points) are the series' normal behaviour.
    expect(alerts(busy, 6000, 9000, (i) => bursty(i, 300))).toBeLessThanOrEqual(2);
    const quiet = createDetector(options);
    alerts(quiet, 0, 6000, (i) => bursty(i, 1_000_000));
    expect(alerts(quiet, 6000, 6300, (i) => (i === 6150 ? 130 : bursty(i, 1_000_000)))).toBe(1);
  });
});
