// Review queue: one message at a time, the ones whose label would teach the model most (the layers
// disagree first, then the most uncertain; GET /api/review), one key press per verdict:
// y complaint (suggested category), n not a complaint, 1–9 a category, s skip, u undo. Every key has a
// button. Verdicts go through POST /api/messages/:id/label (CSRF header via api()).
import { api } from '../api.js';
import { clear, externalLink, fmtTime, h, highlight } from '../dom.js';
import { t } from '../i18n.js';
import { channelName } from './common.js';

const BATCH = 20;
const REFILL_BELOW = 3;

function pct(x) {
  return `${Math.round(x * 100)}%`;
}

function reasonText(item) {
  if (item.reason === 'layers-disagree') return t('The layers disagree: keyword layer {keyword}, learned layer {learned} complaint.', { keyword: pct(item.keywordScore), learned: pct(item.learnedScore ?? 0) });
  return t('Uncertain: complaint probability {p}, among the nearest to undecided (50%) of the recent unlabelled messages.', { p: pct(item.probability) });
}

function verdictText(c) {
  if (!c.complaint) return t('not a complaint (score {score})', { score: pct(c.score) });
  return `${t('complaint')}${c.categories[0] ? ` · ${c.categories[0].name}` : ''} (${t('score {score}', { score: pct(c.score) })})`;
}

