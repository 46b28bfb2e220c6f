import type { Alert, AlertMember } from '../domain/alert.js';

/** What defines a new alert; everything else (acknowledgement, silences, notification bookkeeping) starts empty. */
export type NewAlert = Pick<Alert, 'id' | 'rule' | 'groupKey' | 'severity' | 'state' | 'members' | 'startsAt'> & Partial<Alert>;

/**
 * A new alert with the bookkeeping fields at their starting values.
 *
 * @example newAlert({ id: 'complaints.login-x', rule: 'complaints', groupKey: 'complaints.login', severity: 'warning', state: 'pending', members: [], startsAt: t })
 */
export function newAlert(fields: NewAlert): Alert {
  return {
    firingAt: null,
    endedAt: null,
    updatedAt: fields.startsAt,
    owner: null,
    ownerSince: null,
    escalations: [],
    acknowledgedAt: null,
    acknowledgedBy: null,
    silencedBy: [],
    lastNotifiedAt: null,
    notifiedFiring: false,
    changedSinceNotified: false,
    notifications: 0,
    ...fields,
  };
}

/** A member series of an alert, anomalous since `since`, with its episode bookkeeping empty. */
export function newMember(fields: Pick<AlertMember, 'series' | 'state' | 'since'> & Partial<AlertMember>): AlertMember {
  return {
    firingSince: null,
    lastAnomalousAt: fields.since,
    inBandSince: null,
    endedAt: null,
    anomalies: 1,
    onset: null,
    latest: null,
    peak: null,
    worst: null,
    worstPaged: null,
    ...fields,
  };
}
