import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SESSION_COOKIE } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { HttpError, parseInput } from '../errors.js';

const loginSchema = z.object({ name: z.string().min(1).max(200), password: z.string().min(1).max(1000), next: z.string().optional() }).strip();

export function registerSessionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const secure = deps.config.server.publicUrl?.startsWith('https://') ?? false;

  /** Log in (JSON or a plain HTML form post). Sets an HttpOnly, SameSite=Strict session cookie. */
  app.post('/api/session', async (request, reply) => {
    const body = parseInput(loginSchema, request.body, 'body');
    const principal = deps.auth.login(body.name, body.password);
    const isForm = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    if (!principal) {
      deps.log.warn({ user: body.name, ip: request.ip }, 'login failed');
      if (isForm) return reply.redirect('/login?error=1', 303);
      throw new HttpError(401, 'ERR_LOGIN', 'wrong name or password');
    }
    const session = deps.auth.issueSession(principal, deps.clock.now());
    void reply.setCookie(SESSION_COOKIE, session, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure,
      maxAge: Math.floor(deps.config.auth.sessionTtl / 1000),
    });
    if (isForm) {
      const next = body.next && /^\/(?!\/)[\w\-./?=&%#]*$/.test(body.next) ? body.next : '/';
      return reply.redirect(next, 303);
    }
    return { name: principal.name, role: principal.role, csrf: deps.auth.csrfToken(session) };
  });

  /** Who am I, and the CSRF token the dashboard sends back on writes. */
  app.get('/api/session', async (request) => {
    const principal = request.principal;
    if (!principal) throw new HttpError(401, 'ERR_UNAUTHORIZED', 'not logged in');
    const session = request.cookies[SESSION_COOKIE];
    return { name: principal.name, role: principal.role, via: principal.via, csrf: session ? deps.auth.csrfToken(session) : null };
  });

  app.delete('/api/session', async (_request, reply) => {
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });
}
