// Overview: per category, complaints in the window, rate against expected, sparkline, trend; trouble first.
import { api } from '../api.js';
import { clear, fmtNum, h, select } from '../dom.js';
import { t, tp } from '../i18n.js';
import { go, hrefFor } from '../state.js';
import { banner, categoryOfSeries, channelName, CHANNELS, fetchSeries, hasTraffic, isBandAvailable, languageName, LANGS, optionList, pickStepMinutes, WINDOWS } from './common.js';

/**
 * The arrow and its colour say one thing: against normal (the detector's expected) when it is known, else
 * against the previous window. `basis` names which, for the tooltip and screen readers.
 */
export function trend(value, reference, basis) {
  const ratio = reference > 0 ? value / reference : (value + 1) / (reference + 1);
  const words = basis === 'normal' ? t('of normal') : t('of the previous window');
  const of = (arrow, cls, dir) => ({ arrow, cls, ratio, label: `${dir}: ×${fmtNum(ratio, 1)} ${words}` });
  if (ratio >= 1.5) return of('↑', 'up', t('well above'));
  if (ratio >= 1.1) return of('↗', 'up', t('above'));
  if (ratio <= 0.67) return of('↓', 'down', t('well below'));
  if (ratio <= 0.9) return of('↘', 'down', t('below'));
  return of('→', 'flat', t('about the same'));
}

/** Sparkline on a canvas: the expected band shaded, the value line, alert points in red. */
export function drawSpark(canvas, values, band) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 240;
  const height = canvas.clientHeight || 42;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const g = canvas.getContext('2d');
  if (!g || values.length === 0) return;
  g.scale(dpr, dpr);
  const all = [...values.filter((v) => v !== null)];
  if (band) for (const p of band) if (p.upper !== null) all.push(p.upper);
  const max = Math.max(1e-9, ...all);
  const x = (i) => (values.length === 1 ? width / 2 : (i / (values.length - 1)) * (width - 2) + 1);
  const y = (v) => height - 2 - (v / max) * (height - 4);
  if (band && band.length === values.length) {
    g.fillStyle = 'rgba(37, 99, 235, 0.12)';
    g.beginPath();
    let started = false;
    band.forEach((p, i) => {
      if (p.upper === null) return;
      if (!started) g.moveTo(x(i), y(p.upper));
      else g.lineTo(x(i), y(p.upper));
      started = true;
    });
    for (let i = band.length - 1; i >= 0; i--) if (band[i].lower !== null) g.lineTo(x(i), y(Math.max(0, band[i].lower)));
    g.closePath();
    if (started) g.fill();
  }
  g.strokeStyle = '#1c2430';
  g.lineWidth = 1.5;
  g.beginPath();
  values.forEach((v, i) => (i === 0 ? g.moveTo(x(i), y(v ?? 0)) : g.lineTo(x(i), y(v ?? 0))));
  g.stroke();
  if (band) {
    g.fillStyle = '#c62828';
    band.forEach((p, i) => {
      if (!p.alert) return;
      g.beginPath();
      g.arc(x(i), y(values[i] ?? 0), 2.5, 0, Math.PI * 2);
      g.fill();
    });
  }
}

