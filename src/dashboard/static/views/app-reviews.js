// App reviews per version (GET /api/reviews/versions): one bar per app version over the window, its
// length the number of reviews, its red part the 1–2 star share. A crash in one release shows as one
// long, red bar. Each bar opens the Messages view filtered to that version (the red part: its low
// ratings). Store data is text only (h()); widths go through the CSSOM, never markup.
import { api } from '../api.js';
import { clear, fmtNum, h, select } from '../dom.js';
import { t } from '../i18n.js';
import { hrefFor } from '../state.js';

const WINDOWS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
// The versions the messages filter accepts (the API's reviewFilters.appVersion).
const LINKABLE = /^[\p{L}\p{N} ._+()-]{1,100}$/u;

export function versionPanel() {
  let window = '7d';
  const body = h('div', { id: 'review-versions-chart', class: 'bars' });
  const picker = select(Object.keys(WINDOWS).map((w) => [w, w]), window, { name: 'review-window', 'aria-label': t('window') });
  const el = h('section', { id: 'review-versions', class: 'card', hidden: true },
    h('h2', {}, t('App reviews by version'), ' ', picker),
    h('p', { class: 'muted' }, t('Reviews per app version (bar length) and their 1–2 star share (red). App Store reviews carry no version: they are under “no version”.')),
    body,
  );
  picker.addEventListener('change', () => {
    window = picker.value;
    void refresh();
  });

  async function refresh() {
    const data = await api('/api/reviews/versions', { query: { window } });
    clear(body);
    el.hidden = data.items.length === 0 && window === '7d';
    if (data.items.length === 0) {
      body.append(h('p', { class: 'muted', id: 'no-review-versions' }, t('No app reviews in this window.')));
      return;
    }
    const max = Math.max(...data.items.map((i) => i.reviews));
    const from = Date.parse(data.from);
    const to = Date.parse(data.to);
    for (const item of data.items) {
      const version = item.appVersion;
      const label = version === null ? t('no version') : version;
      const linkable = version !== null && LINKABLE.test(version);
      const bar = h('span', { class: 'bar', title: t('{reviews} reviews, {low} with 1–2 stars', { reviews: fmtNum(item.reviews), low: fmtNum(item.lowRating) }) });
      bar.style.width = `${Math.max(2, (item.reviews / max) * 100)}%`;
      const low = h('span', { class: 'bar-low' });
      const share = t('{share}% low', { share: Math.round(item.lowRatingShare * 100) });
      low.style.width = `${item.lowRatingShare * 100}%`;
      bar.append(low);
      const all = { channel: 'appstore', from, to, ...(linkable ? { appVersion: version } : {}) };
      body.append(h('div', { class: 'bar-row', data: { version: version ?? '', reviews: item.reviews, low: item.lowRating } },
        linkable ? h('a', { href: hrefFor('messages', all), class: 'bar-label' }, label) : h('span', { class: 'bar-label' }, label),
        h('span', { class: 'bar-track' }, bar),
        h('span', { class: 'bar-num' }, `${fmtNum(item.reviews)} · `,
          linkable ? h('a', { href: hrefFor('messages', { ...all, rating: '1,2' }), data: { role: 'low' } }, share) : share,
          item.meanRating === null ? null : ` · ★${fmtNum(item.meanRating, 1)}`),
      ));
    }
  }

  return { el, refresh };
}
