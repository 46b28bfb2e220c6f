// Alerts: firing and recent alerts with owner and evidence; acknowledge, resolve; silence (admin);
// each alert's history (who acknowledged, resolved, escalated, silenced, relabelled — and how).
import { api, ApiError } from '../api.js';
import { clear, externalLink, fmtAgo, fmtNum, fmtTime, h, put, select } from '../dom.js';
import { go, hrefFor, incidentHref } from '../state.js';
import { banner, categoryOfSeries, channelName, reasonText, seriesLabel } from './common.js';
import { t, tp } from '../i18n.js';

const ACTIVE = new Set(['pending', 'firing']);

/** What an event in an alert's history says, in words. */
export const EVENT_TEXT = {
  get pending() { return t('became pending'); },
  get series_added() { return t('series added'); },
  get firing() { return t('started firing'); },
  get escalated() { return t('escalated'); },
  get silenced() { return t('silenced'); },
  get unsilenced() { return t('no longer silenced'); },
  get resolved() { return t('resolved'); },
  get cancelled() { return t('cancelled'); },
  get acknowledged() { return t('acknowledged'); },
  get silence_created() { return t('silence created'); },
  get silence_expired() { return t('silence ended'); },
  get relabelled() { return t('message relabelled'); },
  get worse() { return t('got worse'); },
  get attached() { return t('joined another incident'); },
  get correlated() { return t('another alert joined'); },
  get handed_over() { return t('handed over'); },
};
export const VIA_TEXT = {
  get link() { return t('ack link'); },
  get dashboard() { return t('dashboard'); },
  get api() { return t('API token'); },
  get system() { return t('automatic'); },
};

/** One series that moved with the alert: "errors.auth ×9 (started 3 min earlier)". */
function correlatedText(c) {
  const min = Math.round(Number(c.leadMs) / 60_000);
  const lead = !Number.isFinite(min) || min === 0 ? '' : ` (${min < 0 ? t('started {n} min earlier', { n: -min }) : t('started {n} min later', { n: min })})`;
  return `${seriesLabel(c.series, c.label)} ${String(c.size ?? '')}${lead}`;
}

function eventDetail(e) {
  const parts = [];
  if (e.series) parts.push(String(e.series));
  if (e.type === 'escalated' || e.type === 'firing') parts.push(`${e.from ? `${e.from} → ` : 'to '}${e.to ?? '?'}`);
  if (e.type === 'worse' && e.peak && e.paged) parts.push(`peak ${fmtNum(e.paged.value, 2)} → ${fmtNum(e.peak.value, 2)} (expected ${fmtNum(e.peak.expected, 2)})`);
  if (e.related) parts.push(`${e.type === 'attached' ? 'incident' : 'alert'} ${e.related}`);
  if (e.manual) parts.push(t('by hand'));
  if (e.type === 'relabelled') parts.push(`${e.message ?? ''}: ${e.from ?? t('not a complaint')} → ${e.to ?? t('not a complaint')}`);
  if (e.comment) parts.push(`“${e.comment}”`);
  return parts.join(' · ');
}

