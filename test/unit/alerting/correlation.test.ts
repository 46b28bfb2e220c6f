import { describe, expect, it } from 'vitest';
import {
  alertOnset,
  leadText,
  measureMove,
  rankCorrelated,
  runStart,
  sameIncident,
  sizeText,
  type CorrelationPoint,
  type PointsBySeries,
} from '../../../src/alerting/correlation.js';
import { newAlert, newMember } from '../../../src/alerting/new-alert.js';
import type { Alert } from '../../../src/domain/alert.js';

const MIN = 60_000;
/** Thursday 2026-11-26 14:00 UTC. */
const T0 = Date.UTC(2026, 10, 26, 14, 0);
const SETTINGS = { windowMs: 15 * MIN, limit: 3 };

/**
 * A series from a compact track, one token per minute from T0: a number is the value; the detector
 * expected `expected` with a band of ±`half` (`!` after a value: the detector flagged it).
 */
function track(spec: string, expected: number, half: number): CorrelationPoint[] {
  return spec
    .trim()
    .split(/\s+/)
    .map((tok, i) => {
      const flagged = tok.endsWith('!');
      const value = Number(flagged ? tok.slice(0, -1) : tok);
      return {
        t: T0 + i * MIN,
        value,
        expected,
        lower: expected - half,
        upper: expected + half,
        alert: flagged,
        direction: flagged ? (value > expected ? ('up' as const) : ('down' as const)) : null,
      };
    });
}

const at = (minute: number) => T0 + minute * MIN;

describe('runStart', () => {
  it('finds where a run of out-of-band buckets starts', () => {
    expect(runStart(track('10 11 9 10 40 45 50 48', 10, 5), at(0), at(7))).toEqual({ t: at(4), direction: 'up' });
    expect(runStart(track('100 101 99 60 55 58', 100, 10), at(0), at(5))).toEqual({ t: at(3), direction: 'down' });
  });
  it('ignores one noisy bucket, but not one the detector flagged', () => {
    expect(runStart(track('10 11 30 10 9 10 11', 10, 5), at(0), at(6))).toBeNull();
    expect(runStart(track('10 11 30! 10 9 10 11', 10, 5), at(0), at(6))).toEqual({ t: at(2), direction: 'up' });
  });
  it('leaves out a series already out of band when the window opens', () => {
    expect(runStart(track('40 40 40 40 40 40', 10, 5), at(2), at(5))).toBeNull();
  });
  it('only looks at runs starting inside [from, to]', () => {
    expect(runStart(track('10 10 10 10 10 10 40 40 40', 10, 5), at(0), at(5))).toBeNull();
  });
});

describe('sizeText and leadText', () => {
  it.each([
    [9.04, '×9'],
    [6.14, '×6.1'],
    [12.6, '×13'],
    [2, '×2'],
    [1.4, '+40%'],
    [0.6, '−40%'],
    [0.25, '−75%'],
  ])('ratio %s → %s', (ratio, text) => {
    expect(sizeText(ratio, 0, 0)).toBe(text);
  });
  it('says what came with nothing expected', () => {
    expect(sizeText(null, 12, 0)).toBe('12 vs ~0');
  });
  it.each([
    [-3 * MIN, 'started 3 min earlier'],
    [2 * MIN, 'started 2 min later'],
    [0, 'at the same time'],
    [20_000, 'at the same time'],
  ])('lead %s → %s', (lead, text) => {
    expect(leadText(lead)).toBe(text);
  });
});

describe('measureMove', () => {
  it('measures size, onset and lead against the alert onset', () => {
    // errors.auth: ~10 a minute, ×9 from minute 5; the alert's onset is minute 8.
    const errors = track('10 10 11 9 10 90 92 88 90 91 89 90', 10, 6);
    const move = measureMove(errors, at(8), at(11), 15 * MIN);
    expect(move).toMatchObject({ direction: 'up', onset: at(5), leadMs: -3 * MIN, size: '×9' });
    expect(move?.score).toBe(1);
  });
  it('scores a weaker, patchier move lower', () => {
    const strong = measureMove(track('10 10 40 42 41 40 43', 10, 6), at(2), at(6), 15 * MIN);
    const weak = measureMove(track('10 10 18 17 12 18 14', 10, 6), at(2), at(6), 15 * MIN);
    expect(strong?.score ?? 0).toBeGreaterThan(weak?.score ?? 1);
    expect(weak?.score ?? 0).toBeGreaterThan(0);
  });
  it('leaves out an earlier move that was over before the alert began (the previous incident)', () => {
    // Up from minute 2 to 5, back in band from 6; the alert's onset is minute 9.
    const over = track('10 10 40 42 41 40 10 10 10 10 10 10', 10, 6);
    expect(measureMove(over, at(9), at(11), 15 * MIN)).toBeNull();
    // Still up at minute 8 (ends a minute before the onset): it counts.
    const still = track('10 10 40 42 41 40 40 40 40 10 10 10', 10, 6);
    expect(measureMove(still, at(9), at(11), 15 * MIN)).toMatchObject({ onset: at(2), leadMs: -7 * MIN });
  });
  it('does not count what happened after now', () => {
    expect(measureMove(track('10 10 10 10 40 40 40', 10, 5), at(1), at(3), 15 * MIN)).toBeNull();
  });
});

