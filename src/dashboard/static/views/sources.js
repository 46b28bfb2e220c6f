// Sources: health of every source (last poll, errors, rate limits, lag). A dead source stands out; a
// stopped one (rejected credentials) has a Retry button for admins (POST /api/sources/:name/retry).
import { api } from '../api.js';
import { clear, fmtAgo, fmtDuration, fmtNum, fmtTime, h } from '../dom.js';
import { banner } from './common.js';
import { t, tp } from '../i18n.js';

/** Dead: stopped (needs an operator), failing, blocked by a dead poller's lock, or silent for 15 minutes. */
export function isDead(s) {
  const state = s.lastState ?? s.state;
  return s.state === 'blocked' || state === 'stopped' || state === 'error' || (s.lagSeconds !== null && s.lagSeconds > 900) || (s.lastPollAt !== null && s.lastSuccessAt === null);
}

/** A stopped source's Retry button (admins only; others see who retried last), or null. */
function retryControl(s, ctx, refresh) {
  if ((s.lastState ?? s.state) !== 'stopped') return null;
  const status = h('span', { class: 'muted', role: 'status' });
  const last = s.lastRetry ? h('div', { class: 'muted', data: { role: 'last-retry' } }, t('last retry {ago} by {by} ({via})', { ago: fmtAgo(s.lastRetry.at), by: s.lastRetry.by, via: s.lastRetry.via })) : null;
  if (ctx?.session?.role !== 'admin') return h('div', {}, last);
  const button = h('button', {
    type: 'button',
    class: 'primary',
    data: { action: 'retry' },
    title: t('Poll again now with the current config; a rejected login stops it again'),
    on: {
      click: async (e) => {
        e.target.disabled = true;
        try {
          await api(`/api/sources/${encodeURIComponent(s.name)}/retry`, { method: 'POST', body: {} });
          await refresh();
        } catch (error) {
          status.textContent = t('not retried: {error}', { error: error.message });
          e.target.disabled = false;
        }
      },
    },
  }, t('Retry'));
  return h('div', { class: 'actions' }, button, status, last);
}

/** A metric source (prometheus, graphite): how far its data is pulled, the oldest of its series' cursors. */
function pulledTo(s) {
  const queries = s.cursor && typeof s.cursor === 'object' && s.cursor.queries && typeof s.cursor.queries === 'object' ? Object.values(s.cursor.queries) : null;
  if (!queries || queries.length === 0) return null;
  const lasts = queries.map((q) => (q && typeof q.last === 'string' ? q.last : null));
  if (lasts.includes(null)) return h('div', { class: 'muted' }, t('first pull pending'));
  const oldest = lasts.sort()[0];
  return h('div', { class: 'muted', title: t('start of the last bucket pulled, oldest series') }, t('pulled to {time}', { time: fmtTime(oldest) }));
}

export function mount(root, params, ctx) {
  const notes = h('div');
  const table = h('div', { class: 'table-wrap' });
  const dead = h('div', { id: 'dead-letters' });
  root.append(h('h1', {}, t('Sources')), notes, table, dead);

  async function refresh() {
    const { items } = await api('/api/sources');
    const letters = await api('/api/dead-letters', { query: { limit: 10 } }).catch(() => null);
    clear(notes);
    clear(table);
    clear(dead);
    const deadCount = items.filter(isDead).length;
    if (deadCount > 0) notes.append(banner('bad', tp(deadCount, { one: '{n} source is not healthy.', other: '{n} sources are not healthy.' }), 'sources-dead'));
    if (items.length === 0) {
      table.append(h('p', { class: 'muted', id: 'no-sources' }, t('No sources are configured yet.')));
    } else {
      table.append(h('table', { id: 'sources' },
        h('thead', {}, h('tr', {}, ['Source', 'State', 'Last poll', 'Lag', 'Last error', 'Rate limit', 'Fetched', 'Skipped', 'Dead-lettered'].map((name, i) => h('th', { class: i >= 6 ? 'wide' : '' }, t(name))))),
        h('tbody', {}, items.map((s) => {
          const bad = isDead(s);
          const rl = s.rateLimit;
          return h('tr', { class: bad ? 'dead' : '', data: { source: s.name, dead: bad ? '1' : '0' } },
            h('td', {}, h('strong', {}, s.name), h('div', { class: 'muted' }, s.kind), pulledTo(s)),
            h('td', {}, h('span', { class: `chip ${bad ? 'bad' : s.state === 'ok' ? 'ok' : ''}` }, bad ? `${t('DEAD')} · ${t(s.state)}` : t(s.state)), retryControl(s, ctx, refresh)),
            h('td', { title: s.lastPollAt ?? '' }, fmtAgo(s.lastPollAt)),
            h('td', { title: t('last success {at}', { at: s.lastSuccessAt ?? t('never') }) }, s.lastSuccessAt ? fmtDuration(s.lagSeconds) : t('never succeeded')),
            h('td', {}, s.lastError ? [h('div', { class: 'error' }, s.lastError), h('div', { class: 'muted' }, fmtTime(s.lastErrorAt))] : '–'),
            h('td', {}, rl ? `${fmtNum(rl.remaining)} / ${fmtNum(rl.limit)}${rl.resetAt ? ` · ${t('resets {time}', { time: fmtTime(rl.resetAt) })}` : ''}` : '–'),
            h('td', { class: 'wide' }, fmtNum(s.fetched)),
            h('td', { class: 'wide' }, fmtNum(s.skipped)),
            h('td', { class: 'wide' }, fmtNum(s.deadLettered)),
          );
        })),
      ));
    }
    if (letters && letters.total > 0) {
      dead.append(h('h2', {}, t('Dead letters ({n})', { n: fmtNum(letters.total) })), h('ul', {}, letters.items.map((d) => h('li', {},
        h('span', { class: 'muted' }, `${fmtTime(d.failedAt)} ${d.source ?? ''} `), h('code', {}, d.messageId ?? '?'), ` — ${d.reason}`))));
    }
  }

  return { refresh };
}
