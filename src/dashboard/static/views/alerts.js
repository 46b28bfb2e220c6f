// Alerts: firing and recent alerts with owner and evidence; acknowledge, resolve; silence (admin);
// each alert's history (who acknowledged, resolved, escalated, silenced, relabelled — and how).
import { api, ApiError } from '../api.js';
import { clear, externalLink, fmtAgo, fmtNum, fmtTime, h, select } from '../dom.js';
import { go, hrefFor, incidentHref } from '../state.js';
import { banner, categoryOfSeries } from './common.js';

const ACTIVE = new Set(['pending', 'firing']);

/** What an event in an alert's history says, in words. */
export const EVENT_TEXT = {
  pending: 'became pending',
  series_added: 'series added',
  firing: 'started firing',
  escalated: 'escalated',
  silenced: 'silenced',
  unsilenced: 'no longer silenced',
  resolved: 'resolved',
  cancelled: 'cancelled',
  acknowledged: 'acknowledged',
  silence_created: 'silence created',
  silence_expired: 'silence ended',
  relabelled: 'message relabelled',
  worse: 'got worse',
  attached: 'joined another incident',
  correlated: 'another alert joined',
  handed_over: 'handed over',
};
export const VIA_TEXT = { link: 'ack link', dashboard: 'dashboard', api: 'API token', system: 'automatic' };

/** One series that moved with the alert: "errors.auth ×9 (started 3 min earlier)". */
function correlatedText(c) {
  const min = Math.round(Number(c.leadMs) / 60_000);
  const lead = !Number.isFinite(min) || min === 0 ? '' : min < 0 ? ` (started ${-min} min earlier)` : ` (started ${min} min later)`;
  return `${String(c.label ?? c.series ?? '')} ${String(c.size ?? '')}${lead}`;
}

function eventDetail(e) {
  const parts = [];
  if (e.series) parts.push(String(e.series));
  if (e.type === 'escalated' || e.type === 'firing') parts.push(`${e.from ? `${e.from} → ` : 'to '}${e.to ?? '?'}`);
  if (e.type === 'worse' && e.peak && e.paged) parts.push(`peak ${fmtNum(e.paged.value, 2)} → ${fmtNum(e.peak.value, 2)} (expected ${fmtNum(e.peak.expected, 2)})`);
  if (e.related) parts.push(`${e.type === 'attached' ? 'incident' : 'alert'} ${e.related}`);
  if (e.manual) parts.push('by hand');
  if (e.type === 'relabelled') parts.push(`${e.message ?? ''}: ${e.from ?? 'not a complaint'} → ${e.to ?? 'not a complaint'}`);
  if (e.comment) parts.push(`“${e.comment}”`);
  return parts.join(' · ');
}

