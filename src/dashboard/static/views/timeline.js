// Timeline: complaint rate per category (uPlot), or one watched metric, traffic beside it, the expected band,
// anomalies and alerts marked; under a series that normally follows traffic, its decoupling lane (the stored
// correlation with traffic, the threshold marked). Drag to zoom (the range goes into the URL); click a point to
// list its messages.
import { api } from '../api.js';
import { clear, fmtNum, fmtTime, h, select } from '../dom.js';
import { go } from '../state.js';
import { t, tp } from '../i18n.js';
import { categoryOfSeries, fetchSeries, hasTraffic, isBandAvailable, banner, optionList, pickStepMinutes, reasonText } from './common.js';

/** Series the service counts itself (complaints, messages): shown by category, never in the metric list. */
const COUNTER_SERIES = /^(complaints|messages)(\.|$)/;

const RANGES = { '6h': 6 * 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };
const COLORS = ['#2563eb', '#c62828', '#2e7d32', '#8e24aa', '#ef6c00', '#00838f', '#6d4c41', '#ad1457', '#546e7a', '#9e9d24'];

export function mount(root, params, ctx) {
  const range = RANGES[params.range] ? params.range : '24h';
  const zoomed = params.from !== undefined && params.to !== undefined && Number(params.from) < Number(params.to);
  const state = { range, category: params.category ?? '', series: params.series ?? '', from: zoomed ? Number(params.from) : undefined, to: zoomed ? Number(params.to) : undefined };
  const set = (patch, replace = true) => go('timeline', { ...state, ...patch }, { replace });

  // Watched series other than the complaint counters (traffic, pushed or pulled service metrics).
  const metricSelect = select(optionList(state.series ? [state.series] : [], t('complaints')), state.series, { name: 'series', on: { change: (e) => set({ series: e.target.value }) } });
  api('/api/series')
    .then(({ series }) => {
      const keys = series.filter((s) => s.state !== 'unwatched' && !COUNTER_SERIES.test(s.key)).map((s) => s.key);
      for (const key of keys) if (key !== state.series) metricSelect.append(h('option', { value: key }, key));
    })
    .catch(() => undefined);
  const toolbar = h('div', { class: 'toolbar' },
    h('div', { class: 'group', role: 'group', 'aria-label': t('Range') },
      Object.keys(RANGES).map((r) => h('button', { type: 'button', class: r === range && !zoomed ? 'on' : '', data: { range: r }, on: { click: () => set({ range: r, from: undefined, to: undefined }) } }, r))),
    h('label', {}, t('Category'), select(optionList(ctx.categories, t('all categories')), state.category, { name: 'category', disabled: state.series !== '', on: { change: (e) => set({ category: e.target.value }) } })),
    h('label', {}, t('Metric'), metricSelect),
    zoomed ? h('button', { type: 'button', id: 'reset-zoom', on: { click: () => set({ from: undefined, to: undefined }) } }, t('Reset zoom')) : null,
    h('span', { class: 'muted' }, t('Drag on the chart to zoom; click a point to see its messages.')),
  );
  const notes = h('div');
  const main = h('div', { class: 'chart', id: 'complaints-chart' });
  const traffic = h('div', { class: 'chart', id: 'traffic-chart' });
  const lanes = h('div', { id: 'decoupling-lanes' });
  const marks = h('div', { class: 'marks', id: 'marks' });
  root.append(h('h1', {}, t('Timeline')), toolbar, notes, main, lanes, marks, traffic);

  let plots = [];
  const onResize = () => {
    for (const p of plots) p.setSize({ width: p.root.parentElement.clientWidth - 16, height: p.height });
  };
  window.addEventListener('resize', onResize);

  async function refresh() {
    const to = state.to ?? Date.now();
    const from = state.from ?? to - RANGES[range];
    const stepMinutes = pickStepMinutes(to - from, 400);
    const stepMs = stepMinutes * 60_000;
    const rate = await hasTraffic();
    // One watched metric (its own units, judged by the detector), or the complaint categories.
    const metric = state.series || null;
    const cats = metric ? [metric] : state.category ? [state.category] : await ctx.loadCategories();
    const series = await Promise.all(cats.map((c) => fetchSeries(metric ?? `complaints.${c}`, { from, to, stepMinutes, rate: metric ? false : rate }).catch(() => null)));
    const trafficSeries = rate ? await fetchSeries('traffic', { from, to, stepMinutes, band: false }).catch(() => null) : null;
    // One category or metric shown: only its alerts, in the chart and in the list under it.
    const shownKeys = cats.map((c) => metric ?? `complaints.${c}`);
    const alerts = ((await ctx.loadAlerts().catch(() => null)) ?? [])
      .filter((a) => (a.endedAt ?? Infinity) >= from && a.startsAt <= to)
      .filter((a) => !(metric || state.category) || (a.members ?? []).some((m) => shownKeys.includes(m.series)));

    const first = series.find((s) => s !== null);
    const alignedFrom = first ? first.from : Math.floor(from / stepMs) * stepMs;
    const xs = [];
    for (let t = alignedFrom; t < to; t += stepMs) xs.push(t);
    const index = new Map(xs.map((t, i) => [t, i]));
    const column = (points, pick) => {
      const out = new Array(xs.length).fill(null);
      for (const p of points ?? []) {
        const i = index.get(p.t);
        if (i !== undefined) out[i] = pick(p);
      }
      return out;
    };

    for (const p of plots) p.destroy();
    plots = [];
    clear(notes);
    clear(main);
    clear(lanes);
    clear(marks);
    clear(traffic);
    if (!isBandAvailable()) notes.append(banner('info', t('Expected band not available: the detector does not run in this api process.'), 'no-band'));

    // Small multiples: one row per category (or the one metric), each with its own scale, its own band and
    // its own alerts, all in the unit Overview uses. The detector stores its band in the series' own units
    // (counts per bucket); shown as a rate, the band is divided by the same traffic as the values.
    const trafficAt = new Map((trafficSeries?.points ?? []).map((p) => [p.t, p.v]));
    const perRate = (t) => {
      const visits = trafficAt.get(t);
      return visits !== undefined && visits > 0 ? 1_000_000 / visits : null;
    };
    const shownAsRate = rate && !metric;
    const unit = metric ? t('per {n} min', { n: stepMinutes }) : shownAsRate ? t('complaints per million visits') : t('complaints per {n} min', { n: stepMinutes });
    const axisLabel = metric ? metric : shownAsRate ? t('per million visits') : t('complaints');
    main.append(h('h2', { text: metric ? `${metric} (${unit})` : t('Complaints ({unit})', { unit }) }));
    if (cats.length > 1) {
      main.append(h('p', { class: 'muted legend-key' },
        t('Each row has its own scale. Line: what came; dashed: expected; shaded: the band the detector expects; red dot: anomalous point; red dashed line: an alert began.')));
    }
    const width = main.clientWidth - 16;
    const single = cats.length === 1;
    const height = single ? (window.innerWidth < 640 ? 240 : 340) : 120;
    const anomalies = [];
    const data = [xs.map((t) => t / 1000)];
    cats.forEach((cat, i) => {
      const s = series[i];
      const key = metric ?? `complaints.${cat}`;
      const values = column(s?.points, (p) => p.v);
      data.push(values);
      const inUnit = (pick) => column(s?.band, (p) => {
        const v = pick(p);
        if (v === null || v === undefined) return null;
        if (!shownAsRate) return v;
        const f = perRate(p.t);
        return f === null ? null : v * f;
      });
      const rowAlerts = alerts.filter((a) => (a.members ?? []).some((m) => m.series === key));
      const rowAnomalies = (s?.band ?? []).filter((p) => p.alert && p.value !== null);
      for (const p of rowAnomalies) {
        const f = shownAsRate ? perRate(p.t) : 1;
        anomalies.push({ cat, t: p.t, value: f === null ? p.value : p.value * f, expected: p.expected === null ? null : f === null ? p.expected : p.expected * f, reason: p.reason });
      }
      const anomalyColumn = new Array(xs.length).fill(null);
      for (const p of rowAnomalies) {
        const at = index.get(p.t);
        if (at !== undefined) anomalyColumn[at] = values[at];
      }
      const row = h('section', { class: 'multiple', data: { series: key, category: metric ? undefined : cat } });
      const firing = rowAlerts.some((a) => a.state === 'firing');
      row.append(h('h3', {},
        h('span', { text: metric ?? cat }),
        firing ? h('span', { class: 'chip bad', text: t('alert firing') }) : rowAnomalies.length > 0 ? h('span', { class: 'chip warn', text: tp(rowAnomalies.length, { one: '{n} anomalous point', other: '{n} anomalous points' }) }) : null,
      ));
      main.append(row);
      const uSeries = [{}, { label: metric ?? cat, stroke: '#2563eb', width: 1.5, value: (_u, v) => fmtNum(v, 2) }];
      const rowData = [data[0], values];
      const bands = [];
      if (s?.band) {
        rowData.push(inUnit((p) => p.expected), inUnit((p) => p.upper), inUnit((p) => (p.lower === null ? null : Math.max(0, p.lower))));
        uSeries.push(
          { label: t('expected'), stroke: '#7a8899', dash: [4, 4], width: 1, value: (_u, v) => fmtNum(v, 2) },
          { label: t('upper'), stroke: 'rgba(37,99,235,0.25)', width: 1, value: (_u, v) => fmtNum(v, 2) },
          { label: t('lower'), stroke: 'rgba(37,99,235,0.25)', width: 1, value: (_u, v) => fmtNum(v, 2) },
        );
        bands.push({ series: [3, 4], fill: 'rgba(37,99,235,0.10)' });
      }
      rowData.push(anomalyColumn);
      // Anomalies are red dots and listed under the chart in words: colour is never the only signal.
      uSeries.push({ label: t('anomaly'), stroke: '#c62828', fill: '#c62828', width: 0, paths: () => null, points: { show: true, size: 9, fill: '#c62828', stroke: '#c62828' } });
      const plot = new window.uPlot(
        {
          width,
          // the last row also carries the time axis: taller by the axis, so every row's plot is as high
          height: single || i < cats.length - 1 ? height : height + 50,
          series: uSeries,
          bands,
          scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(max * 1.1, 1e-6)] } },
          axes: [{ show: single || i === cats.length - 1 }, single ? { label: axisLabel, size: 60 } : { size: 60 }],
          cursor: { drag: { x: true, y: false, setScale: false }, sync: { key: 'timeline' } },
          legend: { live: true, show: single },
          hooks: {
            setSelect: [
              (u) => {
                if (u.select.width < 8) return;
                const a = Math.round(u.posToVal(u.select.left, 'x') * 1000);
                const b = Math.round(u.posToVal(u.select.left + u.select.width, 'x') * 1000);
                u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
                if (b - a >= 2 * 60_000) set({ from: a, to: b }, false);
              },
            ],
            draw: [(u) => drawAlerts(u, rowAlerts)],
          },
        },
        rowData,
        row,
      );
      plots.push(plot);
      // A click (not a drag) on a point lists that bucket's messages of this row's category.
      let downX = null;
      plot.over.addEventListener('mousedown', (e) => (downX = e.clientX));
      plot.over.addEventListener('mouseup', (e) => {
        if (downX === null || Math.abs(e.clientX - downX) > 4) return;
        const idx = plot.cursor.idx;
        if (idx === null || idx === undefined) return;
        const t = xs[idx];
        if (metric) return go('messages', { complaint: 'true', from: t, to: t + stepMs });
        go('messages', { complaint: 'true', category: cat, from: t, to: t + stepMs });
      });
    });
    main.dataset.from = String(xs[0] ?? from);
    main.dataset.to = String(xs.at(-1) ?? to);
    main.dataset.step = String(stepMs);
    main.dataset.unit = unit;

    if (anomalies.length > 0 || alerts.length > 0) {
      marks.append(h('span', { class: 'muted' }, `${t('Marked:')} `));
      // consecutive anomalous buckets of one category are one episode: its peak, and its messages
      const episodes = [];
      for (const a of [...anomalies].sort((x, y) => x.cat.localeCompare(y.cat) || x.t - y.t)) {
        const last = episodes.at(-1);
        if (last && last.cat === a.cat && a.t - last.end <= stepMs) {
          last.end = a.t;
          if (a.value > last.peak.value) last.peak = a;
        } else episodes.push({ cat: a.cat, start: a.t, end: a.t, peak: a });
      }
      episodes.sort((x, y) => x.start - y.start);
      for (const e of episodes.slice(-20)) {
        const span = e.end > e.start ? `${fmtTime(e.start)}–${fmtTime(e.end + stepMs)}` : fmtTime(e.start);
        marks.append(h('button', {
          type: 'button',
          class: 'anomaly',
          data: { t: e.start, category: e.cat },
          on: { click: () => go('messages', { complaint: 'true', category: metric ? undefined : e.cat, from: e.start, to: e.end + stepMs }) },
        }, `${span} ${e.cat}: ${e.peak.expected === null ? t('peak {value}', { value: fmtNum(e.peak.value, 1) }) : t('peak {value} vs {expected} expected', { value: fmtNum(e.peak.value, 1), expected: fmtNum(e.peak.expected, 1) })} ${unit}${e.peak.reason ? ` (${reasonText(e.peak.reason)})` : ''}`));
      }
      for (const al of alerts) {
        const cat = categoryOfSeries(al.members?.[0]?.series);
        marks.append(h('button', {
          type: 'button',
          data: { alert: al.id },
          on: { click: () => go('alerts', { id: al.id }) },
        }, `⚑ ${fmtTime(al.startsAt)} ${al.rule}${cat ? ` · ${cat}` : ''} (${t(al.state)})`));
      }
    } else marks.append(h('span', { class: 'muted' }, t('No anomalies or alerts in this range.')));

    // A decoupling lane under the chart for each series judged against a reference it normally follows.
    cats.forEach((cat, i) => {
      const s = series[i];
      if (!s?.band || !s.decoupling?.follows) return;
      plots.push(drawDecouplingLane(lanes, s, metric ?? `complaints.${cat}`, { xs: data[0], column, width, height: single ? Math.round(height * 0.45) : 150 }));
    });

    if (trafficSeries) {
      traffic.append(h('h2', { text: t('Traffic ({key}, per {n} min)', { key: trafficSeries.key, n: stepMinutes }) }));
      plots.push(new window.uPlot(
        {
          width,
          height: single ? Math.round(height * 0.6) : 180,
          series: [{}, { label: t('traffic'), stroke: '#546e7a', fill: 'rgba(84,110,122,0.08)', width: 1.5, value: (_u, v) => fmtNum(v) }],
          scales: { x: { time: true } },
          axes: [{}, { label: t('visits'), size: 60 }],
          cursor: { drag: { x: false, y: false }, sync: { key: 'timeline' } },
        },
        [data[0], column(trafficSeries.points, (p) => p.v)],
        traffic,
      ));
    }
  }

  return {
    refresh,
    destroy() {
      window.removeEventListener('resize', onResize);
      for (const p of plots) p.destroy();
    },
  };
}

