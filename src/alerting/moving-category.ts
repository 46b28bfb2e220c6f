/**
 * Which complaint category a rise of a breakdown belongs to. When the total, a channel
 * (`complaints.channel.twitter`) or a language (`complaints.lang.en`) series rises, the complaints that
 * rose are about something: the category series that moved with it (out of its band in the same window,
 * ranked as correlation evidence ranks it, see correlation.ts `rankCorrelated`) names the incident.
 * With category grouping the breakdown's alert is then that category's incident, not an incident of
 * its own that no category owns.
 */
import { rankCorrelated, type CorrelationSettings, type PointsBySeries } from './correlation.js';
import { parseSeriesName } from './series-name.js';

/**
 * The category whose series moved with `series` at `t` (the strongest such move), or null when none did
 * (or `series` names a category itself, or is no complaint series).
 *
 * @example movingCategory('complaints.channel.email', t, points, { windowMs: 900_000, limit: 5 })
 * // 'login' when complaints.login left its band in the quarter hour before t and is still out of it
 */
export function movingCategory(series: string, t: number, points: PointsBySeries, settings: CorrelationSettings): string | null {
  const kind = parseSeriesName(series).kind;
  if (kind !== 'total' && kind !== 'channel' && kind !== 'language') return null;
  // Every mover is ranked (metrics may rank above the category); the limit only caps the evidence list.
  const ranking = rankCorrelated({ own: [series], onset: t, now: t, points }, { windowMs: settings.windowMs, limit: Number.MAX_SAFE_INTEGER });
  for (const moved of ranking) {
    const name = parseSeriesName(moved.series);
    if (name.kind === 'category' && moved.direction === 'up' && name.category !== null && !name.category.includes('.')) return name.category;
  }
  return null;
}