export function mount(root, params, ctx) {
  const show = params.show === 'recent' ? 'recent' : 'active';
  const toolbar = h('div', { class: 'toolbar' },
    h('div', { class: 'group', role: 'group', 'aria-label': t('Which alerts') },
      h('button', { type: 'button', class: show === 'active' ? 'on' : '', on: { click: () => go('alerts', { show: 'active' }, { replace: true }) } }, t('Firing & pending')),
      h('button', { type: 'button', class: show === 'recent' ? 'on' : '', on: { click: () => go('alerts', { show: 'recent' }, { replace: true }) } }, t('Recent (all)')),
    ),
  );
  const list = h('div', { class: 'list', id: 'alerts' });
  /** Alerts whose history is open: kept open across refreshes. */
  const openHistory = new Set(params.id ? [params.id] : []);
  /** The linked alert is scrolled to once, not on every live refresh. */
  let scrolled = false;
  const silences = h('div', { id: 'silences' });
  root.append(h('h1', {}, t('Alerts')), toolbar, list, silences);

  async function refresh() {
    const items = await ctx.loadAlerts();
    clear(list);
    clear(silences);
    if (items === null) {
      list.append(banner('warn', t('Alerting is not available in this deployment (the api has no /api/alerts yet). Anomalies still show on the timeline.'), 'alerts-unavailable'));
      return;
    }
    const shown = items.filter((a) => show === 'recent' || ACTIVE.has(a.state)).sort((a, b) => Number(ACTIVE.has(b.state)) - Number(ACTIVE.has(a.state)) || b.startsAt - a.startsAt);
    const linked = params.id ? await linkedAlert(items) : null;
    if (shown.length === 0 && !linked) list.append(h('p', { class: 'muted', id: 'no-alerts' }, show === 'active' ? `${t('Nothing is firing.')} ` : t('No alerts yet.'), show === 'active' ? h('a', { href: hrefFor('alerts', { show: 'recent' }) }, t('See recent alerts')) : null));
    if (params.id && !linked) list.append(banner('warn', t('There is no alert {id} (it may have been pruned by retention).', { id: params.id }), 'linked-missing'));
    // The alert a link names (a notification's "Dashboard" link) comes first, whatever the filter.
    // Alerts that joined another's incident, by that incident (shown on its card).
    const joined = new Map();
    for (const a of items) if (a.attachedTo) joined.set(a.attachedTo, [...(joined.get(a.attachedTo) ?? []), a]);
    if (linked) list.append(card(linked, true, joined));
    for (const a of shown) if (a.id !== linked?.id) list.append(card(a, false, joined));
    if (linked && !scrolled) {
      scrolled = true;
      list.querySelector(`[data-id="${CSS.escape(linked.id)}"]`)?.scrollIntoView({ block: 'center' });
    }
    await renderSilences();
  }

  /** The alert `#/alerts?id=…` names: from the list, else read by id (older than the list, or filtered out); null when there is none. */
  async function linkedAlert(items) {
    const listed = items.find((a) => a.id === params.id);
    if (listed) return listed;
    try {
      const { events: _events, ...alert } = await api(`/api/alerts/${encodeURIComponent(params.id)}`);
      return alert;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  function card(a, linked = false, joined = new Map()) {
    const el = h('article', { class: `card alert ${a.state}${linked ? ' linked' : ''}`, data: { id: a.id, state: a.state }, 'aria-current': linked ? 'true' : undefined });
    const status = h('span', { class: 'muted', role: 'status' });
    const acked = a.acknowledgedAt !== null && a.acknowledgedAt !== undefined;
    const ack = a.state === 'firing' && !acked
      ? h('button', {
          type: 'button',
          class: 'primary',
          data: { action: 'ack' },
          on: {
            click: async (e) => {
              e.target.disabled = true;
              try {
                await api(`/api/alerts/${encodeURIComponent(a.id)}/ack`, { method: 'POST', body: {} });
                await refresh();
              } catch (error) {
                status.textContent = t('not acknowledged: {error}', { error: error.message });
                e.target.disabled = false;
              }
            },
          },
        }, t('Acknowledge'))
      : null;
    const resolve = ACTIVE.has(a.state)
      ? h('button', {
          type: 'button',
          data: { action: 'resolve' },
          on: {
            click: async (e) => {
              e.target.disabled = true;
              try {
                await api(`/api/alerts/${encodeURIComponent(a.id)}/resolve`, { method: 'POST', body: {} });
                await refresh();
              } catch (error) {
                status.textContent = t('not resolved: {error}', { error: error.message });
                e.target.disabled = false;
              }
            },
          },
        }, t('Resolve'))
      : null;
    // put, not el.append: the DOM's append writes a null child as the text "null".
    put(el,
      h('div', { class: 'head' },
        h('span', { class: `chip ${a.state === 'firing' ? 'bad' : a.state === 'pending' ? 'warn' : 'ok'}`, data: { field: 'state' } }, t(a.state)),
        h('span', { class: 'chip' }, a.severity),
        // What is wrong, in words (the category, channel or metric), not the rule's name.
        h('strong', { data: { field: 'title' } }, alertTitle(a)),
        h('span', { class: 'muted', title: t('rule and group') }, `${a.rule} · ${a.groupKey}`),
        a.silencedBy?.length ? h('span', { class: 'chip warn' }, t('silenced')) : null,
        h('a', { href: incidentHref(a.attachedTo ?? a.id), data: { field: 'incident-link' } }, t('incident page')),
      ),
      h('div', { class: 'meta' },
        h('span', {}, `${t('started {at}', { at: fmtTime(a.startsAt) })} (${fmtAgo(a.startsAt)})`),
        a.firingAt ? h('span', {}, ` · ${t('firing since {at}', { at: fmtTime(a.firingAt) })}`) : null,
        a.endedAt ? h('span', {}, ` · ${t('ended {at}', { at: fmtTime(a.endedAt) })}`) : null,
      ),
      h('div', { class: 'meta' },
        h('span', { data: { field: 'owner' } }, t('owner: {owner}', { owner: a.ownerName ?? a.owner ?? t('unassigned') })),
        h('span', { data: { field: 'ack' } }, acked ? ` · ${t('acknowledged by {who} at {at}', { who: a.acknowledgedByName ?? a.acknowledgedBy ?? '?', at: fmtTime(a.acknowledgedAt) })}` : ` · ${t('not acknowledged')}`),
      ),
      a.attachedTo
        ? h('div', { class: 'meta', data: { field: 'attached' } }, `${t('part of incident')} `, h('a', { href: hrefFor('alerts', { id: a.attachedTo }) }, String(a.attachedTo)), ` ${t('(it pages; this alert does not)')}`)
        : null,
      (joined.get(a.id) ?? []).length > 0
        ? h('div', { class: 'meta', data: { field: 'joined' } }, `${t('same incident:')} `, ...(joined.get(a.id) ?? []).flatMap((c, i) => [i > 0 ? ', ' : '', h('a', { href: hrefFor('alerts', { id: c.id }) }, String(c.members?.[0]?.series ?? c.id))]))
        : null,
      h('ul', { class: 'evidence' }, a.members.map((m) => evidence(a, m))),
      notified(a.evidence),
      h('div', { class: 'actions' }, ack, resolve, ctx.session?.role === 'admin' ? silenceForm(a, status) : null, status),
      history(a),
    );
    return el;
  }

  /** The subject of an alert: its firing member's series in words (`complaints.login` → "Complaints: login"). */
  function alertTitle(a) {
    const member = a.members.find((m) => m.firingSince !== null && m.firingSince !== undefined) ?? a.members[0];
    const series = member?.series ?? a.groupKey;
    return seriesLabel(series);
  }

  /** The alert's history, loaded when opened (GET /api/alerts/:id): each event with who and how. */
  function history(a) {
    const body = h('div', { class: 'history', data: { field: 'history' } });
    const details = h('details', { class: 'history', data: { history: a.id } }, h('summary', {}, t('History')), body);
    const load = async () => {
      clear(body).append(h('p', { class: 'muted' }, t('Loading…')));
      try {
        const events = (await api(`/api/alerts/${encodeURIComponent(a.id)}`)).events ?? [];
        clear(body).append(events.length === 0
          ? h('p', { class: 'muted' }, t('No events recorded.'))
          : h('ol', { class: 'events' }, events.map((e) => h('li', { data: { event: e.type, via: e.via ?? 'system' } },
              h('span', { class: 'muted' }, fmtTime(e.at)), ' ',
              h('strong', {}, EVENT_TEXT[e.type] ?? String(e.type)),
              ` ${t('by')} `, h('span', { data: { field: 'by' } }, String(e.by ?? 'system')),
              ` ${t('via')} ${VIA_TEXT[e.via] ?? String(e.via ?? VIA_TEXT.system)}`,
              eventDetail(e) ? h('span', { class: 'muted' }, ` · ${eventDetail(e)}`) : null,
            ))));
      } catch (error) {
        clear(body).append(h('p', { class: 'muted' }, t('history not available: {error}', { error: error.message })));
      }
    };
    let loading = null;
    const ensure = () => (loading ??= load());
    details.addEventListener('toggle', () => {
      if (details.open) {
        openHistory.add(a.id);
        void ensure();
      } else openHistory.delete(a.id);
    });
    if (openHistory.has(a.id)) {
      details.open = true;
      void ensure();
    }
    return details;
  }

  function evidence(a, m) {
    const p = m.peak ?? m.latest;
    const cat = categoryOfSeries(m.series);
    return h('li', {},
      h('strong', {}, m.series), ` ${t(m.state)}`,
      p ? ` · ${t('peak {value} vs expected {expected} (band {lower}–{upper}), score {score}', { value: fmtNum(p.value, 2), expected: fmtNum(p.expected, 2), lower: fmtNum(p.lower, 2), upper: fmtNum(p.upper, 2), score: fmtNum(p.score, 2) })}${p.reason ? `, ${reasonText(p.reason)}` : ''}` : '',
      m.worst ? ` · ${t('furthest from normal: {value} vs expected {expected} at {at}', { value: fmtNum(m.worst.value, 2), expected: fmtNum(m.worst.expected, 2), at: fmtTime(m.worst.t) })}` : '',
      ` · ${tp(m.anomalies, { one: '{n} anomalous point since {since}', other: '{n} anomalous points since {since}' }, { since: fmtTime(m.since) })} `,
      cat ? h('a', { href: hrefFor('messages', { category: cat, complaint: 'true', from: m.since, to: m.endedAt ?? undefined }) }, t('messages')) : null,
      ' ',
      cat ? h('a', { href: hrefFor('timeline', { category: cat, from: m.since - 3 * 3_600_000, to: (m.endedAt ?? Date.now()) + 15 * 60_000 }) }, t('timeline')) : null,
    );
  }

  /** The evidence sent with the last notification (counts, channels, rising terms, examples), if any. */
  function notified(ev) {
    const list = (Array.isArray(ev) ? ev : ev ? [ev] : []).filter((e) => e && typeof e === 'object');
    if (list.length === 0) return null;
    return h('div', { class: 'evidence', data: { field: 'evidence' } }, list.map((e) => {
      const channels = Array.isArray(e.channels) ? e.channels.map((c) => `${channelName(c.channel)} ${fmtNum(c.count)}`).join(', ') : '';
      const terms = Array.isArray(e.risingTerms) ? e.risingTerms.map((x) => `${x.term}${x.ratio ? ` ×${fmtNum(x.ratio, 1)}` : ''}`).join(', ') : '';
      const examples = Array.isArray(e.examples) ? e.examples.slice(0, 3) : [];
      const moved = Array.isArray(e.correlated) ? e.correlated.map(correlatedText).join(', ') : '';
      return h('div', {},
        h('div', {}, `${seriesLabel(e.series, e.label)}: ${t('{count} in {minutes} min vs {expected} expected', { count: fmtNum(e.count), minutes: fmtNum(e.window?.minutes), expected: fmtNum(e.expected, 1) })}${e.ratio ? ` (×${fmtNum(e.ratio, 1)})` : ''}`),
        channels ? h('div', { class: 'muted' }, t('channels: {list}', { list: channels })) : null,
        terms ? h('div', { class: 'muted' }, t('rising terms: {list}', { list: terms })) : null,
        moved ? h('div', { data: { field: 'correlated' } }, t('at the same time: {list}', { list: moved })) : null,
        examples.length > 0
          ? h('ul', { class: 'examples' }, examples.map((x) => h('li', {}, h('span', { class: 'chip' }, channelName(x.channel)), ' ', h('span', { class: 'text', dir: 'auto' }, String(x.text ?? '').slice(0, 300)), ' ', externalLink(x.link, t('source ↗')))))
          : null,
      );
    }));
  }

  function silenceForm(a, status) {
    const duration = select([['1', '1 h'], ['4', '4 h'], ['24', '24 h']], '1', { 'aria-label': t('silence for') });
    const comment = h('input', { type: 'text', placeholder: t('why (required)'), maxlength: '200', 'aria-label': t('silence comment') });
    const button = h('button', {
      type: 'button',
      data: { action: 'silence' },
      on: {
        click: async () => {
          if (!comment.value.trim()) {
            status.textContent = t('say why you silence it');
            comment.focus();
            return;
          }
          const now = Date.now();
          const series = a.members[0]?.series;
          try {
            await api('/api/silences', { method: 'POST', body: { series, startsAt: now, endsAt: now + Number(duration.value) * 3_600_000, comment: comment.value.trim() } });
            await refresh();
          } catch (error) {
            status.textContent = t('not silenced: {error}', { error: error.message });
          }
        },
      },
    }, t('Silence'));
    return h('span', { class: 'actions' }, duration, comment, button);
  }

  async function renderSilences() {
    let items;
    try {
      items = (await api('/api/silences')).items ?? [];
    } catch {
      return;
    }
    const now = Date.now();
    const active = items.filter((s) => s.endsAt > now);
    if (active.length === 0) return;
    silences.append(h('h2', {}, t('Silences')), h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, [t('Matches'), t('Until'), t('By'), t('Why'), ''].map((name) => h('th', {}, name)))),
      h('tbody', {}, active.map((s) => h('tr', {},
        h('td', {}, [s.series, s.category].filter(Boolean).join(' / ') || t('everything')),
        h('td', {}, fmtTime(s.endsAt)),
        h('td', {}, s.createdBy),
        h('td', {}, s.comment),
        h('td', {}, ctx.session?.role === 'admin'
          ? h('button', { type: 'button', class: 'danger', on: { click: async () => { await api(`/api/silences/${encodeURIComponent(s.id)}`, { method: 'DELETE' }).catch(() => undefined); await refresh(); } } }, t('End'))
          : null),
      ))),
    )));
  }

  return { refresh };
}
