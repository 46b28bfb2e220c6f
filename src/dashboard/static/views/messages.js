// Messages: the list behind any number or chart point. Filters in the URL, matched terms highlighted,
// source links (http/https only), one-click relabel (complaint / not, category). "Group near-duplicates"
// (`group=1`) shows one row per cluster (count, representative, members on demand) with a bulk relabel
// (common.js clusterRelabel).
import { api } from '../api.js';
import { clear, externalLink, fmtTime, h, highlight, put, select } from '../dom.js';
import { go } from '../state.js';
import { CHANNELS, LANGS, RELABEL_TEXT, channelName, clusterRelabel, languageName, optionList } from './common.js';
import { t, tp } from '../i18n.js';

const FILTERS = ['category', 'channel', 'lang', 'complaint', 'q', 'from', 'to', 'source', 'appVersion', 'rating', 'country'];
// Store reviews' stars: the API takes one value or a comma list.
const ratings = () => [['', t('any')], ['1,2', t('1–2 ★ (low)')], ['1', '1 ★'], ['2', '2 ★'], ['3', '3 ★'], ['4', '4 ★'], ['5', '5 ★']];
const PAGE = 50;

/** Every user-visible string of the cluster mode, through the catalogue (getters: the language chosen at boot). */
export const CLUSTER_TEXT = {
  get group() { return t('Group near-duplicates'); },
  get groupHint() { return t('one row per cluster of near-duplicate messages'); },
  get noClusters() { return t('No messages match these filters.'); },
  scanned: (clusters, scanned, complete) => `${t('{clusters} clusters in the newest {scanned} messages', { clusters, scanned })}${complete ? '' : ` ${t('(older ones not grouped: narrow the filters or the time range)')}`}`,
  messages: (n) => tp(n, { one: '{n} message', other: '{n} messages' }),
  showMembers: (n) => tp(n, { one: 'show {n} message', other: 'show {n} messages' }),
  moreMembers: (n) => t('and {n} more (relabelled with the cluster)', { n }),
};

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

  const q = h('input', { type: 'search', name: 'q', placeholder: t('text contains…'), maxlength: '200', value: state.q ?? '' });
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
  const texts = { appVersion: textFilter('appVersion', t('e.g. {example}', { example: '4.12.0' }), '100'), country: textFilter('country', t('e.g. {example}', { example: 'USA' }), '3') };
  const selects = {
    category: select(optionList([...new Set([...ctx.categories, ...(state.category ? [state.category] : [])])], t('any')), state.category ?? '', { name: 'category' }),
    channel: select(optionList(CHANNELS, t('any'), channelName), state.channel ?? '', { name: 'channel' }),
    lang: select(optionList(LANGS, t('any'), languageName), state.lang ?? '', { name: 'lang' }),
    complaint: select([['', t('any')], ['true', t('complaints')], ['false', t('not complaints')]], state.complaint ?? '', { name: 'complaint' }),
    rating: select(ratings().some(([v]) => v === (state.rating ?? '')) ? ratings() : [...ratings(), [state.rating, state.rating]], state.rating ?? '', { name: 'rating' }),
  };
  for (const [name, el] of Object.entries(selects)) el.addEventListener('change', () => set({ [name]: el.value || undefined }));
  const filters = h('form', { class: 'filters', role: 'search', on: { submit: (e) => e.preventDefault() } },
    h('label', {}, t('Category'), selects.category),
    h('label', {}, t('Channel'), selects.channel),
    h('label', {}, t('Language'), selects.lang),
    h('label', {}, t('Complaint'), selects.complaint),
    h('label', { title: t('app-store reviews only') }, t('Stars'), selects.rating),
    h('label', { title: t('app-store reviews only') }, t('App version'), texts.appVersion),
    h('label', { title: t('app-store reviews only (App Store territory)') }, t('Country'), texts.country),
    h('label', { class: 'q' }, t('Search'), q),
  );
  const groupToggle = h('input', { type: 'checkbox', id: 'group-toggle', checked: params.group === '1' });
  groupToggle.addEventListener('change', () => set({ group: groupToggle.checked ? '1' : undefined }));
  filters.append(h('label', { class: 'group-toggle', title: CLUSTER_TEXT.groupHint }, groupToggle, CLUSTER_TEXT.group));
  const range = h('div', { class: 'toolbar', id: 'range' });
  const list = h('div', { class: 'list', id: 'messages' });
  const more = h('button', { type: 'button', class: 'more', id: 'more', hidden: true, on: { click: () => void loadMore() } }, t('Load more'));
  root.append(h('h1', {}, t('Messages')), filters, range, list, more);

  function renderRange() {
    clear(range);
    if (state.from || state.to) {
      range.append(
        h('span', { class: 'chip' }, `${state.from ? fmtTime(Number(state.from)) : '…'} → ${state.to ? fmtTime(Number(state.to)) : t('now')}`),
        h('button', { type: 'button', id: 'clear-range', on: { click: () => set({ from: undefined, to: undefined }) } }, t('All times')),
      );
    }
    if (state.source) range.append(h('span', { class: 'chip' }, t('source {name}', { name: state.source })), h('button', { type: 'button', on: { click: () => set({ source: undefined }) } }, '×'));
  }

  function query(extra = {}) {
    const out = { limit: PAGE, ...extra };
    for (const k of FILTERS) if (state[k]) out[k] = state[k];
    return out;
  }

  async function load() {
    renderRange();
    if (state.group === '1') return loadClusters();
    const page = await api('/api/messages', { query: query() });
    cursor = page.nextCursor;
    pagesLoaded = 1;
    clear(list);
    if (page.items.length === 0) list.append(h('p', { class: 'muted', id: 'no-messages' }, t('No messages match these filters.')));
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

  /** One row per cluster of near-duplicates: count, representative (relabel it alone), members, bulk relabel. */
  async function loadClusters() {
    const { group: _group, ...filter } = state;
    const data = await api('/api/messages/clusters', { query: filter });
    cursor = null;
    pagesLoaded = 1;
    more.hidden = true;
    clear(list);
    if (data.items.length === 0) {
      list.append(h('p', { class: 'muted', id: 'no-messages' }, CLUSTER_TEXT.noClusters));
      return;
    }
    list.append(h('p', { class: 'muted', id: 'cluster-count' }, CLUSTER_TEXT.scanned(data.clusters, data.scanned, data.complete)));
    for (const c of data.items) list.append(clusterRow(c));
  }

  function clusterRow(c) {
    const el = h('article', { class: 'card cluster-row', data: { cluster: c.id, count: c.count } });
    const rep = item(c.representative);
    const members = h('div', { class: 'members' });
    const details = c.count > 1
      ? h('details', { data: { members: c.id } }, h('summary', {}, CLUSTER_TEXT.showMembers(c.count)), members)
      : null;
    details?.addEventListener('toggle', () => {
      if (!details.open || members.childElementCount > 0) return;
      for (const m of c.members) members.append(item(m));
      if (c.count > c.members.length) members.append(h('p', { class: 'muted' }, CLUSTER_TEXT.moreMembers(c.count - c.members.length)));
    });
    put(el,
      h('div', { class: 'meta' }, h('span', { class: 'chip count', data: { field: 'count' } }, `×${c.count}`), ' ', h('span', {}, CLUSTER_TEXT.messages(c.count)), ' · ', h('span', {}, `${fmtTime(c.from)} – ${fmtTime(c.to)}`)),
      rep,
      c.count > 1 ? clusterRelabel(c, { categories: ctx.categories, onDone: async (n) => {
        await load();
        // The list was redrawn: say so at its top.
        list.prepend(h('p', { class: 'banner info', role: 'status', id: 'bulk-done' }, RELABEL_TEXT.done(n)));
      } }) : null,
      details,
    );
    return el;
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
    const source = externalLink(m.link, t('source ↗'));
    el.append(
      h('div', { class: 'meta' },
        h('time', { datetime: m.createdAt, title: m.createdAt }, fmtTime(m.createdAt)),
        h('span', { class: 'chip', data: { channel: m.channel } }, channelName(m.channel)),
        h('span', {}, m.source),
        m.lang ? h('span', {}, m.lang) : null,
        m.author ? h('span', { title: t('author (hashed)') }, m.author.slice(0, 10)) : null,
        typeof m.meta?.contact === 'string' ? h('span', { title: t('contact (masked)') }, m.meta.contact) : null,
        reviewChips(m),
        source,
      ),
      h('div', { class: 'text', lang: m.lang ?? undefined, dir: 'auto' }, highlight(m.text, terms)),
      h('div', { class: 'meta' },
        m.classification.categories.map((c) => h('span', { class: 'chip', title: t('matched: {terms}', { terms: c.terms.join(', ') }) }, `${c.name} ${Math.round(c.score * 100)}%`)),
        m.label ? h('span', { class: 'chip ok', data: { label: eff.complaint ? eff.category ?? '' : 'not' } }, t('relabelled: {label}', { label: eff.complaint ? eff.category : t('not a complaint') })) : null,
        m.classification.modelVersion ? h('span', { class: 'muted', title: t('the model version that judged it (radar classify versions)'), data: { modelVersion: m.classification.modelVersion } }, t('model {version}', { version: m.classification.modelVersion })) : null,
      ),
      actions(el, m, eff),
    );
  }

  function actions(el, m, eff) {
    const status = h('span', { class: 'muted', role: 'status' });
    const categories = [...new Set([...ctx.categories, ...m.classification.categories.map((c) => c.name), ...(eff.category ? [eff.category] : [])])].sort();
    const cat = select([['', t('— category —')], ...categories.map((c) => [c, c])], eff.category ?? '', { name: 'relabel-category', 'aria-label': t('category') });
    async function send(complaint, category) {
      status.textContent = t('saving…');
      try {
        const updated = await api(`/api/messages/${encodeURIComponent(m.id)}/label`, { method: 'POST', body: complaint ? { complaint, category } : { complaint } });
        fill(el, updated);
      } catch (error) {
        status.textContent = t('not saved: {error}', { error: error.message });
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
              status.textContent = t('choose a category');
              cat.focus();
            }
          },
        },
      }, t('Complaint')),
      h('button', { type: 'button', class: eff.complaint ? '' : 'on', 'aria-pressed': String(!eff.complaint), data: { action: 'not-complaint' }, on: { click: () => void send(false) } }, t('Not a complaint')),
      cat,
      status,
    );
  }

  return {
    // Live refresh redraws the first page only, and not while the user works in the list, paged on or
    // has a cluster open.
    refresh: () => (pagesLoaded > 1 || list.contains(document.activeElement) || list.querySelector('details[open], .confirm:not([hidden])') ? Promise.resolve() : load()),
    update(next) {
      state = pick(next);
      for (const [name, el] of Object.entries(selects)) if (document.activeElement !== el) el.value = state[name] ?? '';
      groupToggle.checked = state.group === '1';
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
    typeof rating === 'number' ? h('span', { class: `chip${rating <= 2 ? ' bad' : ''}`, data: { rating }, title: t('stars') }, `${rating} ★`) : null,
    typeof appVersion === 'string' ? h('span', { class: 'chip', data: { appVersion }, title: t('app version') }, `v${appVersion}`) : null,
    typeof (deviceModel ?? device) === 'string' ? h('span', { title: t('device') }, deviceModel ?? device) : null,
    typeof country === 'string' ? h('span', { title: t('country') }, country) : null,
  ];
}

function pick(params) {
  const out = {};
  for (const k of FILTERS) if (params[k]) out[k] = params[k];
  if (params.group === '1') out.group = '1';
  return out;
}
