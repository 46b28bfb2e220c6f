// Messages: the list behind any number or chart point. Filters in the URL, matched terms highlighted,
// source links (http/https only), one-click relabel (complaint / not, category).
import { api } from '../api.js';
import { clear, externalLink, fmtTime, h, highlight, select } from '../dom.js';
import { go } from '../state.js';
import { CHANNELS, LANGS, optionList } from './common.js';

const FILTERS = ['category', 'channel', 'lang', 'complaint', 'q', 'from', 'to', 'source', 'appVersion', 'rating', 'country'];
// Store reviews' stars: the API takes one value or a comma list.
const RATINGS = [['', 'any'], ['1,2', '1–2 ★ (low)'], ['1', '1 ★'], ['2', '2 ★'], ['3', '3 ★'], ['4', '4 ★'], ['5', '5 ★']];
const PAGE = 50;

function effective(m) {
  const complaint = m.label ? m.label.complaint : m.classification.complaint;
  const category = m.label ? m.label.category : complaint ? (m.classification.categories[0]?.name ?? null) : null;
  return { complaint, category };
}

export function mount(root, params, ctx) {
  let state = pick(params);
  let cursor = null;
  let pagesLoaded = 1;
  const set = (patch) => go('messages', { ...state, ...patch }, { replace: true });

  const q = h('input', { type: 'search', name: 'q', placeholder: 'text contains…', maxlength: '200', value: state.q ?? '' });
  let qTimer = null;
  q.addEventListener('input', () => {
    clearTimeout(qTimer);
    qTimer = setTimeout(() => set({ q: q.value.trim() || undefined }), 400);
  });
  q.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      clearTimeout(qTimer);
      set({ q: q.value.trim() || undefined });
    }
  });
  // Review filters (app-store reviews only): typed values are applied on Enter or when the field is left.
  const textFilter = (name, placeholder, maxlength) => {
    const el = h('input', { type: 'text', name, placeholder, maxlength, value: state[name] ?? '', size: '10' });
    const apply = () => set({ [name]: el.value.trim() || undefined });
    el.addEventListener('change', apply);
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') apply();
    });
    return el;
  };
  const texts = { appVersion: textFilter('appVersion', 'e.g. 4.12.0', '100'), country: textFilter('country', 'e.g. USA', '3') };
  const selects = {
    category: select(optionList([...new Set([...ctx.categories, ...(state.category ? [state.category] : [])])], 'any'), state.category ?? '', { name: 'category' }),
    channel: select(optionList(CHANNELS, 'any'), state.channel ?? '', { name: 'channel' }),
    lang: select(optionList(LANGS, 'any'), state.lang ?? '', { name: 'lang' }),
    complaint: select([['', 'any'], ['true', 'complaints'], ['false', 'not complaints']], state.complaint ?? '', { name: 'complaint' }),
    rating: select(RATINGS.some(([v]) => v === (state.rating ?? '')) ? RATINGS : [...RATINGS, [state.rating, state.rating]], state.rating ?? '', { name: 'rating' }),
  };
  for (const [name, el] of Object.entries(selects)) el.addEventListener('change', () => set({ [name]: el.value || undefined }));
  const filters = h('form', { class: 'filters', role: 'search', on: { submit: (e) => e.preventDefault() } },
    h('label', {}, 'Category', selects.category),
    h('label', {}, 'Channel', selects.channel),
    h('label', {}, 'Language', selects.lang),
    h('label', {}, 'Complaint', selects.complaint),
    h('label', { title: 'app-store reviews only' }, 'Stars', selects.rating),
    h('label', { title: 'app-store reviews only' }, 'App version', texts.appVersion),
    h('label', { title: 'app-store reviews only (App Store territory)' }, 'Country', texts.country),
    h('label', { class: 'q' }, 'Search', q),
  );
  const range = h('div', { class: 'toolbar', id: 'range' });
  const list = h('div', { class: 'list', id: 'messages' });
  const more = h('button', { type: 'button', class: 'more', id: 'more', hidden: true, on: { click: () => void loadMore() } }, 'Load more');
  root.append(h('h1', {}, 'Messages'), filters, range, list, more);

  function renderRange() {
    clear(range);
    if (state.from || state.to) {
      range.append(
        h('span', { class: 'chip' }, `${state.from ? fmtTime(Number(state.from)) : '…'} → ${state.to ? fmtTime(Number(state.to)) : 'now'}`),
        h('button', { type: 'button', id: 'clear-range', on: { click: () => set({ from: undefined, to: undefined }) } }, 'All times'),
      );
    }
    if (state.source) range.append(h('span', { class: 'chip' }, `source ${state.source}`), h('button', { type: 'button', on: { click: () => set({ source: undefined }) } }, '×'));
  }

  function query(extra = {}) {
    const out = { limit: PAGE, ...extra };
    for (const k of FILTERS) if (state[k]) out[k] = state[k];
    return out;
  }

  async function load() {
    renderRange();
    const page = await api('/api/messages', { query: query() });
    cursor = page.nextCursor;
    pagesLoaded = 1;
    clear(list);
    if (page.items.length === 0) list.append(h('p', { class: 'muted', id: 'no-messages' }, 'No messages match these filters.'));
    for (const m of page.items) list.append(item(m));
    more.hidden = cursor === null;
  }

  async function loadMore() {
    if (!cursor) return;
    const page = await api('/api/messages', { query: query({ cursor }) });
    cursor = page.nextCursor;
    pagesLoaded += 1;
    for (const m of page.items) list.append(item(m));
    more.hidden = cursor === null;
  }

  function item(m) {
    const el = h('article', { class: `card msg${m.label ? ' relabelled' : ''}`, data: { id: m.id } });
    fill(el, m);
    return el;
  }

  function fill(el, m) {
    clear(el);
    el.classList.toggle('relabelled', Boolean(m.label));
    const eff = effective(m);
    const terms = m.classification.categories.flatMap((c) => c.terms);
    const source = externalLink(m.link, 'source ↗');
    el.append(
      h('div', { class: 'meta' },
        h('time', { datetime: m.createdAt, title: m.createdAt }, fmtTime(m.createdAt)),
        h('span', { class: 'chip' }, m.channel),
        h('span', {}, m.source),
        m.lang ? h('span', {}, m.lang) : null,
        m.author ? h('span', { title: 'author (hashed)' }, m.author.slice(0, 10)) : null,
        typeof m.meta?.contact === 'string' ? h('span', { title: 'contact (masked)' }, m.meta.contact) : null,
        reviewChips(m),
        source,
      ),
      h('div', { class: 'text', lang: m.lang ?? undefined, dir: 'auto' }, highlight(m.text, terms)),
      h('div', { class: 'meta' },
        m.classification.categories.map((c) => h('span', { class: 'chip', title: `matched: ${c.terms.join(', ')}` }, `${c.name} ${Math.round(c.score * 100)}%`)),
        m.label ? h('span', { class: 'chip ok', data: { label: eff.complaint ? eff.category ?? '' : 'not' } }, `relabelled: ${eff.complaint ? eff.category : 'not a complaint'}`) : null,
        m.classification.modelVersion ? h('span', { class: 'muted', title: 'the model version that judged it (radar classify versions)', data: { modelVersion: m.classification.modelVersion } }, `model ${m.classification.modelVersion}`) : null,
      ),
      actions(el, m, eff),
    );
  }

  function actions(el, m, eff) {
    const status = h('span', { class: 'muted', role: 'status' });
    const categories = [...new Set([...ctx.categories, ...m.classification.categories.map((c) => c.name), ...(eff.category ? [eff.category] : [])])].sort();
    const cat = select([['', '— category —'], ...categories.map((c) => [c, c])], eff.category ?? '', { name: 'relabel-category', 'aria-label': 'category' });
    async function send(complaint, category) {
      status.textContent = 'saving…';
      try {
        const updated = await api(`/api/messages/${encodeURIComponent(m.id)}/label`, { method: 'POST', body: complaint ? { complaint, category } : { complaint } });
        fill(el, updated);
      } catch (error) {
        status.textContent = `not saved: ${error.message}`;
        status.className = 'error';
      }
    }
    cat.addEventListener('change', () => {
      if (cat.value) void send(true, cat.value);
    });
    return h('div', { class: 'actions' },
      h('button', {
        type: 'button',
        class: eff.complaint ? 'on' : '',
        'aria-pressed': String(eff.complaint),
        data: { action: 'complaint' },
        on: {
          click: () => {
            const c = cat.value || m.classification.categories[0]?.name;
            if (c) void send(true, c);
            else {
              status.textContent = 'choose a category';
              cat.focus();
            }
          },
        },
      }, 'Complaint'),
      h('button', { type: 'button', class: eff.complaint ? '' : 'on', 'aria-pressed': String(!eff.complaint), data: { action: 'not-complaint' }, on: { click: () => void send(false) } }, 'Not a complaint'),
      cat,
      status,
    );
  }

  return {
    // Live refresh redraws the first page only, and not while the user works in the list or paged on.
    refresh: () => (pagesLoaded > 1 || list.contains(document.activeElement) ? Promise.resolve() : load()),
    update(next) {
      state = pick(next);
      for (const [name, el] of Object.entries(selects)) if (document.activeElement !== el) el.value = state[name] ?? '';
      for (const [name, el] of Object.entries(texts)) if (document.activeElement !== el) el.value = state[name] ?? '';
      if (document.activeElement !== q) q.value = state.q ?? '';
      return load();
    },
  };
}

/** Stars, app version, device and country of a store review, as chips (text only). */
function reviewChips(m) {
  if (m.channel !== 'appstore' || !m.meta) return null;
  const { rating, appVersion, deviceModel, device, country } = m.meta;
  return [
    typeof rating === 'number' ? h('span', { class: `chip${rating <= 2 ? ' bad' : ''}`, data: { rating }, title: 'stars' }, `${rating} ★`) : null,
    typeof appVersion === 'string' ? h('span', { class: 'chip', data: { appVersion }, title: 'app version' }, `v${appVersion}`) : null,
    typeof (deviceModel ?? device) === 'string' ? h('span', { title: 'device' }, deviceModel ?? device) : null,
    typeof country === 'string' ? h('span', { title: 'country' }, country) : null,
  ];
}

function pick(params) {
  const out = {};
  for (const k of FILTERS) if (params[k]) out[k] = params[k];
  return out;
}
