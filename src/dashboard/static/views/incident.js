// Incident page (`#/incidents/<id>`, where notification links land): what is wrong in one sentence, owner
// and state, acknowledge / resolve / hand over (each confirmed first), the series with the band that
// fired and the onset marked, channels and languages, rising words, the near-duplicate clusters, the
// related series, the notes thread, the history, and "copy summary" (plain text for a status page or chat).
// Everything from the API goes into the page as text (dom.js `h`), SVG shapes only from numbers.
import { api, ApiError } from '../api.js';
import { clear, fmtNum, fmtTime, h, put } from '../dom.js';
import { hrefFor } from '../state.js';
import { EVENT_TEXT, VIA_TEXT } from './alerts.js';
import { RELABEL_TEXT, banner, categoryOfSeries, channelName, clusterRelabel, languageName, seriesLabel } from './common.js';
import { currentLanguage, t } from '../i18n.js';

/** Every user-visible string of this view, through the catalogue (i18n.js): getters, so the language is the one chosen at boot. */
export const TEXT = {
  get title() { return t('Incident'); },
  get loading() { return t('Loading…'); },
  missing: (id) => t('There is no incident {id} (it may have been pruned by retention).', { id }),
  joinedNote: (id) => t('The alert {id} joined this incident; this is the incident\'s page.', { id }),
  get owner() { return t('owner'); },
  get nobody() { return t('nobody'); },
  get notAcked() { return t('not acknowledged'); },
  ackedBy: (who, at) => t('acknowledged by {who} at {at}', { who, at }),
  started: (at) => t('started {at}', { at }),
  ended: (at) => t('ended {at}', { at }),
  get acknowledge() { return t('Acknowledge'); },
  get resolve() { return t('Resolve'); },
  get handOver() { return t('Hand over'); },
  get handOverTo() { return t('hand over to'); },
  get choosePerson() { return t('— person —'); },
  confirmAck: (me) => t('Acknowledge this incident as {me}? Escalation and repeats stop.', { me }),
  get confirmResolve() { return t('Resolve this incident now? No resolved notification is sent; the next anomaly opens a new alert.'); },
  confirmHandOver: (who) => t('Hand this incident over to {who}? They own it from now.', { who }),
  get confirm() { return t('Confirm'); },
  get cancel() { return t('Cancel'); },
  acked: (who, at) => t('Acknowledged by {who} at {at}.', { who, at }),
  alreadyAcked: (who, at) => t('Already acknowledged by {who} at {at}.', { who, at }),
  get resolved() { return t('Resolved.'); },
  handedOver: (who) => t('Handed over to {who}.', { who }),
  failed: (what, why) => t('{what} failed: {why}', { what, why }),
  get copy() { return t('Copy summary'); },
  get copied() { return t('Summary copied to the clipboard.'); },
  get copyFailed() { return t('Could not copy; select the text below and copy it.'); },
  get summary() { return t('Summary (plain text)'); },
  get series() { return t('The series'); },
  onset: (at) => t('onset {at}', { at }),
  band: (lower, upper, expected) => t('band that fired: {lower}–{upper} (expected {expected})', { lower, upper, expected }),
  chartLabel: (label) => t('{label}: values, the detector\'s band, the onset', { label }),
  get anomalous() { return t('anomalous point'); },
  size: (count, expected, ratio) => `${t('{count} since the onset against {expected} expected', { count, expected })}${ratio ? ` (×${ratio})` : ''}`,
  get channels() { return t('Channels'); },
  get languages() { return t('Languages'); },
  get risingWords() { return t('Rising words'); },
  get noRising() { return t('No word rose against the baseline.'); },
  get clusters() { return t('Most representative messages'); },
  clustersNote: (scanned, complete) => `${t('near-duplicates collapsed, from the newest {scanned} complaints of the incident', { scanned })}${complete ? '' : ` ${t('(older ones not read)')}`}`,
  get noMessages() { return t('No complaint messages in the incident window.'); },
  similar: (n) => t('{n} similar', { n }),
  get inMessages() { return t('open in Messages'); },
  get related() { return t('Related series'); },
  get noRelated() { return t('No other series moved with it.'); },
  get joined() { return t('joined this incident'); },
  get correlated() { return t('moved at the same time'); },
  lead: (min) => (min === 0 ? '' : min < 0 ? t('started {n} min earlier', { n: -min }) : t('started {n} min later', { n: min })),
  get alerts() { return t('Alerts in this incident'); },
  get notes() { return t('Notes'); },
  get noNotes() { return t('No notes yet.'); },
  get notePlaceholder() { return t('What was done, what is known (visible to everyone with dashboard access)'); },
  get addNote() { return t('Add note'); },
  get noteSaved() { return t('Note added.'); },
  get noteEmpty() { return t('Write something first.'); },
  get history() { return t('History'); },
  get noEvents() { return t('No events recorded.'); },
  eventBy: (who, via) => t(' by {who} via {via}', { who, via }),
  get timeline() { return t('timeline'); },
};

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element from numbers and fixed names (never text from the API as markup). */
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

