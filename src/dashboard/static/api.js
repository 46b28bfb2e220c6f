// The JSON API, same origin, session cookie + CSRF header on writes.

let csrf = null;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function setCsrf(token) {
  csrf = token;
}

export function loginUrl() {
  const next = `/${location.hash}`;
  return `/login?next=${encodeURIComponent(next)}`;
}

/** `api('/api/summary', {query: {...}})`, `api('/api/messages/x/label', {method: 'POST', body})`. */
export async function api(path, { method = 'GET', query, body } = {}) {
  let url = path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    const s = qs.toString();
    if (s) url += `?${s}`;
  }
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(url, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && path !== '/api/session') {
    location.href = loginUrl();
    throw new ApiError(401, 'ERR_UNAUTHORIZED', 'logged out');
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data?.error ?? 'ERR_HTTP', data?.message ?? `${res.status} ${res.statusText}`);
  return data;
}
