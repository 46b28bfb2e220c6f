// DOM helpers. Data is only ever put into the page as text nodes (textContent), never as HTML.
import { locale, t } from './i18n.js';

/**
 * Builds an element. `attrs`: `class`, `text`, `href` (checked by safeHref), `on` ({event: handler}),
 * `data` ({key: value}), anything else via setAttribute (event-handler attributes are refused).
 * Children: nodes, strings (as text) or null/false (skipped); arrays are flattened.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'on') for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    else if (key === 'data') for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    else if (key === 'href') {
      const safe = safeHref(String(value));
      if (safe !== null) el.setAttribute('href', safe);
    } else if (/^on/i.test(key) || key === 'style' || key === 'srcdoc') throw new Error(`refused attribute ${key}`);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** In-app links (`#/...`, `/...`) and absolute http(s) URLs only; anything else (javascript:, data:) → null. */
export function safeHref(url) {
  if (typeof url !== 'string') return null;
  if (url.startsWith('#') || (url.startsWith('/') && !url.startsWith('//'))) return url;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A link to another site: http(s) only, new tab, no opener, no referrer. Returns null for unsafe URLs. */
export function externalLink(url, label) {
  const safe = safeHref(url);
  if (safe === null || safe.startsWith('#') || safe.startsWith('/')) return null;
  return h('a', { href: safe, target: '_blank', rel: 'noopener noreferrer', class: 'source-link' }, label);
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Replaces an element's children as `h` adds them (strings as text, null/false skipped, arrays flattened). */
export function put(el, ...children) {
  append(clear(el), children);
  return el;
}

/**
 * The text with every case-insensitive occurrence of `terms` wrapped in <mark>, built from text nodes
 * (so hostile text stays text). Overlapping matches: the longest term wins.
 */
export function highlight(text, terms) {
  const frag = document.createDocumentFragment();
  const words = [...new Set((terms || []).map((t) => String(t).trim()).filter((t) => t.length >= 2))].sort((a, b) => b.length - a.length);
  if (words.length === 0) {
    frag.appendChild(document.createTextNode(text));
    return frag;
  }
  const lower = text.toLocaleLowerCase();
  const ranges = [];
  for (const word of words) {
    const w = word.toLocaleLowerCase();
    let i = lower.indexOf(w);
    while (i !== -1) {
      const end = i + w.length;
      if (!ranges.some(([s, e]) => i < e && end > s)) ranges.push([i, end]);
      i = lower.indexOf(w, end);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [s, e] of ranges) {
    if (s > at) frag.appendChild(document.createTextNode(text.slice(at, s)));
    frag.appendChild(h('mark', { text: text.slice(s, e) }));
    at = e;
  }
  if (at < text.length) frag.appendChild(document.createTextNode(text.slice(at)));
  return frag;
}

export function fmtNum(n, digits = 0) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return n.toLocaleString(locale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function fmtTime(value) {
  if (value === null || value === undefined) return '–';
  const d = typeof value === 'number' ? new Date(value) : new Date(String(value));
  if (Number.isNaN(d.getTime())) return '–';
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  const time = d.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' });
  return sameDay ? time : `${d.toLocaleDateString(locale(), { day: '2-digit', month: 'short' })} ${time}`;
}

export function fmtAgo(value, now = Date.now()) {
  if (value === null || value === undefined) return t('never');
  const at = typeof value === 'number' ? value : Date.parse(String(value));
  if (!Number.isFinite(at)) return '–';
  const s = Math.round((now - at) / 1000);
  if (s < 60) return t('{n} s ago', { n: Math.max(0, s) });
  if (s < 3600) return t('{n} min ago', { n: Math.round(s / 60) });
  if (s < 86400) return t('{n} h ago', { n: Math.round(s / 3600) });
  return t('{n} d ago', { n: Math.round(s / 86400) });
}

export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 90) return t('{n} s', { n: seconds });
  if (seconds < 5400) return t('{n} min', { n: Math.round(seconds / 60) });
  if (seconds < 172800) return t('{n} h', { n: Math.round(seconds / 3600) });
  return t('{n} d', { n: Math.round(seconds / 86400) });
}

export function select(options, value, attrs = {}) {
  return h('select', attrs, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}