/**
 * The series with its stored band (shaded), the band that fired (dashed), the onset (a line with a
 * label), anomalous points (dots with a title): colour is never the only signal.
 */
function chart(points, { onset, band, label, height = 180 }) {
  const W = 800;
  const H = height;
  const pad = 4;
  const usable = points.filter((p) => p.value !== null || p.upper !== null);
  if (usable.length === 0) return h('p', { class: 'muted' }, '–');
  const t0 = usable[0].t;
  const t1 = Math.max(usable[usable.length - 1].t, t0 + 1);
  const max = Math.max(1e-9, ...usable.map((p) => Math.max(p.value ?? 0, p.upper ?? 0)), band?.upper ?? 0);
  const x = (t) => pad + ((t - t0) / (t1 - t0)) * (W - 2 * pad);
  const y = (v) => H - pad - (v / max) * (H - 2 * pad - 14);
  const withBand = usable.filter((p) => p.upper !== null && p.lower !== null);
  const el = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': TEXT.chartLabel(label), class: 'incident-chart', preserveAspectRatio: 'none' });
  if (withBand.length > 1) {
    const top = withBand.map((p) => `${x(p.t).toFixed(1)},${y(p.upper).toFixed(1)}`);
    const bottom = [...withBand].reverse().map((p) => `${x(p.t).toFixed(1)},${y(p.lower).toFixed(1)}`);
    el.appendChild(svg('polygon', { points: [...top, ...bottom].join(' '), class: 'band' }));
  }
  if (band && Number.isFinite(band.upper)) {
    el.appendChild(svg('line', { x1: pad, x2: W - pad, y1: y(band.upper), y2: y(band.upper), class: 'fired-band' }));
  }
  const line = usable.filter((p) => p.value !== null).map((p) => `${x(p.t).toFixed(1)},${y(p.value).toFixed(1)}`);
  if (line.length > 1) el.appendChild(svg('polyline', { points: line.join(' '), class: 'value' }));
  for (const p of usable) {
    if (p.alert && p.value !== null) el.appendChild(svg('circle', { cx: x(p.t), cy: y(p.value), r: 3, class: 'anomaly' }, svg('title', {}, `${TEXT.anomalous} ${fmtTime(p.t)}: ${fmtNum(p.value, 2)}`)));
  }
  if (onset !== null && onset !== undefined && onset >= t0 && onset <= t1) {
    el.appendChild(svg('line', { x1: x(onset), x2: x(onset), y1: pad, y2: H - pad, class: 'onset', 'data-onset': onset }));
    el.appendChild(svg('text', { x: Math.min(x(onset) + 4, W - 120), y: 14, class: 'onset-label' }, TEXT.onset(fmtTime(onset))));
  }
  return el;
}

