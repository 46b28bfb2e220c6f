/**
 * What the state machine consumes: per series and tick, is the series anomalous, still out of band,
 * or back in band. Build observations from the detector's anomalies or from its per-point output.
 */
import type { Anomaly, DetectorPoint, Direction } from '../domain/anomaly.js';

/**
 * `anomaly`: the detector fired (may start an alert);
 * `out`: outside the band but not a fresh detection (keeps an alert going, never starts one);
 * `in`: back in band.
 */
export type ObservationStatus = 'anomaly' | 'out' | 'in';

export interface Observation {
  readonly series: string;
  readonly t: number;
  readonly status: ObservationStatus;
  /** Present for `anomaly` (and for `out` when built from a detector point). */
  readonly anomaly?: Anomaly;
  /**
   * The observed value. An `in` point still beyond the band of the anomaly that opened the episode
   * counts as `out`: a detector that re-learns its baseline after firing calls the new level normal,
   * the alert does not.
   */
  readonly value?: number;
  /** The detector's expected value at `t` when the observation carries no anomaly (an in-band point). */
  readonly expected?: number;
}

/**
 * From the detector's anomalies of one tick: each anomaly is `anomaly`; every other series in
 * `evaluated` (the series the detector looked at this tick) is `in`.
 */
export function observationsFromAnomalies(anomalies: readonly Anomaly[], evaluated: readonly string[], t: number): Observation[] {
  const out: Observation[] = anomalies.map((a) => ({ series: a.series, t: a.t, status: 'anomaly' as const, anomaly: a }));
  const seen = new Set(anomalies.map((a) => a.series));
  for (const series of evaluated) if (!seen.has(series)) out.push({ series, t, status: 'in' });
  return out;
}

/**
 * From one detector point: `alert` → `anomaly`; a value outside [lower, upper] → `out`; otherwise `in`.
 * Null during warm-up (no band) or without a value.
 */
export function observationFromPoint(series: string, p: DetectorPoint): Observation | null {
  if (p.value === null) return null;
  const direction: Direction | null =
    p.upper !== null && p.value > p.upper ? 'up' : p.lower !== null && p.value < p.lower ? 'down' : null;
  const dir = p.direction ?? direction;
  const anomaly: Anomaly | undefined =
    dir !== null && p.expected !== null && p.lower !== null && p.upper !== null
      ? {
          series,
          t: p.t,
          value: p.value,
          expected: p.expected,
          lower: p.lower,
          upper: p.upper,
          score: p.score,
          direction: dir,
          reason: p.reason ?? (dir === 'up' ? 'spike' : 'drop'),
        }
      : undefined;
  if (p.alert && anomaly) return { series, t: p.t, status: 'anomaly', anomaly, value: p.value };
  if (direction !== null && anomaly) return { series, t: p.t, status: 'out', anomaly, value: p.value };
  if (p.expected === null && p.lower === null && p.upper === null && !p.alert) return null;
  return { series, t: p.t, status: 'in', value: p.value, ...(p.expected !== null ? { expected: p.expected } : {}) };
}
