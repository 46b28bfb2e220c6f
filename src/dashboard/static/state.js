// The view and its filters live in the URL hash (`#/messages?category=login&channel=twitter`), so a
// view can be shared in a chat and survives reloads and live refreshes.

export const VIEWS = ['overview', 'timeline', 'messages', 'review', 'alerts', 'sources'];

export function readState() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?');
  const params = {};
  for (const [k, v] of new URLSearchParams(query)) params[k] = v;
  // `#/incidents/<id>`: one incident's page (not in the navigation; reached from alerts and notifications).
  const incident = /^incidents\/(.+)$/.exec(path);
  if (incident) {
    try {
      return { view: 'incident', params: { ...params, id: decodeURIComponent(incident[1]) } };
    } catch {
      return { view: 'incident', params: { ...params, id: incident[1] } };
    }
  }
  const view = VIEWS.includes(path) ? path : 'overview';
  return { view, params };
}

/** The incident page of an alert (an alert that joined another's incident opens that one's page). */
export function incidentHref(id) {
  return `#/incidents/${encodeURIComponent(id)}`;
}

export function hrefFor(view, params = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `#/${view}${s ? `?${s}` : ''}`;
}

/** Changes the URL. `replace` keeps history clean for filter tweaks within a view. */
export function go(view, params = {}, { replace = false } = {}) {
  const href = hrefFor(view, params);
  if (href === location.hash) return;
  if (replace) {
    history.replaceState(null, '', href);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else location.hash = href;
}

/**
 * Where an old-style link goes (`/?series=<s>&from=<ms>&to=<ms>&alert=<id>`, sent in notifications before
 * the dashboard navigated by `#/…`): the incident page of the alert it names, or the series' category on
 * the Timeline when it names no alert; null for any other URL.
 */
export function legacyLinkHash(search) {
  const q = new URLSearchParams(search);
  const alert = q.get('alert');
  if (alert) return incidentHref(alert);
  const series = q.get('series');
  if (!series) return null;
  const category = /^complaints\.(?!channel\.|lang\.)(.+)$/.exec(series)?.[1];
  return hrefFor('timeline', { category, from: q.get('from'), to: q.get('to') });
}
