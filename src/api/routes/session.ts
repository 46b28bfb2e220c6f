import type { FastifyInstance } from 'fastify';
import { keyedHash } from '../../platform/hash.js';
import { RedisKeys } from '../../queues/keys.js';
import { z } from 'zod';
import { SESSION_COOKIE } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { HttpError, parseInput } from '../errors.js';

const loginSchema = z.object({ name: z.string().min(1).max(200), password: z.string().min(1).max(1000), next: z.string().optional() }).strip();

/** Failed logins allowed per IP in a window before the login answers 429 (password guessing). */
export const LOGIN_FAILURES_ALLOWED = 10;
const LOGIN_WINDOW_MS = 15 * 60_000;

/** The client address as a keyed hash (an unkeyed hash of an IPv4 address is reversed by trying them all). */
function ipHash(key: string, ip: string): string {
  return keyedHash('ip', key, ip, 16).slice('ip:'.length);
}

export function registerSessionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const secure = deps.config.server.publicUrl?.startsWith('https://') ?? false;
  const keys = new RedisKeys(deps.config.redis.prefix);
  const failureKey = (ip: string) => keys.rateCounter('login-failures', ipHash(deps.authorKey, ip), Math.floor(deps.clock.now() / LOGIN_WINDOW_MS));

  /** Log in (JSON or a plain HTML form post). Sets an HttpOnly, SameSite=Strict session cookie. */
  app.post('/api/session', async (request, reply) => {
    const body = parseInput(loginSchema, request.body, 'body');
    const key = failureKey(request.ip);
    const failures = Number((await deps.redis.get(key)) ?? 0);
    if (failures >= LOGIN_FAILURES_ALLOWED) {
      void reply.header('Retry-After', String(Math.ceil(LOGIN_WINDOW_MS / 1000)));
      throw new HttpError(429, 'ERR_TOO_MANY_LOGINS', 'too many failed logins from this address; try again later');
    }
    const principal = await deps.auth.login(body.name, body.password);
    const isForm = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    if (!principal) {
      await deps.redis.multi().incr(key).pexpire(key, LOGIN_WINDOW_MS).exec();
      deps.log.warn({ user: body.name, ip: request.ip }, 'login failed');
      if (isForm) return reply.redirect('/login?error=1', 303);
      throw new HttpError(401, 'ERR_LOGIN', 'wrong name or password');
    }
    const now = deps.clock.now();
    const issued = deps.auth.issueSession(principal, now);
    await deps.store.sessions.create({ id: issued.id, user: principal.name, createdAt: now, expiresAt: issued.expiresAt });
    const session = issued.value;
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

  /**
   * Log out: ends the session on the server (a copy of the cookie no longer works anywhere), then drops
   * the cookie. Needs the CSRF token like any session write, so another site cannot log a user out.
   */
  app.delete('/api/session', async (request, reply) => {
    const principal = request.principal;
    if (principal?.via === 'session' && principal.sessionId) {
      const session = request.cookies[SESSION_COOKIE] ?? '';
      const header = request.headers['x-csrf-token'];
      if (!deps.auth.checkCsrf(session, typeof header === 'string' ? header : undefined)) throw new HttpError(403, 'ERR_CSRF', 'missing or wrong CSRF token');
      await deps.store.sessions.end(principal.sessionId, deps.clock.now());
    }
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });
}
