import { describe, expect, it } from 'vitest';
import { DEMO_METRICS, SERVICE_OF, type DemoMetricIncident } from '../../../src/sources/demo/index.js';
import { DAY, HOUR, MINUTE, MONDAY_MSK, demo } from './harness.js';

/** The service defaults' cadence (an incident every 25 min, 15 min long). */
const g = demo({ incidentEveryMs: 25 * MINUTE, incidentLengthMs: 15 * MINUTE });
const from = MONDAY_MSK + 8 * HOUR;
const span = 3 * DAY;
const list = g.metricIncidentsBetween(from, from + span).filter((i) => i.from >= from && i.to <= from + span);

function mean(key: (typeof DEMO_METRICS)[number], a: number, b: number): number {
  let sum = 0;
  let n = 0;
  for (let t = a; t < b; t += MINUTE) {
    sum += g.metricsAt(t)[key];
    n += 1;
  }
  return sum / n;
}

describe('demo service metrics', () => {
  it('writes every metric each minute, in proportion to the traffic', () => {
    const t = from + 3 * HOUR;
    const m = g.minute(t);
    expect(Object.keys(m.metrics).sort()).toEqual([...DEMO_METRICS].sort());
    expect(m.metrics).toEqual(g.metricsAt(t));
    // Quiet nights and busy days: logins follow the traffic curve.
    const night = MONDAY_MSK + DAY + 4 * HOUR;
    const noon = MONDAY_MSK + DAY + 12 * HOUR;
    const ratio = (t0: number) => mean('logins', t0, t0 + 30 * MINUTE) / (g.trafficAt(t0) || 1);
    expect(ratio(noon)).toBeGreaterThan(0.04);
    expect(Math.abs(ratio(noon) - ratio(night)) / ratio(noon)).toBeLessThan(0.25);
  });

  it('is a function of (seed, t): the same values on every call and from a fresh generator', () => {
    const again = demo({ incidentEveryMs: 25 * MINUTE, incidentLengthMs: 15 * MINUTE });
    for (const t of [from, from + 7 * MINUTE, from + 2 * DAY + 13 * MINUTE]) expect(again.metricsAt(t)).toEqual(g.metricsAt(t));
    expect(demo({ seed: 7 }).metricsAt(from)).not.toEqual(demo({ seed: 42 }).metricsAt(from));
  });

  it('has incidents of every kind: metrics first, complaints only, metrics only', () => {
    const kinds = new Map<string, DemoMetricIncident[]>();
    for (const i of list) kinds.set(i.visibility, [...(kinds.get(i.visibility) ?? []), i]);
    expect(kinds.get('metrics_first')?.length ?? 0).toBeGreaterThan(20);
    expect(kinds.get('complaints_only')?.length ?? 0).toBeGreaterThan(60);
    expect(kinds.get('metrics_only')?.length ?? 0).toBeGreaterThanOrEqual(2);
    // Categories no service serves are always complaints only.
    for (const i of list) if (i.category !== null && SERVICE_OF[i.category] === undefined) expect(i.visibility).toBe('complaints_only');
  });

  it("raises a service's errors for at most one complaint incident per 6 hours (a rate that jumps hourly is no signal)", () => {
    const seen = new Set<string>();
    for (const i of list.filter((x) => x.visibility === 'metrics_first')) {
      const block = `${i.service}:${Math.floor((i.from + 7 * MINUTE) / (6 * HOUR))}`;
      expect(seen.has(block)).toBe(false);
      seen.add(block);
    }
  });

  it('moves the service errors 2–6 min before the complaints, and drops logins or letters from the incident start', () => {
    const complaintIncidents = new Map(g.incidentsBetween(from, from + span).map((i) => [i.id, i]));
    let checked = 0;
    for (const i of list.filter((x) => x.visibility === 'metrics_first' && x.errorsTo - x.errorsFrom >= 10 * MINUTE && x.errorFactor >= 6)) {
      const inc = complaintIncidents.get(i.id);
      if (!inc || i.service === null) continue;
      const lead = inc.start - i.errorsFrom;
      expect(lead).toBeGreaterThanOrEqual(2 * MINUTE);
      expect(lead).toBeLessThanOrEqual(6 * MINUTE);
      expect(i.firstMetric).toBe(`errors.${i.service}`);
      const key = `errors.${i.service}` as const;
      // Errors per visit: the median of the 3 hours before (other incidents of the service come and go), and during.
      const perVisit: number[] = [];
      for (let t = i.errorsFrom - 3 * HOUR; t < i.errorsFrom; t += MINUTE) perVisit.push(g.metricsAt(t)[key] / g.trafficAt(t));
      perVisit.sort((a, b) => a - b);
      const usual = perVisit[perVisit.length >> 1] ?? 0;
      let errors = 0;
      let visits = 0;
      for (let t = i.errorsFrom; t < i.errorsTo; t += MINUTE) {
        errors += g.metricsAt(t)[key];
        visits += g.trafficAt(t);
      }
      expect(errors / visits).toBeGreaterThan(3 * usual);
      if (i.drop) {
        expect(i.drop.from).toBe(inc.start);
        const base = mean(i.drop.metric, inc.start - 40 * MINUTE, i.errorsFrom);
        expect(mean(i.drop.metric, inc.start, inc.end)).toBeLessThan(0.8 * base);
      }
      checked += 1;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('keeps metrics-only incidents clear of complaint incidents of their service', () => {
    for (const i of list.filter((x) => x.visibility === 'metrics_only')) {
      const near = g.incidentsBetween(i.from - 20 * MINUTE, i.to + 20 * MINUTE);
      expect(near.filter((c) => SERVICE_OF[c.category] === i.service)).toEqual([]);
      expect(i.category).toBeNull();
    }
  });
});