export function mount(root, params, ctx) {
  const id = params.id;
  const heading = h('h1', { id: 'incident-headline' }, TEXT.loading);
  const notice = h('div', { id: 'incident-notice' });
  const meta = h('div', { class: 'meta incident-meta', id: 'incident-meta' });
  const status = h('p', { class: 'muted', role: 'status', id: 'incident-status' });
  const confirmBox = h('div', { class: 'confirm', id: 'incident-confirm', hidden: true, role: 'alertdialog', 'aria-live': 'polite' });
  const actions = h('div', { class: 'actions', id: 'incident-actions' });
  const summaryText = h('pre', { class: 'summary-text', id: 'summary-text' });
  const copyStatus = h('span', { class: 'muted', role: 'status', id: 'copy-status' });
  const copyButton = h('button', { type: 'button', id: 'copy-summary', on: { click: () => void copySummary() } }, TEXT.copy);
  const seriesBox = h('section', { class: 'card', id: 'incident-series' });
  const splitBox = h('section', { class: 'card split', id: 'incident-split' });
  const clustersBox = h('section', { class: 'card', id: 'incident-clusters' });
  const relatedBox = h('section', { class: 'card', id: 'incident-related' });
  const notesList = h('ol', { class: 'notes', id: 'incident-notes' });
  const noteText = h('textarea', { id: 'note-text', rows: '3', maxlength: '4000', placeholder: TEXT.notePlaceholder, 'aria-label': TEXT.notes });
  const noteStatus = h('span', { class: 'muted', role: 'status', id: 'note-status' });
  const noteButton = h('button', { type: 'button', class: 'primary', id: 'add-note', on: { click: () => void addNote() } }, TEXT.addNote);
  const historyList = h('div', { id: 'incident-history' });
  const alertsBox = h('div', { id: 'incident-alerts' });

  root.append(
    heading,
    notice,
    meta,
    h('div', { class: 'card incident-top' }, actions, confirmBox, status, h('div', { class: 'actions' }, copyButton, copyStatus), h('details', { id: 'summary-details' }, h('summary', {}, TEXT.summary), summaryText)),
    seriesBox,
    splitBox,
    clustersBox,
    relatedBox,
    h('section', { class: 'card' }, h('h2', {}, TEXT.notes), notesList, noteText, h('div', { class: 'actions' }, noteButton, noteStatus)),
    h('section', { class: 'card' }, h('h2', {}, TEXT.alerts), alertsBox, h('h2', {}, TEXT.history), historyList),
  );

  let data = null;

  async function refresh() {
    // Not while a person is confirming an action or choosing a cluster's category: the page would move
    // under them (the note being typed is never redrawn).
    if (!confirmBox.hidden || clustersBox.contains(document.activeElement)) return;
    let next;
    try {
      // headline and summary in the UI's language (the API's wording, times in the on-call time zone)
      next = await api(`/api/incidents/${encodeURIComponent(id)}`, { query: { lang: currentLanguage() } });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        put(notice, banner('warn', TEXT.missing(id), 'incident-missing'));
        heading.textContent = TEXT.title;
        return;
      }
      throw error;
    }
    data = next;
    render();
  }

  function render() {
    const d = data;
    document.title = `${d.headline} · complaint-radar`;
    heading.textContent = d.headline;
    clear(notice);
    if (d.requestedId !== d.id) notice.append(banner('info', TEXT.joinedNote(d.requestedId), 'incident-joined'));
    const a = d.alert;
    const acked = a.acknowledgedAt !== null && a.acknowledgedAt !== undefined;
    put(meta, 
      h('span', { class: `chip ${a.state === 'firing' ? 'bad' : a.state === 'pending' ? 'warn' : 'ok'}`, data: { field: 'state' } }, a.state),
      h('span', { class: 'chip' }, a.severity),
      h('span', { data: { field: 'owner' } }, `${TEXT.owner}: ${d.owner?.name ?? TEXT.nobody}`),
      h('span', { data: { field: 'ack' } }, acked ? TEXT.ackedBy(d.acknowledgedBy?.name ?? a.acknowledgedBy, fmtTime(a.acknowledgedAt)) : TEXT.notAcked),
      h('span', {}, TEXT.started(fmtTime(a.startsAt))),
      a.endedAt ? h('span', {}, TEXT.ended(fmtTime(a.endedAt))) : null,
    );
    renderActions(d);
    summaryText.textContent = d.summaryText;
    renderSeries(d);
    renderSplit(d);
    renderClusters(d);
    renderRelated(d);
    renderNotes(d.notes);
    renderAlertsAndHistory(d);
  }

  function renderActions(d) {
    const a = d.alert;
    const open = a.state === 'firing' || a.state === 'pending';
    const acked = a.acknowledgedAt !== null && a.acknowledgedAt !== undefined;
    const me = ctx.session?.name ?? '?';
    const people = (d.people ?? []).filter((p) => p.id !== a.owner);
    const person = h('select', { id: 'handover-to', 'aria-label': TEXT.handOverTo }, h('option', { value: '' }, TEXT.choosePerson), people.map((p) => h('option', { value: p.id }, p.name)));
    put(actions, 
      a.state === 'firing' && !acked
        ? h('button', { type: 'button', class: 'primary', data: { action: 'ack' }, on: { click: () => ask(TEXT.confirmAck(me), acknowledge) } }, TEXT.acknowledge)
        : null,
      open ? h('button', { type: 'button', data: { action: 'resolve' }, on: { click: () => ask(TEXT.confirmResolve, resolve) } }, TEXT.resolve) : null,
      open && people.length > 0
        ? h('span', { class: 'actions' }, person, h('button', {
            type: 'button',
            data: { action: 'handover' },
            on: {
              click: () => {
                const chosen = people.find((p) => p.id === person.value);
                if (!chosen) {
                  person.focus();
                  return;
                }
                ask(TEXT.confirmHandOver(chosen.name), () => handOver(chosen));
              },
            },
          }, TEXT.handOver))
        : null,
    );
  }

  /** The confirm step of every action: what will happen, Confirm or Cancel. */
  function ask(question, action) {
    const yes = h('button', { type: 'button', class: 'primary', id: 'confirm-yes', on: { click: async () => {
      yes.disabled = true;
      try {
        await action();
      } finally {
        confirmBox.hidden = true;
        await refresh();
      }
    } } }, TEXT.confirm);
    const no = h('button', { type: 'button', id: 'confirm-no', on: { click: () => {
      confirmBox.hidden = true;
    } } }, TEXT.cancel);
    clear(confirmBox).append(h('p', { id: 'confirm-question' }, question), h('div', { class: 'actions' }, yes, no));
    confirmBox.hidden = false;
    yes.focus();
  }

  async function acknowledge() {
    try {
      const r = await api(`/api/alerts/${encodeURIComponent(data.id)}/ack`, { method: 'POST', body: {} });
      const who = r.acknowledgedBy === data.owner?.id ? data.owner.name : r.acknowledgedBy;
      status.textContent = r.acknowledged ? TEXT.acked(who, fmtTime(r.acknowledgedAt)) : TEXT.alreadyAcked(who, fmtTime(r.acknowledgedAt));
      status.dataset.result = r.acknowledged ? 'acknowledged' : 'already';
    } catch (error) {
      status.textContent = TEXT.failed(TEXT.acknowledge, error.message);
      status.dataset.result = 'error';
    }
  }

  async function resolve() {
    try {
      await api(`/api/alerts/${encodeURIComponent(data.id)}/resolve`, { method: 'POST', body: {} });
      status.textContent = TEXT.resolved;
      status.dataset.result = 'resolved';
    } catch (error) {
      status.textContent = TEXT.failed(TEXT.resolve, error.message);
      status.dataset.result = 'error';
    }
  }

  async function handOver(person) {
    try {
      await api(`/api/incidents/${encodeURIComponent(data.id)}/handover`, { method: 'POST', body: { to: person.id } });
      status.textContent = TEXT.handedOver(person.name);
      status.dataset.result = 'handed-over';
    } catch (error) {
      status.textContent = TEXT.failed(TEXT.handOver, error.message);
      status.dataset.result = 'error';
    }
  }

  /** The summary to the clipboard: the async Clipboard API, else a hidden textarea and `copy`. */
  async function copySummary() {
    const text = data?.summaryText ?? '';
    let ok = false;
    try {
      if (navigator.clipboard?.writeText) {
        await navigator.clipboard.writeText(text);
        ok = true;
      }
    } catch {
      ok = false;
    }
    if (!ok) {
      const area = h('textarea', { readonly: true, class: 'offscreen', 'aria-hidden': 'true' });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      try {
        ok = document.execCommand('copy');
      } catch {
        ok = false;
      }
      area.remove();
    }
    copyStatus.textContent = ok ? TEXT.copied : TEXT.copyFailed;
    copyStatus.dataset.result = ok ? 'copied' : 'failed';
    if (!ok) document.getElementById('summary-details').open = true;
  }

  function renderSeries(d) {
    const s = d.series;
    const cat = categoryOfSeries(s.key);
    put(seriesBox, 
      h('h2', {}, `${TEXT.series}: ${seriesLabel(s.key, s.label)}`),
      h('p', { class: 'muted', id: 'incident-size' }, TEXT.size(fmtNum(d.size.count), fmtNum(d.size.expected, 1), d.size.ratio ? fmtNum(d.size.ratio, 1) : null)),
      h('div', { class: 'chart' }, chart(s.points, { onset: s.onset, band: s.band, label: seriesLabel(s.key, s.label) })),
      h('p', { class: 'muted' },
        h('span', { id: 'incident-onset' }, TEXT.onset(fmtTime(s.onset))),
        s.band ? h('span', { id: 'incident-band' }, ` · ${TEXT.band(fmtNum(s.band.lower, 2), fmtNum(s.band.upper, 2), fmtNum(s.band.expected, 2))}`) : null,
        ' · ',
        h('a', { href: hrefFor('timeline', cat ? { category: cat, from: s.onset - 3 * 3_600_000, to: (d.alert.endedAt ?? Date.now()) + 15 * 60_000 } : { series: s.key }) }, TEXT.timeline),
      ),
    );
  }

  function renderSplit(d) {
    const table = (title, rows, idName) => h('div', { id: idName },
      h('h2', {}, title),
      rows.length === 0 ? h('p', { class: 'muted' }, '–') : h('table', {}, h('tbody', {}, rows.map(([name, count]) => h('tr', {}, h('td', {}, name), h('td', {}, fmtNum(count)))))));
    put(splitBox, 
      table(TEXT.channels, d.channels.map((c) => [channelName(c.channel), c.count]), 'incident-channels'),
      table(TEXT.languages, d.languages.map((l) => [languageName(l.lang), l.count]), 'incident-languages'),
      h('div', { id: 'incident-rising' },
        h('h2', {}, TEXT.risingWords),
        d.risingTerms.length === 0 ? h('p', { class: 'muted' }, TEXT.noRising) : h('div', { class: 'terms' }, d.risingTerms.map((r) => h('span', { class: 'chip', title: `${r.count} vs ${r.baseline}` }, `${r.term}${r.ratio ? ` ×${fmtNum(r.ratio, 1)}` : ''}`)))),
    );
  }

  function renderClusters(d) {
    const open = new Set([...clustersBox.querySelectorAll('details[open]')].map((e) => e.dataset.cluster));
    put(clustersBox, 
      h('h2', {}, TEXT.clusters),
      h('p', { class: 'muted' }, TEXT.clustersNote(d.messages.scanned, d.messages.complete)),
      d.clusters.length === 0 ? h('p', { class: 'muted' }, TEXT.noMessages) : h('ol', { class: 'clusters', id: 'incident-cluster-list' }, d.clusters.map((c) => {
        const rest = c.members.filter((m) => m.id !== c.representative.id);
        const details = rest.length > 0
          ? h('details', { data: { cluster: c.id }, open: open.has(c.id) }, h('summary', {}, TEXT.similar(c.count - 1)),
              h('ul', {}, rest.map((m) => h('li', {}, h('span', { class: 'muted' }, `${fmtTime(m.createdAt)} · ${channelName(m.channel)} `), h('span', { class: 'text', dir: 'auto' }, m.text)))))
          : null;
        const bulk = clusterRelabel(c, {
          categories: ctx.categories,
          confirm: ask,
          onDone: (n) => {
            status.textContent = RELABEL_TEXT.done(n);
            status.dataset.result = 'relabelled';
          },
          onError: (error) => {
            status.textContent = RELABEL_TEXT.failed(error.message);
            status.dataset.result = 'error';
          },
        });
        return h('li', { class: 'cluster', data: { cluster: c.id, count: c.count } },
          h('span', { class: 'chip count', title: TEXT.similar(c.count) }, `×${c.count}`), ' ',
          h('span', { class: 'text', dir: 'auto', lang: c.representative.lang ?? undefined }, c.representative.text),
          h('div', { class: 'muted' }, `${fmtTime(c.from)} – ${fmtTime(c.to)} · `,
            h('a', { href: hrefFor('messages', { group: '1', category: d.category ?? undefined, complaint: 'true', from: d.window.from, to: d.window.to + 1 }) }, TEXT.inMessages)),
          bulk,
          details,
        );
      })),
    );
  }

  function renderRelated(d) {
    put(relatedBox, h('h2', {}, TEXT.related), d.related.length === 0 ? h('p', { class: 'muted' }, TEXT.noRelated) : d.related.map((r) => {
      const min = r.leadMs === null ? null : Math.round(r.leadMs / 60_000);
      const cat = categoryOfSeries(r.series);
      return h('div', { class: 'related', data: { series: r.series, why: r.why } },
        h('div', {},
          h('strong', {}, seriesLabel(r.series, r.label)), ' ',
          r.size ? h('span', { class: 'chip' }, r.size) : null, ' ',
          h('span', { class: 'muted' }, [r.why === 'joined' ? TEXT.joined : TEXT.correlated, min === null ? '' : TEXT.lead(min)].filter(Boolean).join(' · ')), ' ',
          h('a', { href: cat ? hrefFor('timeline', { category: cat }) : hrefFor('timeline', { series: r.series }) }, TEXT.timeline),
        ),
        h('div', { class: 'chart small' }, chart(r.points, { onset: null, band: null, label: seriesLabel(r.series, r.label), height: 90 })),
      );
    }));
  }

  function renderNotes(notes) {
    clear(notesList);
    if (notes.length === 0) notesList.append(h('li', { class: 'muted', id: 'no-notes' }, TEXT.noNotes));
    for (const n of notes) {
      notesList.append(h('li', { class: 'note', data: { note: n.id, via: n.via } },
        h('div', { class: 'muted' }, h('strong', { data: { field: 'author' } }, n.by), ' · ', h('time', { datetime: new Date(n.at).toISOString() }, fmtTime(n.at))),
        h('div', { class: 'text', dir: 'auto', data: { field: 'text' } }, n.text),
      ));
    }
  }

  async function addNote() {
    const text = noteText.value.trim();
    if (!text) {
      noteStatus.textContent = TEXT.noteEmpty;
      noteText.focus();
      return;
    }
    noteButton.disabled = true;
    try {
      await api(`/api/incidents/${encodeURIComponent(data?.id ?? id)}/notes`, { method: 'POST', body: { text } });
      noteText.value = '';
      noteStatus.textContent = TEXT.noteSaved;
      await refresh();
    } catch (error) {
      noteStatus.textContent = TEXT.failed(TEXT.addNote, error.message);
    } finally {
      noteButton.disabled = false;
    }
  }

  function renderAlertsAndHistory(d) {
    put(alertsBox, h('ul', {}, d.alerts.map((a) => h('li', { data: { alert: a.id } },
      h('a', { href: hrefFor('alerts', { id: a.id }) }, a.id), ` · ${a.state} · ${a.series.join(', ')}`))));
    put(historyList, d.events.length === 0
      ? h('p', { class: 'muted' }, TEXT.noEvents)
      : h('ol', { class: 'events' }, d.events.map((e) => h('li', { data: { event: e.type, via: e.via ?? 'system' } },
          h('span', { class: 'muted' }, fmtTime(e.at)), ' ',
          h('strong', {}, EVENT_TEXT[e.type] ?? String(e.type)),
          TEXT.eventBy(String(e.by ?? 'system'), VIA_TEXT[e.via] ?? String(e.via ?? 'automatic')),
          e.type === 'handed_over' ? h('span', { class: 'muted' }, ` · ${e.from ?? '?'} → ${e.to ?? '?'}`) : null,
        ))));
  }

  return { refresh };
}

