export type Direction = 'up' | 'down';
export type AnomalyReason = 'spike' | 'level_shift' | 'drop' | 'correlation_break';

/** The detector's verdict on one point. */
export interface DetectorPoint {
  readonly t: number;
  readonly value: number | null;
  /** Anomaly score in [0,1]. */
  readonly score: number;
  /** Expected value and band, in the series' own units (for charts). `null` during warm-up. */
  readonly expected: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly direction: Direction | null;
  readonly reason: AnomalyReason | null;
  /** True when the detector, with its production threshold and de-duplication, would fire here. */
  readonly alert: boolean;
}

/** An anomaly handed from the detect worker to alerting. */
export interface Anomaly {
  readonly series: string;
  readonly t: number;
  readonly value: number;
  readonly expected: number;
  readonly lower: number;
  readonly upper: number;
  readonly score: number;
  readonly direction: Direction;
  readonly reason: AnomalyReason;
}
