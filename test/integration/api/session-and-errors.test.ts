/**
 * Logout ends the session on the server (a copied cookie stops working), JSON answers are never
 * cached, and unknown routes and over-long URLs answer the documented error shape — on SQLite and
 * PostgreSQL (sessions live in the database).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/platform/clock.js';
import { buildTestApp, PASSWORD, viewer } from '../../helpers/api.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';

const T0 = Date.UTC(2026, 2, 2, 10, 0);
const kinds: DbKind[] = ['sqlite', 'postgres'];

describe.each(kinds)('sessions and error shapes on %s', (db) => {
  let service: TestService | null = null;
  let app: FastifyInstance;
  const clock = new ManualClock(T0);

  beforeAll(async () => {
    if (db === 'postgres' && !(await postgresAvailable())) return;
    service = await createTestService({ db, clock });
    app = await buildTestApp(service.ctx);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await service?.cleanup();
  });

  async function login(): Promise<{ cookie: string; csrf: string }> {
    const res = await app.inject({ method: 'POST', url: '/api/session', payload: { name: 'anna', password: PASSWORD } });
    expect(res.statusCode).toBe(200);
    return { cookie: res.cookies.find((c) => c.name === 'radar_session')?.value ?? '', csrf: res.json().csrf };
  }

  it('logout ends the session on the server: a copy of the cookie no longer works', async (t) => {
    if (!service) return t.skip();
    const first = await login();
    const second = await login();
    const copied = { radar_session: first.cookie };
    expect((await app.inject({ url: '/api/session', cookies: copied })).json()).toMatchObject({ name: 'anna', via: 'session' });
    // Logging out needs the CSRF token (another site cannot log anyone out)…
    expect((await app.inject({ method: 'DELETE', url: '/api/session', cookies: copied })).statusCode).toBe(403);
    const out = await app.inject({ method: 'DELETE', url: '/api/session', cookies: copied, headers: { 'x-csrf-token': first.csrf } });
    expect(out.statusCode).toBe(200);
    expect(out.cookies.find((c) => c.name === 'radar_session')?.value).toBe('');
    // …and afterwards the very same cookie value is nobody, for reads and writes alike.
    expect((await app.inject({ url: '/api/session', cookies: copied })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/messages', cookies: copied })).statusCode).toBe(401);
    expect((await app.inject({ url: '/', cookies: copied })).statusCode).toBe(303);
    // The other session of the same user is untouched.
    expect((await app.inject({ url: '/api/messages', cookies: { radar_session: second.cookie } })).statusCode).toBe(200);
  });

  it('a session expires on the server side too', async (t) => {
    if (!service) return t.skip();
    const { cookie } = await login();
    clock.advance(3_600_000 + 1);
    expect((await app.inject({ url: '/api/messages', cookies: { radar_session: cookie } })).statusCode).toBe(401);
    clock.set(T0);
  });

  it('JSON answers carry Cache-Control: no-store', async (t) => {
    if (!service) return t.skip();
    for (const url of ['/api/messages', '/api/alerts', '/api/session', '/api/nope']) {
      const res = await app.inject({ url, headers: viewer });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
    const unauthorised = await app.inject({ url: '/api/messages' });
    expect(unauthorised.statusCode).toBe(401);
    expect(unauthorised.headers['cache-control']).toBe('no-store');
  });

  it('an unknown route is a 404 in the documented shape', async (t) => {
    if (!service) return t.skip();
    const res = await app.inject({ method: 'POST', url: '/api/nothing-here?x=1', headers: viewer });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'ERR_NOT_FOUND', message: 'no route POST /api/nothing-here' });
  });

  it('an over-long path segment is a 414 and a bad escape a 400, in the documented shape', async (t) => {
    if (!service) return t.skip();
    const long = await app.inject({ url: `/api/alerts/${'x'.repeat(5000)}`, headers: viewer });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({ error: 'ERR_URL_TOO_LONG', message: 'a path segment is longer than 1024 characters' });
    expect(long.headers['cache-control']).toBe('no-store');
    const bad = await app.inject({ url: '/api/alerts/%zz', headers: viewer });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'ERR_BAD_URL' });
    // A long alert id within the limit still reaches the route (404 from the route, not the router).
    const fits = await app.inject({ url: `/api/alerts/${'y'.repeat(250)}`, headers: viewer });
    expect(fits.json()).toEqual({ error: 'ERR_NOT_FOUND', message: `no alert ${'y'.repeat(250)}` });
  });
});
