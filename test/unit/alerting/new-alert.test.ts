import { describe, expect, it } from 'vitest';
import { newAlert, newMember } from '../../../src/alerting/new-alert.js';

describe('newAlert / newMember', () => {
  it('start the bookkeeping empty and keep what is given', () => {
    const member = newMember({ series: 'complaints.login', state: 'pending', since: 100 });
    expect(member).toEqual({ series: 'complaints.login', state: 'pending', since: 100, firingSince: null, lastAnomalousAt: 100, inBandSince: null, endedAt: null, anomalies: 1, onset: null, latest: null, peak: null, worst: null, worstPaged: null });
    const alert = newAlert({ id: 'a', rule: 'r', groupKey: 'g', severity: 'warning', state: 'pending', members: [member], startsAt: 100 });
    expect(alert).toMatchObject({ updatedAt: 100, owner: null, escalations: [], acknowledgedAt: null, silencedBy: [], notifiedFiring: false, notifications: 0 });
    expect(newAlert({ ...alert, state: 'firing', owner: 'anna', updatedAt: 200 })).toMatchObject({ state: 'firing', owner: 'anna', updatedAt: 200 });
  });
});