describe('rankCorrelated', () => {
  // The story: login complaints ×6 from minute 8; errors.auth ×9 from minute 5; logins −40% from minute 8.
  const points: PointsBySeries = new Map([
    ['complaints.login', track('1 1 2 1 1 1 1 1 6 7 6 6 6 7', 1, 2)],
    ['complaints', track('5 5 6 5 5 5 4 5 10 11 10 10 10 11', 5, 4)],
    ['complaints.channel.twitter', track('1 1 1 1 1 1 1 1 5 6 5 5 5 6', 1, 2)],
    ['errors.auth', track('10 10 11 9 10 90 92 88 90 91 89 90 90 90', 10, 6)],
    ['logins', track('1000 1010 990 1000 1000 1005 995 1000 600 590 610 600 605 600', 1000, 60)],
    ['letters.sent', track('5000 5010 4990 5000 5000 5005 4995 5000 5010 4990 5000 5000 5005 5000', 5000, 150)],
    ['errors.smtp', track('4 4 5 3 4 4 4 4 12 4 4 4 4 4', 4, 5)],
  ]);

  it('ranks the series that moved with the alert, with onset, lead and size; quiet and one-bucket blips are left out', () => {
    const ranked = rankCorrelated({ own: ['complaints.login'], onset: at(8), now: at(13), points }, SETTINGS);
    expect(ranked.map((c) => [c.series, c.size, c.leadMs / MIN])).toEqual([
      ['errors.auth', '×9', -3],
      ['logins', '−40%', 0],
    ]);
  });

  it('keeps the total only when no category moved, and never the channel breakdown', () => {
    const ranked = rankCorrelated({ own: ['errors.auth'], onset: at(5), now: at(13), points }, SETTINGS);
    expect(ranked.map((c) => c.series)).toEqual(['logins', 'complaints.login']);
    const noCategory = new Map([...points].filter(([k]) => k !== 'complaints.login'));
    expect(rankCorrelated({ own: ['errors.auth'], onset: at(5), now: at(13), points: noCategory }, SETTINGS).map((c) => c.series)).toContain('complaints');
  });

  it('returns at most `limit` series, and none with limit 0', () => {
    expect(rankCorrelated({ own: ['complaints.login'], onset: at(8), now: at(13), points }, { ...SETTINGS, limit: 1 }).map((c) => c.series)).toEqual(['errors.auth']);
    expect(rankCorrelated({ own: ['complaints.login'], onset: at(8), now: at(13), points }, { ...SETTINGS, limit: 0 })).toEqual([]);
  });

  it('leaves out series that moved more than the window away', () => {
    const narrow = { windowMs: 2 * MIN, limit: 3 };
    expect(rankCorrelated({ own: ['complaints.login'], onset: at(8), now: at(13), points }, narrow).map((c) => c.series)).toEqual(['logins']);
  });

  const alertOf = (series: string, since: number, direction: 'up' | 'down' = 'up'): Alert =>
    newAlert({
      id: `${series}-x`,
      rule: series.startsWith('complaints') ? 'complaints' : 'metrics',
      groupKey: series,
      severity: 'warning',
      state: 'firing',
      startsAt: since,
      members: [
        newMember({
          series,
          state: 'firing',
          since,
          firingSince: since,
          onset: { series, t: since, value: 1, expected: 1, lower: 0, upper: 2, score: 0.9, direction, reason: direction === 'up' ? 'spike' : 'drop' },
        }),
      ],
    });

  it('anchors an alert at the bucket its series left the band, not at the later detection', () => {
    expect(alertOnset(alertOf('complaints.login', at(10)), points, 15 * MIN)).toEqual({ series: 'complaints.login', onset: at(8) });
  });

  it('calls two alerts one incident when each names the other', () => {
    const complaints = alertOf('complaints.login', at(9));
    const errors = alertOf('errors.auth', at(5));
    const smtp = alertOf('errors.smtp', at(8));
    expect(sameIncident(complaints, errors, points, at(13), SETTINGS)).toBe(true);
    expect(sameIncident(errors, complaints, points, at(13), SETTINGS)).toBe(true);
    // errors.smtp blipped once: nobody names it.
    expect(sameIncident(complaints, smtp, points, at(13), SETTINGS)).toBe(false);
  });

  it('an alert on a complaint breakdown (a channel) is named by any complaint series that moved', () => {
    const channel = alertOf('complaints.channel.twitter', at(9));
    const errors = alertOf('errors.auth', at(5));
    expect(sameIncident(channel, errors, points, at(13), SETTINGS)).toBe(true);
  });

  it('anchors across a single bucket back in band, not across two', () => {
    const dip = new Map([['complaints.login', track('1 1 1 1 1 1 6 7 2 7 6 7', 1, 2)]]);
    expect(alertOnset(alertOf('complaints.login', at(10)), dip, 15 * MIN).onset).toBe(at(6));
    const gap = new Map([['complaints.login', track('1 1 1 1 1 1 6 7 2 2 6 7', 1, 2)]]);
    expect(alertOnset(alertOf('complaints.login', at(10)), gap, 15 * MIN).onset).toBe(at(10));
  });

  it('anchors where the detector started scoring the rise, even inside the band', () => {
    const building = track('1 1 1 1 1 1 3 3 3 3 6 7', 1, 2.5).map((p, i) => (i >= 6 && i < 10 ? { ...p, direction: 'up' as const, score: 0.1 * (i - 5) } : p));
    expect(alertOnset(alertOf('complaints.login', at(10)), new Map([['complaints.login', building]]), 15 * MIN).onset).toBe(at(6));
  });

  it('does not call them one incident when their onsets are further apart than the window', () => {
    const complaints = alertOf('complaints.login', at(9));
    const errors = alertOf('errors.auth', at(5));
    expect(sameIncident(complaints, errors, points, at(13), { windowMs: 2 * MIN, limit: 3 })).toBe(false);
  });
});
