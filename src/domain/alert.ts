import type { Anomaly } from './anomaly.js';

/**
 * The point of a member's episode furthest from normal in the episode's direction: its value, what
 * the detector expected then, and when. Tracked from every observation (not only fresh detections),
 * so a burst inside an open alert moves it even when the detector has re-learnt its baseline.
 */
export interface AlertPeak {
  readonly t: number;
  readonly value: number;
  readonly expected: number;
}

/**
 * An Alert is one incident: one or more related series anomalous at the same time, one owner.
 * pending → firing → resolved; a pending alert whose series return to band before `for` is cancelled.
 * All times are epoch milliseconds. Alerts are plain JSON-serialisable values: the store keeps them,
 * the pure alerting core returns updated copies.
 */
export const ALERT_STATES = ['pending', 'firing', 'resolved', 'cancelled'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export type Severity = 'info' | 'warning' | 'critical';

/** One series inside an alert, with its own episode (pending → firing → ended). */
export interface AlertMember {
  readonly series: string;
  readonly state: 'pending' | 'firing' | 'ended';
  /** First anomalous point of the current episode. */
  readonly since: number;
  readonly firingSince: number | null;
  /** Last point that was anomalous or still outside the band. */
  readonly lastAnomalousAt: number;
  /** Start of the current in-band run; null while anomalous. */
  readonly inBandSince: number | null;
  readonly endedAt: number | null;
  /** Anomalous points seen in this alert. */
  readonly anomalies: number;
  /** The anomaly that opened this episode: its band is the "normal" the series must return to. */
  readonly onset: Anomaly | null;
  /** Latest anomaly reported by the detector, and the one with the highest score. */
  readonly latest: Anomaly | null;
  readonly peak: Anomaly | null;
  /** Furthest from normal so far in this episode (see `AlertPeak`); null until a point with a value. */
  readonly worst: AlertPeak | null;
  /** `worst` as it was when the alert was last paged (null: not paged since this episode began). */
  readonly worstPaged: AlertPeak | null;
}

export interface AlertEscalation {
  readonly at: number;
  readonly from: string | null;
  readonly to: string;
  readonly level: number;
}

export interface Alert {
  /** Stable and deterministic: `<group key>-<startsAt base36>`; safe in URLs and BullMQ job ids. */
  readonly id: string;
  readonly rule: string;
  /** Incidents with the same group key at the same time are one alert. */
  readonly groupKey: string;
  readonly severity: Severity;
  readonly state: AlertState;
  readonly members: readonly AlertMember[];
  readonly startsAt: number;
  readonly firingAt: number | null;
  /** When it resolved or was cancelled. */
  readonly endedAt: number | null;
  readonly updatedAt: number;
  /** Person id of the one responsible person (set when it fires). */
  readonly owner: string | null;
  readonly ownerSince: number | null;
  readonly escalations: readonly AlertEscalation[];
  readonly acknowledgedAt: number | null;
  readonly acknowledgedBy: string | null;
  /** Ids of the silences that muted it at the last evaluation (empty: not silenced). */
  readonly silencedBy: readonly string[];
  /** Notification bookkeeping (dedup, repeat interval, resolved only after firing was sent). */
  readonly lastNotifiedAt: number | null;
  readonly notifiedFiring: boolean;
  readonly changedSinceNotified: boolean;
  readonly notifications: number;
  /** Opened by a bucket judged again after late data arrived (a backlog, a delayed mail): the page says so. */
  readonly late?: boolean;
  /**
   * The incident this alert joined instead of paging (another signal of the same incident: a metric alert
   * and a complaint alert that moved together). It pages nobody; that alert's owner owns it, and it closes
   * when that alert resolves.
   */
  readonly attachedTo?: string | null;
}

/** A silence: matching alerts are still recorded, not sent. */
export interface Silence {
  readonly id: string;
  /** Glob over series names (`complaints.login*`); omitted: any series. */
  readonly series?: string | null;
  /** Glob over the category (`login` matches `complaints.login`); omitted: any. */
  readonly category?: string | null;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
}

/**
 * `worse`: a firing series moved `worseFactor` times further from normal than when it was last paged;
 * `handed_over`: a person handed an open incident over to the one this page goes to.
 */
export const NOTIFICATION_KINDS = ['firing', 'updated', 'worse', 'repeat', 'escalated', 'handed_over', 'resolved', 'test'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
