/**
 * Correlation evidence, pure: which other watched series moved in the same window as an alert, read from
 * what the detector stored for each (value, expected, band, alert flag) — never by running the detector
 * again. For each series that left its band around the alert's onset: a score, its own onset (the first
 * bucket of its out-of-band run), the lead or lag against the alert's onset (within ±`windowMs`), and the
 * size of the move ("×9", "−40%").
 *
 * - A series **moved** when a run of out-of-band buckets in one direction starts inside
 *   [onset − window, onset + window] (the bucket before it in band, or the detector flagged it), with at
 *   least 2 of its first 3 buckets out of band: one noisy bucket is not a move. A series already out of
 *   band when the window opens moved for an earlier reason and is left out.
 * - **Size**: the sum of its values over the sum of what the detector expected, from its onset to the end
 *   of the window (or `now`).
 * - **Score** in [0, 1]: the share of those buckets outside the band, times how far outside they were
 *   (the mean distance from the expected value in half-bands, capped at 4, over 4).
 * - A series that moved before the alert must still be out of band at the alert's onset (give or take a
 *   minute): a move that was over by then belongs to something else.
 * - Complaint series count only when they rise.
 * - Moves scoring under 0.1, or changing the series by less than 10% over the stretch, are not named.
 * - Complaint breakdowns that repeat a category (`complaints.channel.*`, `complaints.lang.*`, the
 *   channel series) are left out; the total `complaints` is kept only when no category moved.
 */
import type { Direction } from '../domain/anomaly.js';
import type { Alert } from '../domain/alert.js';
import { parseSeriesName, specificity } from './series-name.js';
import { primarySeries } from './primary-series.js';

/** What correlation reads of a stored detector point. */
export interface CorrelationPoint {
  readonly t: number;
  readonly value: number | null;
  readonly expected: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  /** The detector flagged this bucket (its own alert rule). */
  readonly alert: boolean;
  readonly direction?: Direction | null;
  /** The detector's score in [0, 1] (with `direction`: it was already leaning that way). */
  readonly score?: number;
  readonly learning?: boolean;
}

/** Stored detector points per series key, oldest first (any order is sorted). */
export type PointsBySeries = ReadonlyMap<string, readonly CorrelationPoint[]>;

export interface CorrelationSettings {
  /** Lead/lag considered around the alert's onset (±). */
  readonly windowMs: number;
  /** At most this many series are returned. */
  readonly limit: number;
}

export interface CorrelatedSeries {
  readonly series: string;
  /** [0, 1], higher first. */
  readonly score: number;
  readonly direction: Direction;
  /** First bucket of the series' out-of-band run. */
  readonly onset: number;
  /** onset − the alert's onset: negative when it moved earlier. */
  readonly leadMs: number;
  /** Σ value / Σ expected from its onset (null when nothing was expected). */
  readonly ratio: number | null;
  /** "×9", "−40%", "+30%" (or "12 vs ~0" when nothing was expected). */
  readonly size: string;
}

const PERSIST_OF = 3;
const PERSIST_NEED = 2;
const DEVIATION_CAP = 4;
/** A move must score at least this, and change the series by at least this share, to be named. */
const MIN_SCORE = 0.1;
const MIN_CHANGE = 0.1;
/** An earlier move may have ended this long before the alert's onset and still count (one bucket). */
const OVERLAP_SLACK_MS = 60_000;

function sorted(points: readonly CorrelationPoint[]): CorrelationPoint[] {
  return [...points].sort((a, b) => a.t - b.t);
}

/** Is `p` outside its band in `d` (or flagged by the detector in `d`)? */
export function outOfBand(p: CorrelationPoint, d: Direction): boolean {
  if (p.learning === true || p.value === null) return false;
  if (p.alert && p.direction === d) return true;
  return d === 'up' ? p.upper !== null && p.value > p.upper : p.lower !== null && p.value < p.lower;
}

/** Distance of `p` from the expected value in `d`, in half-bands (0 when unknown or the other way). */
function deviation(p: CorrelationPoint, d: Direction): number {
  if (p.value === null || p.expected === null || p.lower === null || p.upper === null) return 0;
  const half = d === 'up' ? p.upper - p.expected : p.expected - p.lower;
  const dev = d === 'up' ? p.value - p.expected : p.expected - p.value;
  if (!(half > 0)) return dev > 0 ? DEVIATION_CAP : 0;
  return Math.max(0, Math.min(DEVIATION_CAP, dev / half));
}

/**
 * The first out-of-band run of `points` starting in [from, to] (see the file comment), or null.
 *
 * @example runStart([{t:0,value:1,...in band}, {t:60000, value:9, upper:3,...}, {t:120000, value:8, upper:3,...}], 0, 120000) // {t: 60000, direction: 'up'}
 */
