import { describe, expect, it } from 'vitest';
import { dailyShape, seasonalShape } from '../../../src/sources/demo/traffic.js';
import { DAY, HOUR, MINUTE, MONDAY_MSK, NO_INCIDENTS, demo, minutes, truth } from './harness.js';

const g = demo(NO_INCIDENTS);
/** Mean visits per minute over [from, from + span), sampled every 5 minutes. */
const meanTraffic = (from: number, span: number) => {
  const ts = minutes(from, span, 5 * MINUTE);
  return ts.reduce((s, t) => s + g.trafficAt(t), 0) / ts.length;
};
const at = (day: number, hour: number) => MONDAY_MSK + day * DAY + hour * HOUR;

describe('daily shape (Moscow time)', () => {
  it.each([
    [4.5, 0.1, 0.16, 'night trough'],
    [11, 0.95, 1.0, 'morning peak'],
    [17, 0.55, 0.75, 'softer afternoon'],
    [21, 0.75, 0.9, 'evening hump'],
  ])('weekday %s:00 is %s–%s of the peak (%s)', (hour, lo, hi) => {
    expect(dailyShape(hour, false)).toBeGreaterThanOrEqual(lo);
    expect(dailyShape(hour, false)).toBeLessThanOrEqual(hi);
  });

  it('has two humps: a dip between the morning and the evening peak', () => {
    const afternoonMin = Math.min(...[15, 16, 17, 18].map((h) => dailyShape(h, false)));
    expect(afternoonMin).toBeLessThan(dailyShape(11, false) - 0.2);
    expect(afternoonMin).toBeLessThan(dailyShape(21, false) - 0.1);
  });

  it('night < day in the generated traffic, every day of a week', () => {
    for (let d = 0; d < 7; d++) expect(meanTraffic(at(d, 3), 3 * HOUR)).toBeLessThan(0.3 * meanTraffic(at(d, 10), 3 * HOUR));
  });

  it('peaks near peakTrafficPerMinute on a weekday', () => {
    const max = Math.max(...minutes(at(1, 9), 4 * HOUR).map((t) => g.trafficAt(t)));
    expect(max).toBeGreaterThan(0.9 * 60_000);
    expect(max).toBeLessThan(1.25 * 60_000);
  });

  it('has no step at midnight', () => {
    for (let d = 0; d < 7; d++) {
      const before = seasonalShape(at(d, 0) - MINUTE);
      const after = seasonalShape(at(d, 0));
      expect(Math.abs(after - before)).toBeLessThan(0.01);
    }
  });
});

describe('weekly shape', () => {
  it('weekend days carry less traffic than weekdays', () => {
    const day = (d: number) => meanTraffic(at(d, 0), DAY);
    const weekdays = [0, 1, 2, 3, 4].map(day);
    const weekend = [5, 6].map(day);
    expect(Math.max(...weekend)).toBeLessThan(0.9 * Math.min(...weekdays));
  });
});

describe('complaints follow traffic', () => {
  it('complaints per visit stay at complaintsPerMillionVisits, night and day', () => {
    const rate = (from: number, span: number) => {
      let visits = 0;
      let complaints = 0;
      for (const t of minutes(from, span)) {
        const m = g.minute(t);
        visits += m.traffic;
        complaints += m.messages.filter((x) => truth(x).complaint).length;
      }
      return { visits, complaints, perMillion: (complaints / visits) * 1e6 };
    };
    const night = rate(at(0, 1), 5 * HOUR);
    const day = rate(at(0, 9), 3 * HOUR);
    expect(day.complaints).toBeGreaterThan(3 * night.complaints);
    expect(night.perMillion).toBeGreaterThan(40 * 0.8);
    expect(night.perMillion).toBeLessThan(40 * 1.2);
    expect(day.perMillion).toBeGreaterThan(40 * 0.9);
    expect(day.perMillion).toBeLessThan(40 * 1.1);
  });

  it('doubling complaintsPerMillionVisits doubles complaints on average', () => {
    const count = (cpm: number) => {
      const gen = demo({ ...NO_INCIDENTS, complaintsPerMillionVisits: cpm });
      return minutes(at(2, 8), 6 * HOUR, 2 * MINUTE).reduce((s, t) => s + gen.minute(t).messages.filter((x) => truth(x).complaint).length, 0);
    };
    const ratio = count(80) / count(40);
    expect(ratio).toBeGreaterThan(1.8);
    expect(ratio).toBeLessThan(2.2);
  });
});

describe('traffic surges (newsletters)', () => {
  const week = g.surgesBetween(at(0, 0), at(7, 0));

  it('happen about once or twice a day, in working hours, 20–60 min, ×1.5–2.5', () => {
    expect(week.length).toBeGreaterThanOrEqual(4);
    expect(week.length).toBeLessThanOrEqual(16);
    for (const s of week) {
      const hour = (((s.start + 3 * HOUR) % DAY) + DAY) % DAY / HOUR;
      expect(hour).toBeGreaterThan(9.5);
      expect(hour).toBeLessThan(20.5);
      expect(s.end - s.start).toBeGreaterThanOrEqual(20 * MINUTE);
      expect(s.end - s.start).toBeLessThanOrEqual(60 * MINUTE);
      expect(s.factor).toBeGreaterThanOrEqual(1.5);
      expect(s.factor).toBeLessThanOrEqual(2.5);
    }
  });

  it('raise traffic and complaints in proportion (the complaint rate stays the same)', () => {
    let surgeVisits = 0;
    let surgeComplaints = 0;
    let usualVisits = 0;
    for (const s of week) {
      for (const t of minutes(s.start + 4 * MINUTE, (s.end - s.start) * 0.5)) {
        const m = g.minute(t);
        surgeVisits += m.traffic;
        surgeComplaints += m.messages.filter((x) => truth(x).complaint).length;
        usualVisits += g.trafficAt(t - DAY) / 2 + g.trafficAt(t + DAY) / 2; // the same time the day before and after
      }
    }
    expect(surgeVisits / usualVisits).toBeGreaterThan(1.4);
    const perMillion = (surgeComplaints / surgeVisits) * 1e6;
    expect(perMillion).toBeGreaterThan(40 * 0.85);
    expect(perMillion).toBeLessThan(40 * 1.15);
  });
});
