/**
 * The demo's first incident: a demo started at `startedAt` shows a metrics-first incident within its first
 * hour (deterministic from the seed), and every other scheduled incident stays what it was.
 */
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, MONDAY_MSK, demo, minutes, truth } from './harness.js';

const DEFAULTS = { incidentEveryMs: 25 * MINUTE, incidentLengthMs: 15 * MINUTE };

describe('the demo first incident', () => {
  const startedAt = MONDAY_MSK + 9 * HOUR + 17 * MINUTE + 23_000;
  const plain = demo(DEFAULTS);
  const started = demo({ ...DEFAULTS, startedAt });

  it('starts 30–45 min after the demo started, shows in the metrics first, and its errors and complaints fall in the first hour', () => {
    const firsts = started.incidentsBetween(startedAt - DAY, startedAt + 2 * DAY).filter((i) => i.metricsFirst === true);
    expect(firsts).toHaveLength(1);
    const first = firsts[0]!;
    expect(first.start - startedAt).toBeGreaterThanOrEqual(30 * MINUTE);
    expect(first.start - startedAt).toBeLessThanOrEqual(45 * MINUTE + MINUTE);
    expect(first.start % MINUTE).toBe(0);
    expect(['login', 'send_fail']).toContain(first.category);
    const effect = started.metricIncidentsBetween(first.start, first.end).find((m) => m.id === first.id);
    expect(effect).toMatchObject({ visibility: 'metrics_first', firstMetric: first.category === 'login' ? 'errors.auth' : 'errors.smtp' });
    expect(effect!.errorsFrom).toBeLessThan(first.start);
    expect(effect!.errorsFrom).toBeGreaterThan(startedAt);
    // Its complaints arrive, in its category, well inside the first hour.
    const span = minutes(first.start, 10 * MINUTE);
    expect(span.every((t) => started.minute(t).incidents.some((i) => i.id === first.id))).toBe(true);
    const ofCategory = (g: typeof started) => span.flatMap((t) => g.minute(t).messages).filter((m) => truth(m).complaint && truth(m).category === first.category).length;
    expect(ofCategory(started)).toBeGreaterThan(3 * Math.max(1, ofCategory(plain)));
    // The service's errors are up in the minutes before the complaints.
    const metric = effect!.firstMetric!;
    const before = minutes(effect!.errorsFrom, first.start - effect!.errorsFrom).map((t) => started.minute(t).metrics[metric]);
    const normal = minutes(effect!.errorsFrom - 30 * MINUTE, 20 * MINUTE).map((t) => plain.minute(t).metrics[metric]);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(before)).toBeGreaterThan(3 * mean(normal));
  });

  it('is deterministic from the seed and the start time', () => {
    const again = demo({ ...DEFAULTS, startedAt });
    const pick = (g: typeof started) => g.incidentsBetween(startedAt, startedAt + HOUR).find((i) => i.metricsFirst === true);
    expect(pick(again)).toEqual(pick(started));
    expect(pick(again)).toBeDefined();
  });

  it('leaves every other incident as it was, and incidents still never overlap', () => {
    const from = startedAt - 2 * DAY;
    const to = startedAt + 5 * DAY;
    const first = started.incidentsBetween(startedAt, startedAt + HOUR).find((i) => i.metricsFirst === true)!;
    const withFirst = started.incidentsBetween(from, to);
    const without = plain.incidentsBetween(from, to);
    // Only the scheduled incidents near it (from 10 min before to 5 min after) made way for it.
    const near = (i: { start: number; end: number }) => i.end > first.start - 10 * MINUTE && i.start < first.end + 5 * MINUTE;
    expect(withFirst.filter((i) => i !== first)).toEqual(without.filter((i) => !near(i)));
    expect(without.filter(near).length).toBeLessThanOrEqual(3);
    for (let k = 1; k < withFirst.length; k++) expect(withFirst[k]!.start).toBeGreaterThanOrEqual(withFirst[k - 1]!.end);
    expect(started.minute(first.start + MINUTE).incidents.map((i) => i.id)).toContain(first.id);
  });

  it('never crosses an epoch boundary (UTC midnight)', () => {
    const lateStart = Date.UTC(2026, 0, 6) - 40 * MINUTE;
    const g = demo({ ...DEFAULTS, startedAt: lateStart });
    const first = g.incidentsBetween(lateStart, lateStart + 2 * HOUR).find((i) => i.metricsFirst === true)!;
    expect(first).toBeDefined();
    expect(Math.floor(first.start / DAY)).toBe(Math.floor((first.end - 1) / DAY));
    expect(first.start - lateStart).toBeGreaterThanOrEqual(15 * MINUTE);
    expect(g.minute(first.end - MINUTE).incidents.map((i) => i.id)).toContain(first.id);
  });

  it('is absent without a start time (a demo started before keeps its schedule)', () => {
    expect(plain.incidentsBetween(startedAt - DAY, startedAt + 2 * DAY).some((i) => i.metricsFirst === true)).toBe(false);
  });
  it('never repeats the category of the incident just before or after it, when the other one is free', () => {
    let checked = 0;
    for (let k = 0; k < 120; k++) {
      const at = MONDAY_MSK + k * 47 * MINUTE;
      const g = demo({ ...DEFAULTS, startedAt: at });
      const list = g.incidentsBetween(at - 3 * HOUR, at + 4 * HOUR);
      const i = list.findIndex((x) => x.metricsFirst === true);
      expect(i).toBeGreaterThan(0);
      const around = [list[i - 1]?.category, list[i + 1]?.category];
      if (around.includes('login') && around.includes('send_fail')) continue;
      expect(around).not.toContain(list[i]!.category);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(100);
  });
});