export function runStart(points: readonly CorrelationPoint[], from: number, to: number): { t: number; direction: Direction } | null {
  const ps = sorted(points);
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i] as CorrelationPoint;
    if (p.t > to) break;
    if (p.t < from) continue;
    for (const d of ['up', 'down'] as const) {
      if (!outOfBand(p, d)) continue;
      const before = ps[i - 1];
      // Already out of band before the window (or nothing known before it): an earlier move.
      if (before === undefined || outOfBand(before, d)) continue;
      const next = ps.slice(i, i + PERSIST_OF);
      const out = next.filter((q) => outOfBand(q, d)).length;
      if (out >= PERSIST_NEED || (p.alert && p.direction === d)) return { t: p.t, direction: d };
    }
  }
  return null;
}

/**
 * The last bucket of the out-of-band run in `d` that starts at `from`: the run ends before two buckets in
 * a row back in band (one dip does not end it).
 */
export function runEnd(points: readonly CorrelationPoint[], from: number, d: Direction): number {
  const ps = sorted(points).filter((p) => p.t >= from);
  let last = from;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i] as CorrelationPoint;
    if (outOfBand(p, d)) {
      last = p.t;
      continue;
    }
    const next = ps[i + 1];
    if (next === undefined || !outOfBand(next, d)) break;
  }
  return last;
}

/**
 * Where the alert's own series started to move: back from its first anomalous bucket (`since`) along
 * its out-of-band run in `direction` — or the run of buckets the detector already scored in that direction
 * (a single bucket with neither does not end it) — at most `maxBackMs` back.
 */
