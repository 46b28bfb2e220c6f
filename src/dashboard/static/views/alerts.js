// Alerts: firing and recent alerts with owner and evidence; acknowledge; silence (admin).
import { api } from '../api.js';
import { clear, externalLink, fmtAgo, fmtNum, fmtTime, h, select } from '../dom.js';
import { go, hrefFor } from '../state.js';
import { banner, categoryOfSeries } from './common.js';

const ACTIVE = new Set(['pending', 'firing']);

export function mount(root, params, ctx) {
  const show = params.show === 'recent' ? 'recent' : 'active';
  const toolbar = h('div', { class: 'toolbar' },
    h('div', { class: 'group', role: 'group', 'aria-label': 'Which alerts' },
      h('button', { type: 'button', class: show === 'active' ? 'on' : '', on: { click: () => go('alerts', { show: 'active' }, { replace: true }) } }, 'Firing & pending'),
      h('button', { type: 'button', class: show === 'recent' ? 'on' : '', on: { click: () => go('alerts', { show: 'recent' }, { replace: true }) } }, 'Recent (all)'),
    ),
  );
  const list = h('div', { class: 'list', id: 'alerts' });
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
    if (shown.length === 0) list.append(h('p', { class: 'muted', id: 'no-alerts' }, show === 'active' ? 'Nothing is firing. ' : 'No alerts yet.', show === 'active' ? h('a', { href: hrefFor('alerts', { show: 'recent' }) }, 'See recent alerts') : null));
    for (const a of shown) list.append(card(a));
    if (params.id) list.querySelector(`[data-id="${CSS.escape(params.id)}"]`)?.scrollIntoView({ block: 'center' });
    await renderSilences();
  }

  function card(a) {
    const el = h('article', { class: `card alert ${a.state}`, data: { id: a.id, state: a.state } });
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
    el.append(
      h('div', { class: 'head' },
        h('span', { class: `chip ${a.state === 'firing' ? 'bad' : a.state === 'pending' ? 'warn' : 'ok'}`, data: { field: 'state' } }, a.state),
        h('span', { class: 'chip' }, a.severity),
        h('strong', {}, a.rule),
        h('span', { class: 'muted' }, a.groupKey),
        a.silencedBy?.length ? h('span', { class: 'chip warn' }, 'silenced') : null,
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
      h('ul', { class: 'evidence' }, a.members.map((m) => evidence(a, m))),
      notified(a.evidence),
      h('div', { class: 'actions' }, ack, ctx.session?.role === 'admin' ? silenceForm(a, status) : null, status),
    );
    return el;
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
      return h('div', {},
        h('div', {}, `${e.label ?? e.series ?? ''}: ${fmtNum(e.count)} in ${fmtNum(e.window?.minutes)} min vs ${fmtNum(e.expected, 1)} expected${e.ratio ? ` (×${fmtNum(e.ratio, 1)})` : ''}`),
        channels ? h('div', { class: 'muted' }, `channels: ${channels}`) : null,
        terms ? h('div', { class: 'muted' }, `rising terms: ${terms}`) : null,
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
