// Shared by the views: windows, steps, series fetching with the detector band when it is available.
import { api, ApiError } from '../api.js';
import { clear, h, select } from '../dom.js';
import { currentLanguage, t } from '../i18n.js';

export const WINDOWS = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };
// The same list as src/domain/message.ts CHANNELS (a unit test keeps them equal).
export const CHANNELS = ['twitter', 'email', 'beta_form', 'api', 'vk', 'telegram', 'mastodon', 'bluesky', 'reddit', 'helpdesk', 'appstore'];
export const LANGS = ['en', 'ru'];
// Channels and languages in words: the same as src/domain/message.ts CHANNEL_NAMES / LANG_NAMES (a unit test
// keeps them equal), and the catalogue's keys for their names in the page's language.
export const CHANNEL_NAMES = {
  twitter: 'Twitter',
  email: 'e-mail',
  beta_form: 'beta form',
  api: 'API',
  vk: 'VK',
  telegram: 'Telegram',
  mastodon: 'Mastodon',
  bluesky: 'Bluesky',
  reddit: 'Reddit',
  helpdesk: 'help desk',
  appstore: 'app store',
};
export const LANG_NAMES = { en: 'English', ru: 'Russian' };

/** A channel in the page's language (`email` → "e-mail", "эл. почта"); an unknown one as it came. */
export function channelName(channel) {
  const key = String(channel ?? '');
  return Object.hasOwn(CHANNEL_NAMES, key) ? t(CHANNEL_NAMES[key]) : key;
}

/** A message language in the page's language (`ru` → "Russian", "русский"); an unknown one as it came. */
export function languageName(lang) {
  const key = String(lang ?? '');
  return Object.hasOwn(LANG_NAMES, key) ? t(LANG_NAMES[key]) : key;
}

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

/** The detector's reasons (src/domain/anomaly.ts AnomalyReason) in the page's language; an unknown one as it came. */
export function reasonText(reason) {
  const text = {
    spike: () => t('spike'),
    level_shift: () => t('level shift'),
    drop: () => t('drop'),
    correlation_break: () => t('correlation break'),
  }[reason];
  return text ? text() : String(reason);
}

/** Category named by an alert member series (`complaints.login` → `login`), else null. */
export function categoryOfSeries(series) {
  const m = /^complaints\.(?!channel\.|lang\.)(.+)$/.exec(series ?? '');
  return m ? m[1] : null;
}

/**
 * A series in words, through the catalogue (`complaints.login` → "Complaints: login", `complaints.email`
 * → "Complaints via e-mail", with channel and language names from the catalogue; category names stay as
 * configured). In English the API's label (`fallback`, which may be a configured one) is kept; a series
 * that is not a complaint series keeps its name. The server words its Russian copy summary with the same
 * keys (src/alerting/series-name.ts `seriesLabel` with a translator; a unit test runs both).
 */
export function seriesLabel(series, fallback) {
  if (currentLanguage() === 'en' && fallback) return String(fallback);
  const key = String(series ?? '');
  if (key === 'complaints') return t('All complaints');
  const lang = /^complaints\.lang\.(.+)$/.exec(key);
  if (lang) return t('Complaints in {lang}', { lang: languageName(lang[1]) });
  const channel = /^complaints\.(?:channel\.)?(.+)$/.exec(key);
  if (channel && (key.startsWith('complaints.channel.') || CHANNELS.includes(channel[1]))) return t('Complaints via {channel}', { channel: channelName(channel[1]) });
  const cat = categoryOfSeries(key);
  if (cat) return t('Complaints: {category}', { category: cat });
  return fallback ? String(fallback) : key;
}

export function banner(kind, text, id) {
  return h('div', { class: `banner ${kind}`, role: kind === 'bad' ? 'alert' : 'status', id }, text);
}

