/**
 * "Clearly worse" for an open alert, pure: each member keeps the point of its episode furthest from
 * normal (`worst`) and that point as it was at the last page (`worstPaged`); the alert is paged again
 * when a firing member moved `factor` times further from normal than what was paged.
 *
 * Distance from normal is the deviation in the episode's direction (`value − expected` going up,
 * `expected − value` going down), so it means the same for complaint counts near zero and for pushed
 * metrics of any scale. The paged deviation is floored at the half-width of the band that opened the
 * episode, so a page sent at the very edge of the band is not followed by a "worse" on noise.
 */
import type { AlertMember, AlertPeak } from '../domain/alert.js';
import type { Direction } from '../domain/anomaly.js';
import type { Observation } from './observation.js';
import { specificity } from './series-name.js';

/** The direction a member is anomalous in (its onset's, else its peak's; `up` before either). */
export function memberDirection(member: Pick<AlertMember, 'onset' | 'peak'>): Direction {
  return member.onset?.direction ?? member.peak?.direction ?? 'up';
}

/**
 * How far `p` is from normal in `direction` (negative: on the other side of expected).
 *
 * @example deviation({ t: 0, value: 29, expected: 1 }, 'up') // 28
 */
export function deviation(p: AlertPeak, direction: Direction): number {
  return direction === 'up' ? p.value - p.expected : p.expected - p.value;
}

/**
 * The point an observation reports, or null without a value. The expected value is the detector's at
 * that point, else the one of the anomaly that opened the episode (what "normal" meant then).
 */
export function peakOf(obs: Observation, onset: AlertMember['onset']): AlertPeak | null {
  const value = obs.value ?? obs.anomaly?.value;
  const expected = obs.anomaly?.expected ?? obs.expected ?? onset?.expected;
  if (value === undefined || expected === undefined || !Number.isFinite(value) || !Number.isFinite(expected)) return null;
  return { t: obs.t, value, expected };
}

/** The one of `current` and `candidate` further from normal (ties keep `current`). */
export function further(current: AlertPeak | null, candidate: AlertPeak | null, direction: Direction): AlertPeak | null {
  if (candidate === null) return current;
  if (current === null) return candidate;
  return deviation(candidate, direction) > deviation(current, direction) ? candidate : current;
}

/** Half the width of the band that opened the episode, on the anomalous side (0 without one). */
function onsetHalfWidth(member: Pick<AlertMember, 'onset'>): number {
  const o = member.onset;
  if (o === null) return 0;
  return Math.max(0, o.direction === 'up' ? o.upper - o.expected : o.expected - o.lower);
}

/**
 * How many times further from normal a member is now than when it was last paged; null when it cannot
 * be compared (never paged in this episode, no peak, or nothing to compare with).
 *
 * @example worseRatio({ worst: { t: 5, value: 29, expected: 1 }, worstPaged: { t: 1, value: 2, expected: 1 }, onset: null, peak: null }) // 28
 */
export function worseRatio(member: Pick<AlertMember, 'worst' | 'worstPaged' | 'onset' | 'peak'>): number | null {
  if (member.worst === null || member.worstPaged === null) return null;
  const direction = memberDirection(member);
  const base = Math.max(deviation(member.worstPaged, direction), onsetHalfWidth(member));
  if (!(base > 0)) return null;
  return deviation(member.worst, direction) / base;
}

/** What a `worse` notification reports: the series, its peak now and the one last paged. */
export interface WorseDetail {
  readonly series: string;
  readonly peak: AlertPeak;
  readonly paged: AlertPeak;
}

/**
 * The firing member, still out of band, that got clearly worse (ratio ≥ `factor`; the largest ratio
 * wins, then the most specific series: a category before the total it is part of), or null.
 * `factor` 0 never reports.
 */
export function worseMember(members: readonly AlertMember[], factor: number): WorseDetail | null {
  if (!(factor > 0)) return null;
  let best: { detail: WorseDetail; ratio: number } | null = null;
  for (const m of members) {
    // Only while still out of band: a peak already over is news for the next page, not a page of its own.
    if (m.state !== 'firing' || m.inBandSince !== null || m.worst === null || m.worstPaged === null) continue;
    const ratio = worseRatio(m);
    if (ratio === null || ratio < factor) continue;
    const better = best === null || ratio > best.ratio || (ratio === best.ratio && specificity(m.series) > specificity(best.detail.series));
    if (better) best = { detail: { series: m.series, peak: m.worst, paged: m.worstPaged }, ratio };
  }
  return best?.detail ?? null;
}