export function mount(root, _params, _ctx) {
  let queue = [];
  let categories = [];
  /** Verdicts of this visit, newest last: {item, label}. Undo shows the message again to re-decide. */
  const done = [];
  /** Ids skipped in this visit: a refill does not bring them back. */
  const skipped = new Set();
  let loading = null;

  const counter = h('p', { class: 'muted', id: 'review-count', 'aria-live': 'polite' });
  const card = h('article', { class: 'card msg review', id: 'review-card', tabindex: '-1', 'aria-labelledby': 'review-heading' });
  const buttons = h('div', { class: 'actions', id: 'review-actions' });
  const status = h('p', { class: 'muted', id: 'review-status', role: 'status' });
  const help = h('p', { class: 'muted' }, `${t('Keys:')} `, h('kbd', {}, 'y'), ` ${t('complaint (suggested category)')} · `, h('kbd', {}, 'n'), ` ${t('not a complaint')} · `, h('kbd', {}, '1'), '–', h('kbd', {}, '9'), ` ${t('complaint in that category')} · `, h('kbd', {}, 's'), ` ${t('skip')} · `, h('kbd', {}, 'u'), ` ${t('undo (shows the last message again to change its label).')}`);
  root.append(h('h1', {}, t('Review')), h('p', { class: 'muted' }, t('The recent unlabelled messages whose label would teach the model most: where the keyword and learned layers disagree first, then the most uncertain.')), help, counter, card, buttons, status);

  function say(text, isError = false) {
    status.textContent = text;
    status.className = isError ? 'error' : 'muted';
    status.setAttribute('role', isError ? 'alert' : 'status');
  }

  async function refill() {
    loading ??= (async () => {
      try {
        const data = await api('/api/review', { query: { limit: BATCH } });
        categories = data.categories;
        const have = new Set([...queue.map((i) => i.id), ...done.map((d) => d.item.id), ...skipped]);
        queue.push(...data.items.filter((i) => !have.has(i.id)));
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

  function render() {
    const item = queue[0];
    clear(card);
    clear(buttons);
    counter.textContent = item ? t('{queued} in the queue · {done} labelled this visit', { queued: queue.length, done: done.length }) : t('{done} labelled this visit', { done: done.length });
    if (!item) {
      card.append(h('h2', { id: 'review-heading' }, t('Nothing to review')), h('p', { id: 'review-empty' }, t('No unlabelled messages of the last 7 days are waiting.')));
      buttons.append(undoButton());
      return;
    }
    const c = item.classification;
    const terms = c.categories.flatMap((x) => x.terms);
    const previous = done.find((d) => d.item.id === item.id && d.undone);
    card.dataset.id = item.id;
    // Element.append would print null as "null": only nodes go in.
    const parts = [
      h('h2', { id: 'review-heading' }, t('Message to label')),
      h('div', { class: 'meta' },
        h('time', { datetime: item.createdAt, title: item.createdAt }, fmtTime(item.createdAt)),
        h('span', { class: 'chip' }, t('channel: {channel}', { channel: channelName(item.channel) })),
        h('span', {}, item.source),
        h('span', {}, t('language: {lang}', { lang: item.lang ?? t('unknown') })),
        externalLink(item.link, t('source ↗')),
      ),
      h('div', { class: 'text', lang: item.lang ?? undefined, dir: 'auto', id: 'review-text' }, highlight(item.text, terms)),
      h('p', { id: 'review-verdict' }, `${t('Model says:')} `, h('strong', {}, verdictText(c))),
      h('p', { id: 'review-reason', data: { reason: item.reason } }, t('Why it is here: {reason}', { reason: reasonText(item) })),
      previous ? h('p', { class: 'chip', id: 'review-previous' }, t('Labelled before the undo as: {label} (stays until you choose again)', { label: previous.label.complaint ? previous.label.category : t('not a complaint') })) : null,
    ];
    card.append(...parts.filter((p) => p !== null));
    const suggested = item.suggestedCategory;
    buttons.append(
      h('button', { type: 'button', data: { action: 'yes' }, disabled: !suggested, 'aria-keyshortcuts': 'y', on: { click: () => verdict(true, suggested) } },
        h('kbd', {}, 'y'), ` ${suggested ? t('Complaint: {category}', { category: suggested }) : t('Complaint (no suggestion: pick a category)')}`),
      h('button', { type: 'button', data: { action: 'no' }, 'aria-keyshortcuts': 'n', on: { click: () => verdict(false, null) } }, h('kbd', {}, 'n'), ` ${t('Not a complaint')}`),
      ...categories.slice(0, 9).map((name, i) =>
        h('button', { type: 'button', data: { action: 'category', category: name }, 'aria-keyshortcuts': String(i + 1), 'aria-label': `${i + 1} ${name}: ${t('a complaint about {category} (key {key})', { category: name, key: i + 1 })}`, on: { click: () => verdict(true, name) } }, h('kbd', {}, String(i + 1)), ` ${name}`),
      ),
      h('button', { type: 'button', data: { action: 'skip' }, 'aria-keyshortcuts': 's', on: { click: skip } }, h('kbd', {}, 's'), ` ${t('Skip')}`),
      undoButton(),
    );
  }

  function undoButton() {
    return h('button', { type: 'button', data: { action: 'undo' }, disabled: done.length === 0 && skipped.size === 0, 'aria-keyshortcuts': 'u', on: { click: undo } }, h('kbd', {}, 'u'), ` ${t('Undo')}`);
  }

  /** Shows the next message at once, moving focus to it when the focus was in the view. */
  function next() {
    const within = root.contains(document.activeElement) || document.activeElement === document.body;
    render();
    if (within) card.focus();
    if (queue.length < REFILL_BELOW) {
      void refill()
        .then(() => {
          if (queue.length > 0 && card.dataset.id !== queue[0]?.id) render();
          else counter.textContent = `${queue.length} in the queue · ${done.length} labelled this visit`;
        })
        .catch((error) => say(t('Could not load more messages: {error}', { error: error.message }), true));
    }
  }

  let lastSkipped = null;
  let lastAction = null; // 'label' | 'skip'

  function verdict(complaint, category) {
    const item = queue[0];
    if (!item) return;
    if (complaint && !category) {
      say(t('No suggested category: press 1–9 or click a category.'));
      return;
    }
    const label = complaint ? { complaint: true, category } : { complaint: false };
    queue.shift();
    // A message shown again by undo and labelled anew counts once.
    const again = done.findIndex((d) => d.item.id === item.id);
    if (again >= 0) done.splice(again, 1);
    const entry = { item, label, undone: false };
    done.push(entry);
    lastAction = 'label';
    say(t('Saving: {label}…', { label: complaint ? category : t('not a complaint') }));
    next();
    api(`/api/messages/${encodeURIComponent(item.id)}/label`, { method: 'POST', body: label })
      .then(() => say(complaint ? t('Saved: complaint, {category}.', { category }) : t('Saved: not a complaint.')))
      .catch((error) => {
        // Not stored: the message comes back to the front, so nothing is lost silently.
        done.splice(done.indexOf(entry), 1);
        queue.unshift(item);
        render();
        say(t('Not saved ({error}); the message is back in front.', { error: error.message }), true);
      });
  }

  function skip() {
    const item = queue.shift();
    if (!item) return;
    skipped.add(item.id);
    lastSkipped = item;
    lastAction = 'skip';
    say(t('Skipped.'));
    next();
  }

  function undo() {
    if (lastAction === 'skip' && lastSkipped) {
      skipped.delete(lastSkipped.id);
      queue.unshift(lastSkipped);
      lastSkipped = null;
      lastAction = done.length ? 'label' : null;
      say(t('Skip undone.'));
      next();
      return;
    }
    const last = [...done].reverse().find((d) => !d.undone);
    if (!last) return;
    last.undone = true;
    queue.unshift(last.item);
    say(t('Showing the last message again: choose its label.'));
    next();
  }

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const target = e.target;
    if (target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName))) return;
    const key = e.key.toLowerCase();
    if (key === 'y') verdict(true, queue[0]?.suggestedCategory ?? null);
    else if (key === 'n') verdict(false, null);
    else if (key === 's') skip();
    else if (key === 'u') undo();
    else if (/^[1-9]$/.test(key)) {
      const name = categories[Number(key) - 1];
      if (!name) return;
      verdict(true, name);
    } else return;
    e.preventDefault();
  }
  document.addEventListener('keydown', onKey);

  return {
    // Live refresh only fills an empty queue: the message in front never changes under the reader.
    async refresh() {
      if (queue.length > 0 && categories.length > 0) return;
      await refill();
      render();
    },
    destroy() {
      document.removeEventListener('keydown', onKey);
    },
  };
}