/** Options of a filter: "any" first, then each value (shown through `name`, e.g. `channelName`). */
export function optionList(values, anyLabel, name = (v) => v) {
  return [['', anyLabel], ...values.map((v) => [v, name(v)])];
}

/** The strings of the cluster relabel control, through the catalogue (getters: the language chosen at boot). */
export const RELABEL_TEXT = {
  relabelAll: (n) => t('Relabel all {n}:', { n }),
  get category() { return t('— category —'); },
  get categoryLabel() { return t('category for the whole cluster'); },
  get asComplaints() { return t('Complaints'); },
  get asNot() { return t('Not complaints'); },
  get chooseCategory() { return t('choose a category'); },
  confirm: (n, what) => t('Relabel {n} messages as {what}?', { n, what }),
  inCategory: (c) => t('complaints in “{c}”', { c }),
  get notComplaints() { return t('not complaints'); },
  get yes() { return t('Relabel'); },
  get no() { return t('Cancel'); },
  done: (n) => t('{n} messages relabelled.', { n }),
  failed: (why) => t('not relabelled: {why}', { why }),
};

/**
 * The bulk relabel of one near-duplicate cluster (Messages' grouped rows and the incident page): a
 * category, "Complaints" or "Not complaints", a confirm step naming how many messages and as what, then
 * one `POST /api/messages/labels` with every member id. `confirm(question, run)` is the view's own
 * confirm step (the incident page has one for all its actions); without it the question and
 * Relabel / Cancel appear inline beside the buttons. `onDone(labelled)` runs after the request;
 * `onError(error)` when it failed (default: the reason beside the buttons).
 */
export function clusterRelabel(cluster, { categories, confirm, onDone, onError }) {
  const n = cluster.memberIds.length;
  const status = h('span', { class: 'muted', role: 'status', data: { field: 'bulk-status' } });
  const cat = select([['', RELABEL_TEXT.category], ...categories.map((x) => [x, x])], '', { name: 'bulk-category', 'aria-label': RELABEL_TEXT.categoryLabel });
  const inline = h('span', { class: 'confirm', hidden: true });
  const fail = onError ?? ((error) => {
    status.textContent = RELABEL_TEXT.failed(error.message);
    status.className = 'error';
  });
  async function run(body) {
    let result;
    try {
      result = await api('/api/messages/labels', { method: 'POST', body: { ids: cluster.memberIds, ...body } });
    } catch (error) {
      fail(error);
      return false;
    }
    await onDone?.(result.labelled);
    return true;
  }
  function ask(body, what) {
    const question = RELABEL_TEXT.confirm(n, what);
    if (confirm) {
      confirm(question, () => run(body));
      return;
    }
    const yes = h('button', { type: 'button', class: 'primary', data: { action: 'bulk-confirm' }, on: { click: async () => {
      yes.disabled = true;
      if (await run(body)) inline.hidden = true;
      else yes.disabled = false;
    } } }, RELABEL_TEXT.yes);
    const no = h('button', { type: 'button', on: { click: () => { inline.hidden = true; } } }, RELABEL_TEXT.no);
    clear(inline).append(question, ' ', yes, ' ', no);
    inline.hidden = false;
    yes.focus();
  }
  return h('div', { class: 'actions bulk' },
    h('span', {}, RELABEL_TEXT.relabelAll(n)),
    cat,
    h('button', { type: 'button', data: { action: 'bulk-complaint' }, on: { click: () => {
      if (!cat.value) {
        status.textContent = RELABEL_TEXT.chooseCategory;
        cat.focus();
        return;
      }
      ask({ complaint: true, category: cat.value }, RELABEL_TEXT.inCategory(cat.value));
    } } }, RELABEL_TEXT.asComplaints),
    h('button', { type: 'button', data: { action: 'bulk-not' }, on: { click: () => ask({ complaint: false }, RELABEL_TEXT.notComplaints) } }, RELABEL_TEXT.asNot),
    inline,
    status,
  );
}