export function anchorOnset(points: readonly CorrelationPoint[] | undefined, since: number, direction: Direction | null, maxBackMs: number): number {
  if (points === undefined || direction === null) return since;
  // Back along the run: out of band, or the detector already scoring that way (evidence building up on a
  // low count); one bucket without either does not end it (low counts dip), two in a row do.
  const moving = (p: CorrelationPoint) => outOfBand(p, direction) || (p.direction === direction && (p.score ?? 0) > 0 && p.learning !== true);
  const before = sorted(points).filter((p) => p.t < since && p.t >= since - maxBackMs).reverse();
  let onset = since;
  for (let i = 0; i < before.length; i++) {
    const p = before[i] as CorrelationPoint;
    if (moving(p)) {
      onset = p.t;
      continue;
    }
    const next = before[i + 1];
    if (next === undefined || !moving(next)) break;
  }
  return onset;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * "×9" (twice normal or more), "+40%", "−40%" (U+2212), "12 vs ~0" without an expectation; `num` writes
 * the numbers of a ratio (a notification's locale: "×2,5").
 *
 * @example sizeText(9.04, 90, 10) // '×9'
 * @example sizeText(0.6, 60, 100) // '−40%'
 */
export function sizeText(ratio: number | null, sumValue: number, sumExpected: number, num: (x: number) => string = String): string {
  if (ratio === null) return `${String(round(sumValue, 1))} vs ~${String(round(Math.max(0, sumExpected), 1))}`;
  if (ratio >= 2) return `×${num(ratio >= 10 ? Math.round(ratio) : round(ratio, 1))}`;
  const pct = Math.round((ratio - 1) * 100);
  return pct >= 0 ? `+${num(pct)}%` : `−${num(-pct)}%`;
}

/** Breakdowns of the complaints that only repeat a category's story (channels, languages). */
function isBreakdown(series: string): boolean {
  const name = parseSeriesName(series);
  return name.kind === 'channel' || name.kind === 'language' || (name.kind === 'category' && (name.category ?? '').includes('.'));
}

/** One series' move around `onset`, or null when it did not move. */
export function measureMove(
  points: readonly CorrelationPoint[],
  onset: number,
  now: number,
  windowMs: number,
  underWay?: UnderWay,
): Omit<CorrelatedSeries, 'series'> | null {
  const end = Math.min(now, onset + windowMs);
  // Nothing after `now` is known yet (a catch-up tick decides minute by minute).
  const known = points.filter((p) => p.t <= now);
  // A move of an incident under way is measured from where it started, however long before the onset.
  const earlier = underWay === undefined ? null : sorted(known).find((p) => p.t >= underWay.since && p.t <= onset && outOfBand(p, underWay.direction));
  const start = earlier ? { t: earlier.t, direction: (underWay as UnderWay).direction } : runStart(known, onset - windowMs, end);
  if (start === null) return null;
  const d = start.direction;
  const stretch = sorted(known).filter((p) => p.t >= start.t && p.t <= Math.min(now, start.t + windowMs) && p.learning !== true);
  if (stretch.length === 0) return null;
  let out = 0;
  let dev = 0;
  let sumV = 0;
  let sumE = 0;
  for (const p of stretch) {
    if (outOfBand(p, d)) out += 1;
    dev += deviation(p, d);
    if (p.value !== null && p.expected !== null) {
      sumV += p.value;
      sumE += p.expected;
    }
  }
  // A series that moved first must still be moving when the alert's series starts (a move that ended
  // before it belongs to something else: the demo's incidents follow each other minutes apart).
  if (start.t < onset && runEnd(known, start.t, d) < onset - OVERLAP_SLACK_MS) return null;
  const share = out / stretch.length;
  const score = round(share * (dev / stretch.length / DEVIATION_CAP), 3);
  const ratio = sumE > 0 ? round(sumV / sumE, 2) : null;
  return { score, direction: d, onset: start.t, leadMs: start.t - onset, ratio, size: sizeText(ratio, sumV, sumE) };
}

/** A series of an incident still under way: where its move began, and which way. */
export interface UnderWay {
  readonly since: number;
  readonly direction: Direction;
}

export interface RankInput {
  /** The alert's series (left out of the ranking). */
  readonly own: readonly string[];
  /**
   * Series of an incident under way at the onset: named with their true lead even when they started
   * more than a window earlier (still out of band at the onset, see `measureMove`).
   */
  readonly underWay?: ReadonlyMap<string, UnderWay>;
  /** The alert's onset (see `alertOnset`). */
  readonly onset: number;
  readonly now: number;
  readonly points: PointsBySeries;
}

/**
 * The other series that moved with the alert, best first: score, then the bigger move (|ln ratio|), then
 * the smaller lead/lag, then the name.
 *
 * @example rankCorrelated({ own: ['complaints.login'], onset, now, points }, { windowMs: 900_000, limit: 3 })
 * // [{ series: 'errors.auth', size: '×9', leadMs: -180_000, ... }, { series: 'logins', size: '−40%', ... }]
 */
export function rankCorrelated(input: RankInput, settings: CorrelationSettings): CorrelatedSeries[] {
  if (settings.limit <= 0) return [];
  const own = new Set(input.own);
  const moved: CorrelatedSeries[] = [];
  for (const [series, points] of input.points) {
    if (own.has(series) || isBreakdown(series)) continue;
    const move = measureMove(points, input.onset, input.now, settings.windowMs, input.underWay?.get(series));
    // Fewer complaints than usual is no evidence of an incident (complaint series are watched for rises).
    if (move !== null && move.direction === 'down' && parseSeriesName(series).kind !== 'other') continue;
    if (move !== null && move.score >= MIN_SCORE && (move.ratio === null || Math.abs(move.ratio - 1) >= MIN_CHANGE)) moved.push({ series, ...move });
  }
  const categoryMoved = moved.some((m) => parseSeriesName(m.series).kind === 'category') || input.own.some((s) => parseSeriesName(s).kind === 'category');
  const kept = moved.filter((m) => !(categoryMoved && parseSeriesName(m.series).kind === 'total'));
  const magnitude = (c: CorrelatedSeries) => (c.ratio !== null && c.ratio > 0 ? Math.abs(Math.log(c.ratio)) : Number.POSITIVE_INFINITY);
  kept.sort(
    (a, b) => b.score - a.score || magnitude(b) - magnitude(a) || Math.abs(a.leadMs) - Math.abs(b.leadMs) || (a.series < b.series ? -1 : a.series > b.series ? 1 : 0),
  );
  return kept.slice(0, settings.limit);
}

/**
 * An alert's onset for correlation: its headline series' first anomalous bucket, moved back to where
 * that series actually left its band (the detector may flag a slow rise late), at most two windows back.
 */
export function alertOnset(alert: Pick<Alert, 'members' | 'startsAt'>, points: PointsBySeries, windowMs: number): { series: string; onset: number } {
  const series = primarySeries(alert, specificity);
  const member = alert.members.find((m) => m.series === series);
  const since = member?.since ?? alert.startsAt;
  const direction = member?.onset?.direction ?? member?.peak?.direction ?? null;
  // The detector may flag a slowly rising series (a complaint channel) well after it left its band: look
  // back up to two windows for where it did.
  return { series, onset: anchorOnset(points.get(series), since, direction, 2 * windowMs) };
}

/**
 * The series that moved with `alert` (its members left out), best first; with `incident` (the alerts of
 * an incident it joined or may join), that incident's series still under way are named from where they
 * started (see `underWayAt`).
 */
export function correlatedWith(
  alert: Pick<Alert, 'members' | 'startsAt'>,
  points: PointsBySeries,
  now: number,
  settings: CorrelationSettings,
  incident: readonly Pick<Alert, 'members' | 'startsAt'>[] = [],
): CorrelatedSeries[] {
  const { onset } = alertOnset(alert, points, settings.windowMs);
  const underWay = incident.length > 0 ? underWayAt(incident, points, onset, settings.windowMs) : undefined;
  return rankCorrelated({ own: alert.members.map((m) => m.series), onset, now, points, ...(underWay ? { underWay } : {}) }, settings);
}

/**
 * The series of an incident (its alerts' members) whose move began before `at` and is still under way
 * at `at`: out of its band in the member's direction from its first anomalous bucket up to `at` (one dip
 * does not end it, see `runEnd`), give or take a minute. A series back in band by then is not.
 */
export function underWayAt(incident: readonly Pick<Alert, 'members'>[], points: PointsBySeries, at: number, windowMs: number): Map<string, UnderWay> {
  const out = new Map<string, UnderWay>();
  for (const alert of incident) {
    for (const m of alert.members) {
      const direction = m.onset?.direction ?? m.peak?.direction ?? null;
      const ps = points.get(m.series);
      if (direction === null || ps === undefined || m.since >= at) continue;
      const known = ps.filter((p) => p.t <= at);
      if (runEnd(known, m.since, direction) < at - OVERLAP_SLACK_MS) continue;
      const since = anchorOnset(ps, m.since, direction, 2 * windowMs);
      const prior = out.get(m.series);
      if (prior === undefined || since < prior.since) out.set(m.series, { since, direction });
    }
  }
  return out;
}

/**
 * Is `alert` a later signal of an incident still under way (the incident's alerts, the one that paged
 * first)? However long ago the incident began:
 * - `alert` is about complaints (every series a complaint series): users notice and write minutes or an
 *   hour after a fault, while a service metric moving during another incident is a fault of its own
 *   (it joins only by `sameIncident`'s window);
 * - one of the incident's series is still out of its band when `alert` was raised (its start, or its
 *   onset if later), and `alert` was raised after that series left its band (it moved while the incident
 *   was under way; its anchored onset may reach a few minutes further back on weak evidence);
 * - `alert`'s correlation evidence (top `limit`, the incident's moves named from where they began) names
 *   one of those series.
 */
export function absorbedBy(
  alert: Pick<Alert, 'members' | 'startsAt'>,
  incident: readonly Pick<Alert, 'members' | 'startsAt'>[],
  points: PointsBySeries,
  now: number,
  settings: CorrelationSettings,
): boolean {
  if (alert.members.some((m) => parseSeriesName(m.series).kind === 'other')) return false;
  const { onset } = alertOnset(alert, points, settings.windowMs);
  // Judged when the alert was raised: its onset, anchored back along weak early evidence (low counts scoring
  // a little), may fall a few minutes before the incident's first series moved while the alert itself came
  // well after it.
  const raised = Math.max(onset, alert.startsAt);
  const underWay = underWayAt(incident, points, raised, settings.windowMs);
  for (const m of alert.members) underWay.delete(m.series);
  const began = Math.min(...[...underWay.values()].map((u) => u.since));
  if (underWay.size === 0 || !(raised > began)) return false;
  const ranking = rankCorrelated({ own: alert.members.map((m) => m.series), onset, now, points, underWay }, settings);
  return ranking.some((c) => underWay.has(c.series));
}

/**
 * Are two alerts about the same incident? Their onsets are within the window of each other, and each
 * appears in the other's correlation evidence (one of its series among the other's top `limit`).
 */
export function sameIncident(
  a: Pick<Alert, 'members' | 'startsAt'>,
  b: Pick<Alert, 'members' | 'startsAt'>,
  points: PointsBySeries,
  now: number,
  settings: CorrelationSettings,
): boolean {
  const oa = alertOnset(a, points, settings.windowMs).onset;
  const ob = alertOnset(b, points, settings.windowMs).onset;
  if (Math.abs(oa - ob) > settings.windowMs) return false;
  return names(correlatedWith(a, points, now, settings), b) && names(correlatedWith(b, points, now, settings), a);
}

/**
 * Does a ranking name one of `alert`'s series? Rankings leave complaint breakdowns out (and the total when
 * a category moved), so an alert on the total or a breakdown is named by any complaint series.
 */
function names(ranking: readonly CorrelatedSeries[], alert: Pick<Alert, 'members'>): boolean {
  const own = new Set(alert.members.map((m) => m.series));
  if (ranking.some((c) => own.has(c.series))) return true;
  const aggregate = alert.members.some((m) => parseSeriesName(m.series).kind === 'total' || isBreakdown(m.series));
  return aggregate && ranking.some((c) => parseSeriesName(c.series).kind !== 'other');
}

/** "started 3 min earlier", "started 2 min later", "at the same time". */
export function leadText(leadMs: number): string {
  const min = Math.round(leadMs / 60_000);
  if (min === 0) return 'at the same time';
  return min < 0 ? `started ${-min} min earlier` : `started ${min} min later`;
}
