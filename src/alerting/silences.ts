/** Silences: matching alerts are still evaluated and recorded, but not sent. */
import type { Silence } from '../domain/alert.js';
import { globToRegExp } from './glob.js';
import { parseSeriesName } from './series-name.js';

export function silenceIsActive(silence: Silence, now: number): boolean {
  return now >= silence.startsAt && now < silence.endsAt;
}

/** Does this silence cover `series`? (`category` matches the category part of `complaints.<category>`.) */
export function silenceMatches(silence: Silence, series: string): boolean {
  if (silence.series != null && silence.series !== '' && !globToRegExp(silence.series).test(series)) return false;
  if (silence.category != null && silence.category !== '') {
    const category = parseSeriesName(series).category;
    if (category === null || !globToRegExp(silence.category).test(category)) return false;
  }
  return true;
}

/**
 * Ids of active silences that mute an alert over `series`. An alert is muted only when every one of its
 * series is covered (a silence for `complaints.login` does not hide a rise on `complaints.payment`
 * grouped into the same incident). Empty: not silenced.
 */
export function silencingIds(silences: readonly Silence[], series: readonly string[], now: number): string[] {
  if (series.length === 0) return [];
  const active = silences.filter((s) => silenceIsActive(s, now));
  const ids = new Set<string>();
  for (const name of series) {
    const covering = active.filter((s) => silenceMatches(s, name));
    if (covering.length === 0) return [];
    for (const s of covering) ids.add(s.id);
  }
  return [...ids].sort();
}

/** Validates a silence created through the API; returns a list of problems (empty: fine). */
export function silenceProblems(silence: Pick<Silence, 'series' | 'category' | 'startsAt' | 'endsAt'>): string[] {
  const problems: string[] = [];
  const pattern = /^[A-Za-z0-9_.*?:-]+$/;
  if ((silence.series == null || silence.series === '') && (silence.category == null || silence.category === '')) {
    problems.push('give a series or a category pattern');
  }
  if (silence.series != null && silence.series !== '' && !pattern.test(silence.series)) problems.push('series: letters, digits, _ . - : * ? only');
  if (silence.category != null && silence.category !== '' && !pattern.test(silence.category)) problems.push('category: letters, digits, _ . - : * ? only');
  if (!(silence.endsAt > silence.startsAt)) problems.push('endsAt must be after startsAt');
  return problems;
}