export function mount(root, params, ctx) {
  const win = WINDOWS[params.window] ? params.window : '1h';
  const state = { window: win, channel: params.channel ?? '', lang: params.lang ?? '' };
  const set = (patch) => go('overview', { ...state, ...patch }, { replace: true });

  const toolbar = h('div', { class: 'toolbar' },
    h('div', { class: 'group', role: 'group', 'aria-label': t('Window') },
      Object.keys(WINDOWS).map((w) => h('button', { type: 'button', class: w === win ? 'on' : '', 'aria-pressed': String(w === win), data: { window: w }, on: { click: () => set({ window: w }) } }, w))),
    h('label', {}, t('Channel'), select(optionList(CHANNELS, t('all'), channelName), state.channel, { name: 'channel', on: { change: (e) => set({ channel: e.target.value }) } })),
    h('label', {}, t('Language'), select(optionList(LANGS, t('all'), languageName), state.lang, { name: 'lang', on: { change: (e) => set({ lang: e.target.value }) } })),
  );
  const totals = h('div', { class: 'totals', id: 'totals' });
  const notes = h('div');
  const cards = h('div', { class: 'cards', id: 'categories' });
  root.append(h('h1', {}, t('Overview')), toolbar, totals, notes, cards);

  async function refresh() {
    const summary = await api('/api/summary', { query: { window: state.window, channel: state.channel, lang: state.lang } });
    const firing = await ctx.loadAlerts('firing').catch(() => null);
    const ms = WINDOWS[state.window];
    const to = summary.to;
    const from = to - ms;
    const stepMinutes = pickStepMinutes(ms, 60);
    const rate = await hasTraffic();
    const rows = await Promise.all(
      summary.categories.map(async (c) => {
        let series = null;
        try {
          series = await fetchSeries(`complaints.${c.category}`, { from, to, stepMinutes, rate });
        } catch {
          series = null;
        }
        const band = series?.band ?? null;
        // Expected over the window: the detector's expected values summed, against what came.
        const scored = band ? band.filter((p) => p.expected !== null && p.value !== null) : [];
        const expected = scored.length > 0 ? { value: scored.reduce((a, p) => a + p.value, 0), expected: scored.reduce((a, p) => a + p.expected, 0) } : null;
        const alerted = band ? band.some((p) => p.alert) : false;
        const alertFiring = (firing ?? []).some((a) => a.state === 'firing' && a.members.some((m) => categoryOfSeries(m.series) === c.category));
        const vsPrevious = trend(c.count, c.previous, 'previous');
        const arrow = expected && expected.expected > 0 ? trend(expected.value, expected.expected, 'normal') : vsPrevious;
        const trouble = alertFiring || alerted || (!band && c.count >= 5 && vsPrevious.ratio >= 2);
        return { c, series, band, expected, trouble, alertFiring, alerted, arrow };
      }),
    );
    rows.sort((a, b) => Number(b.trouble) - Number(a.trouble) || b.c.count - a.c.count || a.c.category.localeCompare(b.c.category));

    clear(totals).append(
      h('span', {}, h('b', { text: fmtNum(summary.total) }), ` ${t('complaints in {window}', { window: state.window })}`),
      h('span', {}, h('b', { text: fmtNum(summary.traffic) }), ` ${t('{reference} in {window}', { reference: summary.reference, window: state.window })}`),
      h('span', {}, h('b', { text: String(rows.filter((r) => r.trouble).length) }), ` ${tp(rows.filter((r) => r.trouble).length, { one: 'category in trouble', other: 'categories in trouble' })}`),
    );
    clear(notes);
    if (!isBandAvailable()) notes.append(banner('info', t('Expected bands are not available (the detector does not run in this api process); trends compare with the previous window.'), 'no-band'));
    if (state.channel || state.lang) notes.append(banner('info', t('Counts are filtered; sparklines show all channels and languages.')));
    clear(cards);
    if (rows.length === 0) cards.append(h('p', { class: 'muted', id: 'no-categories' }, t('No complaints in the last {window}.', { window: state.window })));
    for (const r of rows) cards.append(card(r, { from, to, state }));
    requestAnimationFrame(() => {
      for (const r of rows) {
        const canvas = cards.querySelector(`canvas[data-category="${CSS.escape(r.c.category)}"]`);
        if (!canvas || !r.series) continue;
        const values = r.band ? r.band.map((p) => p.value) : r.series.points.map((p) => p.v);
        drawSpark(canvas, values, r.band);
      }
    });
  }

  return { refresh };
}

function card(r, { from, to, state }) {
  const { c, expected, arrow } = r;
  const messagesHref = hrefFor('messages', { category: c.category, complaint: 'true', from, to, channel: state.channel, lang: state.lang });
  const ratio = expected && expected.expected > 0 ? expected.value / expected.expected : null;
  const expectedRate = c.rate !== null && ratio ? c.rate / ratio : null;
  const rateLine = expected
    ? [
        expectedRate !== null ? t('expected {n} per million', { n: fmtNum(expectedRate, 1) }) : t('expected {n}', { n: fmtNum(expected.expected, 1) }),
        ratio !== null ? t('×{ratio} of normal', { ratio: fmtNum(ratio, 1) }) : null,
        t('{n} in the previous {window}', { n: fmtNum(c.previous), window: state.window }),
      ].filter((x) => x !== null).join(' · ')
    : `${t('{n} in the previous {window}', { n: fmtNum(c.previous), window: state.window })} (×${fmtNum(arrow.ratio, 1)})`;
  return h('article', { class: `card cat${r.trouble ? ' trouble' : ''}`, data: { category: c.category, trouble: r.trouble ? '1' : '0' } },
    h('div', { class: 'head' },
      h('a', { class: 'name', href: hrefFor('timeline', { category: c.category, range: state.window === '15m' ? '6h' : state.window === '7d' ? '7d' : '24h' }), title: t('Open the timeline'), text: c.category }),
      r.alertFiring
        ? h('span', { class: 'chip bad', text: t('alert firing') })
        // the detector flagged points in this window (they may be over): say that, not "rising"
        : r.alerted ? h('span', { class: 'chip warn', title: t('The detector flagged points in this window'), text: t('anomalies') })
        : r.trouble ? h('span', { class: 'chip bad', text: t('rising') }) : null,
      // Too little history to know its normal: shown, never paged (the detector's stored verdict).
      r.series?.learning === true ? h('span', { class: 'chip', title: t('Less history than detect.learning: this category pages nobody yet'), text: t('learning') }) : null,
    ),
    h('div', { class: 'head' },
      h('a', { class: 'count', href: messagesHref, title: t('Show these messages'), data: { count: c.count }, text: fmtNum(c.count) }),
      h('span', { class: `trend ${arrow.cls}`, title: arrow.label, 'aria-label': `${t('trend')} ${arrow.cls}, ${arrow.label}`, text: arrow.arrow }),
    ),
    h('div', { class: 'line', text: c.rate === null ? t('{share} % of complaints', { share: fmtNum(c.share * 100) }) : `${t('{n} per million visits', { n: fmtNum(c.rate, 1) })} · ${t('{share} % of complaints', { share: fmtNum(c.share * 100) })}` }),
    h('div', { class: 'line', text: rateLine }),
    h('canvas', { class: 'spark', data: { category: c.category }, role: 'img', 'aria-label': t('{category} over the window', { category: c.category }) }),
    h('div', { class: 'terms' }, c.topTerms.map((term) => h('span', { class: 'chip', title: tp(term.count, { one: '{n} message', other: '{n} messages' }), text: term.term }))),
  );
}
