// Shared by the views: windows, steps, series fetching with the detector band when it is available.
import { api, ApiError } from '../api.js';
import { h } from '../dom.js';

export const WINDOWS = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };
// The same list as src/domain/message.ts CHANNELS (a unit test keeps them equal).
export const CHANNELS = ['twitter', 'email', 'beta_form', 'api', 'vk', 'telegram', 'mastodon', 'bluesky', 'reddit', 'helpdesk', 'appstore'];
export const LANGS = ['en', 'ru'];

const NICE_MINUTES = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

/** A step (minutes) giving at most `maxPoints` buckets over `rangeMs`. */
export function pickStepMinutes(rangeMs, maxPoints) {
  for (const m of NICE_MINUTES) if (rangeMs / (m * 60_000) <= maxPoints) return m;
  return 1440;
}

let bandAvailable = true;
let trafficKnown = null;

/** Is there a reference (traffic) series, so rates mean something? Cached per page load. */
export async function hasTraffic() {
  if (trafficKnown === null) {
    try {
      const { keys } = await api('/api/series');
      trafficKnown = keys.includes('traffic');
    } catch {
      trafficKnown = false;
    }
  }
  return trafficKnown;
}

/**
 * `GET /api/series/:key` with `with=band` while the detector answers; a 503 (detector not running in
 * the api process) switches bands off for this page load and the series comes without one.
 */
export async function fetchSeries(key, { from, to, stepMinutes, rate = false, band = true }) {
  const query = { from: Math.floor(from), to: Math.floor(to), step: `${stepMinutes}m`, rate: rate ? 'true' : undefined };
  if (band && bandAvailable) {
    try {
      return await api(`/api/series/${encodeURIComponent(key)}`, { query: { ...query, with: 'band' } });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 503) throw error;
      bandAvailable = false;
    }
  }
  return api(`/api/series/${encodeURIComponent(key)}`, { query });
}

export function isBandAvailable() {
  return bandAvailable;
}

/** Category named by an alert member series (`complaints.login` → `login`), else null. */
export function categoryOfSeries(series) {
  const m = /^complaints\.(?!channel\.|lang\.)(.+)$/.exec(series ?? '');
  return m ? m[1] : null;
}

export function banner(kind, text, id) {
  return h('div', { class: `banner ${kind}`, role: kind === 'bad' ? 'alert' : 'status', id }, text);
}

export function optionList(values, anyLabel) {
  return [['', anyLabel], ...values.map((v) => [v, v])];
}
