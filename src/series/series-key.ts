/**
 * PURE: what a series key may be. One rule for every way a series arrives: pushed (`POST
 * /api/series/:key`), pulled from Prometheus or Graphite, or counted by the service.
 */
import { isCounterSeries } from './counts.js';

/** Letters, digits and `_ . : -`, 1 to 200 characters. */
export const SERIES_KEY = /^[A-Za-z0-9_.:-]{1,200}$/;

/**
 * Why `key` cannot be written from outside (pushed or pulled), or null when it can: it must match
 * `SERIES_KEY` and must not be a series the service counts itself (`complaints…`, `messages…`).
 *
 * @example seriesKeyProblem('errors.auth') // null
 * @example seriesKeyProblem('complaints.login') // 'is computed by the service …'
 */
export function seriesKeyProblem(key: string): string | null {
  if (!SERIES_KEY.test(key)) return 'must be 1 to 200 letters, digits and _ . : -';
  if (isCounterSeries(key)) return 'is computed by the service (complaints…, messages…) and cannot be written from outside';
  return null;
}
