// The dashboard app: session, navigation, URL state, live refresh. Views live in ./views/.
import { api, ApiError, loginUrl, setCsrf } from './api.js';
import { clear, h, select } from './dom.js';
import { currentLanguage, LANGUAGES, loadLanguage, locale, switchLanguage, t } from './i18n.js';
import { hrefFor, legacyLinkHash, readState, VIEWS } from './state.js';
import * as overview from './views/overview.js';
import * as timeline from './views/timeline.js';
import * as messages from './views/messages.js';
import * as review from './views/review.js';
import * as alerts from './views/alerts.js';
import * as sources from './views/sources.js';
import * as incident from './views/incident.js';

const MODULES = { overview, timeline, messages, review, alerts, sources, incident };
const LABELS = { overview: 'Overview', timeline: 'Timeline', messages: 'Messages', review: 'Review', alerts: 'Alerts', sources: 'Sources', incident: 'Incident' };
const label = (view) => t(LABELS[view]);
// Polling interval; `localStorage['radar.refreshMs']` overrides it (tests, wall displays), at least 1 s.
const REFRESH_MS = Math.max(1000, Number(localStorage.getItem('radar.refreshMs')) || 15_000);

// An old-style notification link (`/?series=…&alert=…`) opens the incident page of the alert it names.
const legacy = legacyLinkHash(location.search);
if (legacy !== null) history.replaceState(null, '', `/${legacy}`);

const root = document.getElementById('view');
const nav = document.getElementById('nav');
const status = document.getElementById('status');

const ctx = {
  session: null,
  /** Category names from the series keys (cached, refreshed with the overview). */
  categories: [],
  /** null: unknown yet; false: the deployment has no /api/alerts. */
  alertsAvailable: null,
  async loadCategories() {
    try {
      const { keys } = await api('/api/series');
      ctx.categories = keys
        .filter((k) => k.startsWith('complaints.') && !/^complaints\.(channel|lang)\./.test(k))
        .map((k) => k.slice('complaints.'.length))
        .sort();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) throw error;
    }
    return ctx.categories;
  },
  /** Alerts, or null when alerting is not available here (404/503/501). */
  async loadAlerts(state) {
    try {
      const data = await api('/api/alerts', { query: state ? { state } : undefined });
      ctx.alertsAvailable = true;
      return data.items ?? [];
    } catch (error) {
      if (error instanceof ApiError && [404, 501, 503].includes(error.status)) {
        ctx.alertsAvailable = false;
        return null;
      }
      throw error;
    }
  },
  setStatus(text, isError = false) {
    status.textContent = text;
    status.className = isError ? 'error' : 'muted';
  },
};

let current = null; // { view, controller }

function renderNav(active, firing) {
  clear(nav);
  for (const view of VIEWS) {
    // An incident page belongs to Alerts.
    const link = h('a', { href: hrefFor(view), class: view === active || (view === 'alerts' && active === 'incident') ? 'active' : '', data: { view } }, label(view));
    if (view === 'alerts' && firing > 0) link.appendChild(h('span', { class: 'count', title: t('firing alerts'), text: String(firing) }));
    nav.appendChild(link);
  }
}

let firingCount = 0;
async function refreshBadge() {
  try {
    const items = await ctx.loadAlerts('firing');
    firingCount = items ? items.filter((a) => a.state === 'firing').length : 0;
  } catch {
    firingCount = 0;
  }
  renderNav(readState().view, firingCount);
}

async function route() {
  const { view, params } = readState();
  renderNav(view, firingCount);
  document.title = `${label(view)} · complaint-radar`;
  if (current && current.view === view && current.controller.update && current.params?.id === params.id) {
    await run(() => current.controller.update(params));
    return;
  }
  current?.controller.destroy?.();
  clear(root);
  const controller = MODULES[view].mount(root, params, ctx);
  current = { view, controller, params };
  await run(() => controller.refresh());
}

async function run(fn) {
  try {
    await fn();
    ctx.setStatus(t('Updated {time} · refreshes every {n} s', { time: new Date().toLocaleTimeString(locale()), n: REFRESH_MS / 1000 }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    ctx.setStatus(t('Could not refresh: {error}', { error: error.message }), true);
  }
}

async function boot() {
  await loadLanguage();
  try {
    ctx.session = await api('/api/session');
  } catch {
    location.href = loginUrl();
    return;
  }
  setCsrf(ctx.session.csrf);
  const who = document.getElementById('who');
  clear(who).append(
    h('span', { text: `${ctx.session.name} · ${ctx.session.role}` }),
    h('button', {
      type: 'button',
      id: 'logout',
      on: {
        click: async () => {
          await api('/api/session', { method: 'DELETE' }).catch(() => undefined);
          location.href = '/login';
        },
      },
    }, t('Log out')),
    h('label', { class: 'lang' }, h('span', { class: 'sr-only', text: t('Language') }),
      select(Object.entries(LANGUAGES), currentLanguage(), { id: 'language', name: 'language', on: { change: (e) => switchLanguage(e.target.value) } })),
  );
  await ctx.loadCategories();
  window.addEventListener('hashchange', () => void route());
  await route();
  void refreshBadge();
  setInterval(() => {
    if (document.visibilityState !== 'visible' || !current) return;
    void run(() => current.controller.refresh());
    void refreshBadge();
  }, REFRESH_MS);
  document.body.dataset.ready = '1';
}

void boot();
