import type { FastifyInstance, FastifyReply } from 'fastify';
import { loadAssets } from '../../dashboard/assets.js';
import { DASHBOARD_CSP, renderDashboardShell, renderLoginPage } from '../../dashboard/html.js';
import { pickUiLang } from '../../dashboard/i18n.js';
import type { ApiDeps } from '../deps.js';
import { registerReportRoutes } from './reports.js';

const SAFE_NEXT = /^\/(?!\/)[\w\-./?=&%#]*$/;

function html(reply: FastifyReply, body: string): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('Content-Security-Policy', DASHBOARD_CSP)
    .header('Cache-Control', 'no-store')
    .send(body);
}

/**
 * The dashboard: `/` (the app shell; redirects to `/login` without a session), `/login` (a plain HTML
 * form posting to `/api/session`), and `/static/*` (whitelisted files held in memory, uPlot included).
 * Every page has a strict CSP: same-origin scripts only, no inline code, never framed. Also registers
 * the public report form (`reports.ts`), the other page served to browsers.
 */
export function registerDashboardRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const assets = loadAssets();
  const shell = renderDashboardShell();
  registerReportRoutes(app, deps);

  app.get('/', async (request, reply) => {
    if (!request.principal) {
      // An old-style link (`/?series=…&alert=…`, from notifications sent before the dashboard navigated by
      // `#/…`) keeps its query across the login; app.js then opens the alert it names.
      const next = request.url !== '/' && SAFE_NEXT.test(request.url) ? `?next=${encodeURIComponent(request.url)}` : '';
      return reply.redirect(`/login${next}`, 303);
    }
    return html(reply, shell);
  });

  app.get('/login', async (request, reply) => {
    const query = request.query as { error?: string; next?: string };
    const next = typeof query.next === 'string' && SAFE_NEXT.test(query.next) ? query.next : '/';
    if (request.principal?.via === 'session' && query.error === undefined) return reply.redirect(next, 303);
    return html(reply, renderLoginPage({ error: query.error !== undefined, next, lang: pickUiLang(request) }));
  });

  app.get('/static/*', async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const asset = assets.get(path);
    if (!asset) return reply.status(404).type('text/plain; charset=utf-8').send('not found');
    return reply
      .type(asset.type)
      .header('Cache-Control', path.startsWith('vendor/') ? 'public, max-age=86400' : 'no-cache')
      .header('Content-Security-Policy', DASHBOARD_CSP)
      .send(asset.body);
  });
}
