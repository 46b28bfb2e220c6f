// The view and its filters live in the URL hash (`#/messages?category=login&channel=twitter`), so a
// view can be shared in a chat and survives reloads and live refreshes.

export const VIEWS = ['overview', 'timeline', 'messages', 'alerts', 'sources'];

export function readState() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?');
  const view = VIEWS.includes(path) ? path : 'overview';
  const params = {};
  for (const [k, v] of new URLSearchParams(query)) params[k] = v;
  return { view, params };
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
