import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { Role } from '../config/service.js';
import { openSessionPrincipal, roleAllows, SESSION_COOKIE, type Principal } from './auth.js';
import type { ApiDeps } from './deps.js';
import { errorHandler, frameworkErrorHandler, HttpError, MAX_PARAM_LENGTH, notFoundHandler } from './errors.js';
import { rejectRepeatedQueryKeys } from './query-keys.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMessageRoutes } from './routes/messages.js';
import { registerSeriesRoutes } from './routes/series.js';
import { registerSummaryRoutes } from './routes/summary.js';
import { registerSourceRoutes } from './routes/sources.js';
import { registerSessionRoutes } from './routes/session.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerReviewRoutes } from './routes/review.js';
import { registerAppReviewRoutes } from './routes/reviews.js';
import { registerHookRoutes } from './routes/hooks.js';
import { registerIncidentRoutes } from './routes/incidents.js';
import { ClusterCache } from './cluster-cache.js';
import { registerTelegramWebhookRoutes } from '../sources/telegram/webhook.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** preHandler: the caller must be authenticated with at least `role`; session writes need the CSRF token. */
    requireRole(role: Role): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Builds the HTTP app (no listening: tests use `app.inject()`, server.ts listens). */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ module: 'api' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.config.server.trustProxy,
    bodyLimit: 5 * 1024 * 1024,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: (error, request, reply) => frameworkErrorHandler(error, request, reply),
  });
  await app.register(cookie);
  await app.register(formbody);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', rejectRepeatedQueryKeys);

  app.addHook('onRequest', async (request) => {
    const now = deps.clock.now();
    request.principal = deps.auth.fromBearer(request.headers.authorization) ?? (await openSessionPrincipal(deps.auth, deps.store.sessions, request.cookies[SESSION_COOKIE], now));
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('X-Content-Type-Options', 'nosniff');
    void reply.header('Referrer-Policy', 'same-origin');
    if (!reply.hasHeader('X-Frame-Options')) void reply.header('X-Frame-Options', 'DENY');
    // JSON answers carry personal data and session-bound tokens: never kept by a browser or proxy cache.
    if (!reply.hasHeader('Cache-Control') && String(reply.getHeader('content-type') ?? '').startsWith('application/json')) void reply.header('Cache-Control', 'no-store');
    return payload;
  });

  app.decorate('requireRole', (role: Role) => async (request: FastifyRequest) => {
    const principal = request.principal;
    if (!principal) throw new HttpError(401, 'ERR_UNAUTHORIZED', 'log in or send Authorization: Bearer <token>');
    if (!roleAllows(principal.role, role)) throw new HttpError(403, 'ERR_FORBIDDEN', `needs the ${role} role`);
    if (principal.via === 'session' && WRITE_METHODS.has(request.method)) {
      const session = request.cookies[SESSION_COOKIE] ?? '';
      const header = request.headers['x-csrf-token'];
      const body = request.body as { _csrf?: unknown } | undefined;
      const token = typeof header === 'string' ? header : typeof body?._csrf === 'string' ? body._csrf : undefined;
      if (!deps.auth.checkCsrf(session, token)) throw new HttpError(403, 'ERR_CSRF', 'missing or wrong CSRF token');
    }
  });

  // Messages' grouped rows and the incident page: one cache of clusterings for both.
  const clusters = new ClusterCache();
  registerHealthRoutes(app, deps);
  registerSessionRoutes(app, deps);
  registerMessageRoutes(app, deps, clusters);
  registerReviewRoutes(app, deps);
  registerAppReviewRoutes(app, deps);
  registerSeriesRoutes(app, deps);
  registerSummaryRoutes(app, deps);
  registerSourceRoutes(app, deps);
  registerAlertRoutes(app, deps);
  registerIncidentRoutes(app, deps, clusters);
  registerDashboardRoutes(app, deps);
  registerHookRoutes(app, deps);
  registerTelegramWebhookRoutes(app, deps);
  return app;
}