export function mount(root, params, ctx) {
  const show = params.show === 'recent' ? 'recent' : 'active';
  const toolbar = h('div', { class: 'toolbar' },
    h('div', { class: 'group', role: 'group', 'aria-label': 'Which alerts' },
      h('button', { type: 'button', class: show === 'active' ? 'on' : '', on: { click: () => go('alerts', { show: 'active' }, { replace: true }) } }, 'Firing & pending'),
      h('button', { type: 'button', class: show === 'recent' ? 'on' : '', on: { click: () => go('alerts', { show: 'recent' }, { replace: true }) } }, 'Recent (all)'),
    ),
  );
  const list = h('div', { class: 'list', id: 'alerts' });
  /** Alerts whose history is open: kept open across refreshes. */
  const openHistory = new Set(params.id ? [params.id] : []);
  /** The linked alert is scrolled to once, not on every live refresh. */
  let scrolled = false;
  const silences = h('div', { id: 'silences' });
  root.append(h('h1', {}, 'Alerts'), toolbar, list, silences);

  async function refresh() {
    const items = await ctx.loadAlerts();
    clear(list);
    clear(silences);
    if (items === null) {
      list.append(banner('warn', 'Alerting is not available in this deployment (the api has no /api/alerts yet). Anomalies still show on the timeline.', 'alerts-unavailable'));
      return;
    }
    const shown = items.filter((a) => show === 'recent' || ACTIVE.has(a.state)).sort((a, b) => Number(ACTIVE.has(b.state)) - Number(ACTIVE.has(a.state)) || b.startsAt - a.startsAt);
    const linked = params.id ? await linkedAlert(items) : null;
    if (shown.length === 0 && !linked) list.append(h('p', { class: 'muted', id: 'no-alerts' }, show === 'active' ? 'Nothing is firing. ' : 'No alerts yet.', show === 'active' ? h('a', { href: hrefFor('alerts', { show: 'recent' }) }, 'See recent alerts') : null));
    if (params.id && !linked) list.append(banner('warn', `There is no alert ${params.id} (it may have been pruned by retention).`, 'linked-missing'));
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
                status.textContent = `not acknowledged: ${error.message}`;
                e.target.disabled = false;
              }
            },
          },
        }, 'Acknowledge')
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
                status.textContent = `not resolved: ${error.message}`;
                e.target.disabled = false;
              }
            },
          },
        }, 'Resolve')
      : null;
    el.append(
      h('div', { class: 'head' },
        h('span', { class: `chip ${a.state === 'firing' ? 'bad' : a.state === 'pending' ? 'warn' : 'ok'}`, data: { field: 'state' } }, a.state),
        h('span', { class: 'chip' }, a.severity),
        h('strong', {}, a.rule),
        h('span', { class: 'muted' }, a.groupKey),
        a.silencedBy?.length ? h('span', { class: 'chip warn' }, 'silenced') : null,
        h('a', { href: incidentHref(a.attachedTo ?? a.id), data: { field: 'incident-link' } }, 'incident page'),
      ),
      h('div', { class: 'meta' },
        h('span', {}, `started ${fmtTime(a.startsAt)} (${fmtAgo(a.startsAt)})`),
        a.firingAt ? h('span', {}, ` · firing since ${fmtTime(a.firingAt)}`) : null,
        a.endedAt ? h('span', {}, ` · ended ${fmtTime(a.endedAt)}`) : null,
      ),
      h('div', { class: 'meta' },
        h('span', { data: { field: 'owner' } }, `owner: ${a.owner ?? 'unassigned'}`),
        h('span', { data: { field: 'ack' } }, acked ? ` · acknowledged by ${a.acknowledgedBy ?? '?'} at ${fmtTime(a.acknowledgedAt)}` : ' · not acknowledged'),
      ),
      a.attachedTo
        ? h('div', { class: 'meta', data: { field: 'attached' } }, 'part of incident ', h('a', { href: hrefFor('alerts', { id: a.attachedTo }) }, String(a.attachedTo)), ' (it pages; this alert does not)')
        : null,
      (joined.get(a.id) ?? []).length > 0
        ? h('div', { class: 'meta', data: { field: 'joined' } }, 'same incident: ', ...(joined.get(a.id) ?? []).flatMap((c, i) => [i > 0 ? ', ' : '', h('a', { href: hrefFor('alerts', { id: c.id }) }, String(c.members?.[0]?.series ?? c.id))]))
        : null,
      h('ul', { class: 'evidence' }, a.members.map((m) => evidence(a, m))),
      notified(a.evidence),
      h('div', { class: 'actions' }, ack, resolve, ctx.session?.role === 'admin' ? silenceForm(a, status) : null, status),
      history(a),
    );
    return el;
  }

  /** The alert's history, loaded when opened (GET /api/alerts/:id): each event with who and how. */
  function history(a) {
    const body = h('div', { class: 'history', data: { field: 'history' } });
    const details = h('details', { class: 'history', data: { history: a.id } }, h('summary', {}, 'History'), body);
    const load = async () => {
      clear(body).append(h('p', { class: 'muted' }, 'Loading…'));
      try {
        const events = (await api(`/api/alerts/${encodeURIComponent(a.id)}`)).events ?? [];
        clear(body).append(events.length === 0
          ? h('p', { class: 'muted' }, 'No events recorded.')
          : h('ol', { class: 'events' }, events.map((e) => h('li', { data: { event: e.type, via: e.via ?? 'system' } },
              h('span', { class: 'muted' }, fmtTime(e.at)), ' ',
              h('strong', {}, EVENT_TEXT[e.type] ?? String(e.type)),
              ' by ', h('span', { data: { field: 'by' } }, String(e.by ?? 'system')),
              ` via ${VIA_TEXT[e.via] ?? String(e.via ?? 'automatic')}`,
              eventDetail(e) ? h('span', { class: 'muted' }, ` · ${eventDetail(e)}`) : null,
            ))));
      } catch (error) {
        clear(body).append(h('p', { class: 'muted' }, `history not available: ${error.message}`));
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
      h('strong', {}, m.series), ` ${m.state}`,
      p ? ` · peak ${fmtNum(p.value, 2)} vs expected ${fmtNum(p.expected, 2)} (band ${fmtNum(p.lower, 2)}–${fmtNum(p.upper, 2)}), score ${fmtNum(p.score, 2)}, ${p.reason}` : '',
      m.worst ? ` · furthest from normal: ${fmtNum(m.worst.value, 2)} vs expected ${fmtNum(m.worst.expected, 2)} at ${fmtTime(m.worst.t)}` : '',
      ` · ${m.anomalies} anomalous points since ${fmtTime(m.since)} `,
      cat ? h('a', { href: hrefFor('messages', { category: cat, complaint: 'true', from: m.since, to: m.endedAt ?? undefined }) }, 'messages') : null,
      ' ',
      cat ? h('a', { href: hrefFor('timeline', { category: cat, from: m.since - 3 * 3_600_000, to: (m.endedAt ?? Date.now()) + 15 * 60_000 }) }, 'timeline') : null,
    );
  }

  /** The evidence sent with the last notification (counts, channels, rising terms, examples), if any. */
  function notified(ev) {
    const list = (Array.isArray(ev) ? ev : ev ? [ev] : []).filter((e) => e && typeof e === 'object');
    if (list.length === 0) return null;
    return h('div', { class: 'evidence', data: { field: 'evidence' } }, list.map((e) => {
      const channels = Array.isArray(e.channels) ? e.channels.map((c) => `${c.channel} ${fmtNum(c.count)}`).join(', ') : '';
      const terms = Array.isArray(e.risingTerms) ? e.risingTerms.map((t) => `${t.term}${t.ratio ? ` ×${fmtNum(t.ratio, 1)}` : ''}`).join(', ') : '';
      const examples = Array.isArray(e.examples) ? e.examples.slice(0, 3) : [];
      const moved = Array.isArray(e.correlated) ? e.correlated.map(correlatedText).join(', ') : '';
      return h('div', {},
        h('div', {}, `${e.label ?? e.series ?? ''}: ${fmtNum(e.count)} in ${fmtNum(e.window?.minutes)} min vs ${fmtNum(e.expected, 1)} expected${e.ratio ? ` (×${fmtNum(e.ratio, 1)})` : ''}`),
        channels ? h('div', { class: 'muted' }, `channels: ${channels}`) : null,
        terms ? h('div', { class: 'muted' }, `rising terms: ${terms}`) : null,
        moved ? h('div', { data: { field: 'correlated' } }, `at the same time: ${moved}`) : null,
        examples.length > 0
          ? h('ul', { class: 'examples' }, examples.map((x) => h('li', {}, h('span', { class: 'chip' }, String(x.channel ?? '')), ' ', h('span', { class: 'text', dir: 'auto' }, String(x.text ?? '').slice(0, 300)), ' ', externalLink(x.link, 'source ↗'))))
          : null,
      );
    }));
  }

  function silenceForm(a, status) {
    const duration = select([['1', '1 h'], ['4', '4 h'], ['24', '24 h']], '1', { 'aria-label': 'silence for' });
    const comment = h('input', { type: 'text', placeholder: 'why (required)', maxlength: '200', 'aria-label': 'silence comment' });
    const button = h('button', {
      type: 'button',
      data: { action: 'silence' },
      on: {
        click: async () => {
          if (!comment.value.trim()) {
            status.textContent = 'say why you silence it';
            comment.focus();
            return;
          }
          const now = Date.now();
          const series = a.members[0]?.series;
          try {
            await api('/api/silences', { method: 'POST', body: { series, startsAt: now, endsAt: now + Number(duration.value) * 3_600_000, comment: comment.value.trim() } });
            await refresh();
          } catch (error) {
            status.textContent = `not silenced: ${error.message}`;
          }
        },
      },
    }, 'Silence');
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
    silences.append(h('h2', {}, 'Silences'), h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['Matches', 'Until', 'By', 'Why', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, active.map((s) => h('tr', {},
        h('td', {}, [s.series, s.category].filter(Boolean).join(' / ') || 'everything'),
        h('td', {}, fmtTime(s.endsAt)),
        h('td', {}, s.createdBy),
        h('td', {}, s.comment),
        h('td', {}, ctx.session?.role === 'admin'
          ? h('button', { type: 'button', class: 'danger', on: { click: async () => { await api(`/api/silences/${encodeURIComponent(s.id)}`, { method: 'DELETE' }).catch(() => undefined); await refresh(); } } }, 'End')
          : null),
      ))),
    )));
  }

  return { refresh };
}