/**
 * The decoupling lane of one series: the rolling correlation with its reference the detector stored per point
 * (−1..1), the threshold under which the series no longer moves with it marked as a dashed line, the points
 * under it in red.
 */
function drawDecouplingLane(parent, s, key, { xs, column, width, height }) {
  const { reference, threshold } = s.decoupling;
  const lane = h('section', { class: 'chart decoupling-lane', data: { series: key, reference, threshold } });
  lane.append(
    h('h2', { text: t('Decoupling: {key} vs {reference}', { key, reference }) }),
    h('p', { class: 'muted', text: t('Correlation with {reference} over about 30 points; under {threshold}, {key} no longer moves with {reference}.', { reference, key, threshold: fmtNum(threshold, 2) }) }),
  );
  parent.append(lane);
  const correlation = column(s.band, (p) => p.correlation);
  const under = correlation.map((v) => (v !== null && v < threshold ? v : null));
  return new window.uPlot(
    {
      width,
      height,
      series: [
        {},
        { label: t('correlation with {reference}', { reference }), stroke: '#00838f', width: 1.5, value: (_u, v) => fmtNum(v, 2) },
        { label: t('threshold'), stroke: '#c62828', dash: [6, 4], width: 1, value: (_u, v) => fmtNum(v, 2) },
        { label: t('decoupled'), stroke: '#c62828', width: 0, paths: () => null, points: { show: true, size: 5, fill: '#c62828', stroke: '#c62828' }, value: (_u, v) => fmtNum(v, 2) },
      ],
      scales: { x: { time: true }, y: { range: [-1, 1] } },
      axes: [{}, { label: t('correlation'), size: 60 }],
      cursor: { drag: { x: false, y: false }, sync: { key: 'timeline' } },
    },
    [xs, correlation, xs.map(() => threshold), under],
    lane,
  );
}

function drawAlerts(u, alerts) {
  const g = u.ctx;
  g.save();
  g.strokeStyle = '#c62828';
  g.setLineDash([5, 4]);
  g.lineWidth = 1.5 * (window.devicePixelRatio || 1);
  for (const a of alerts) {
    const x = u.valToPos(a.startsAt / 1000, 'x', true);
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
    g.beginPath();
    g.moveTo(x, u.bbox.top);
    g.lineTo(x, u.bbox.top + u.bbox.height);
    g.stroke();
  }
  g.restore();
}
