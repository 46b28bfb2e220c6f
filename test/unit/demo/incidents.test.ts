import { describe, expect, it } from 'vitest';
import { CATEGORY_SHARES, type DemoCategory } from '../../../src/sources/demo/index.js';
import { draftedChannel } from '../../../src/sources/demo/social.js';
import { DAY, HOUR, MINUTE, MONDAY_MSK, demo, minutes, truth } from './harness.js';

describe.each([
  ['every 6 min, 4 min long (the default)', 6 * MINUTE, 4 * MINUTE],
  ['every 30 min, 8 min long', 30 * MINUTE, 8 * MINUTE],
  ['every 3 h, 20 min long', 3 * HOUR, 20 * MINUTE],
])('incident schedule: %s', (_name, every, length) => {
  const g = demo({ incidentEveryMs: every, incidentLengthMs: length });
  const from = MONDAY_MSK;
  const span = 7 * DAY;
  const list = g.incidentsBetween(from, from + span);

  it('has on average one incident per incidentEveryMs', () => {
    const expected = span / every;
    expect(list.length).toBeGreaterThan(0.85 * expected);
    expect(list.length).toBeLessThan(1.15 * expected);
  });

  it('lengths vary 0.5–2× and are whole steps; incidents never overlap', () => {
    let previousEnd = -Infinity;
    for (const inc of list) {
      expect(inc.start % MINUTE).toBe(0);
      expect(inc.end % MINUTE).toBe(0);
      expect(inc.end - inc.start).toBeGreaterThanOrEqual(Math.max(MINUTE, Math.floor((0.5 * length) / MINUTE) * MINUTE));
      expect(inc.end - inc.start).toBeLessThanOrEqual(2 * length + MINUTE);
      expect(inc.start).toBeGreaterThan(previousEnd);
      previousEnd = inc.end;
    }
  });

  it('each raises one category 4–10× through listed channels, never the same category twice in a row', () => {
    for (const [i, inc] of list.entries()) {
      expect(g.categories).toContain(inc.category);
      expect(inc.factor).toBeGreaterThanOrEqual(4);
      expect(inc.factor).toBeLessThanOrEqual(10);
      expect(inc.channels.length).toBeGreaterThan(0);
      expect(inc.id).toBe(`demo:42:incident:${inc.start}`);
      if (i > 0 && list[i - 1]?.end === inc.start) expect(list[i - 1]?.category).not.toBe(inc.category);
    }
  });

  it('is the same whichever window asks, and minute(t) reports the active one', () => {
    const again = demo({ incidentEveryMs: every, incidentLengthMs: length });
    const pieces = [0, 1, 2, 3, 4, 5, 6].flatMap((d) => again.incidentsBetween(from + d * DAY, from + (d + 1) * DAY));
    const unique = [...new Map(pieces.map((p) => [p.id, p])).values()];
    expect(unique).toEqual(list);
    const inc = list[Math.floor(list.length / 2)];
    if (!inc) throw new Error('no incident');
    expect(g.minute(inc.start).incidents).toEqual([inc]);
    expect(g.minute(inc.end - MINUTE).incidents).toEqual([inc]);
    expect(g.minute(inc.end).incidents.map((x) => x.id)).not.toContain(inc.id);
  });
});

describe('incidents raise their category several-fold', () => {
  const g = demo({ incidentEveryMs: 30 * MINUTE, incidentLengthMs: 10 * MINUTE });
  const incidents = g.incidentsBetween(MONDAY_MSK + 8 * HOUR, MONDAY_MSK + 2 * DAY + 8 * HOUR).filter((i) => ((i.start + 3 * HOUR) % DAY) / HOUR > 8);

  it('the category count during an incident is about factor × its usual rate', () => {
    let observed = 0;
    let usual = 0;
    let weightedFactor = 0;
    for (const inc of incidents) {
      for (const t of minutes(inc.start, inc.end - inc.start)) {
        const m = g.minute(t);
        const base = (m.traffic * 40e-6) * CATEGORY_SHARES[inc.category as DemoCategory];
        observed += m.messages.filter((x) => truth(x).category === inc.category).length;
        usual += base;
        weightedFactor += base * inc.factor;
      }
    }
    expect(observed / usual).toBeGreaterThan(3.5);
    expect(observed / weightedFactor).toBeGreaterThan(0.85);
    expect(observed / weightedFactor).toBeLessThan(1.15);
  });

  it('the extra messages carry the incident id and arrive on the incident channels', () => {
    for (const inc of incidents.slice(0, 20)) {
      const extra = minutes(inc.start, inc.end - inc.start).flatMap((t) => g.minute(t).messages.filter((m) => m.meta?.incident === inc.id));
      for (const m of extra) {
        expect(truth(m).category).toBe(inc.category);
        expect(inc.channels).toContain(draftedChannel(m.channel)); // `twitter` in a channel set: any social network
      }
    }
  });

  it('other categories stay at their usual rate', () => {
    let observed = 0;
    let usual = 0;
    for (const inc of incidents) {
      for (const t of minutes(inc.start, inc.end - inc.start)) {
        const m = g.minute(t);
        for (const cat of g.categories) {
          if (cat === inc.category) continue;
          usual += m.traffic * 40e-6 * CATEGORY_SHARES[cat as DemoCategory];
          observed += m.messages.filter((x) => truth(x).category === cat).length;
        }
      }
    }
    expect(observed / usual).toBeGreaterThan(0.85);
    expect(observed / usual).toBeLessThan(1.15);
  });
});
