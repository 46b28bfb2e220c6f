import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/platform/clock.js';
import { startIngestWorker, type IngestWorker } from '../../../workers/ingest.js';
import { commitDetectTick, runDetectTick } from '../../../workers/detect.js';
import { admin, buildTestApp, PASSWORD, viewer } from '../../helpers/api.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

const T0 = Date.UTC(2026, 2, 2, 10, 0);

describe('HTTP api', () => {
  let service: TestService;
  let app: FastifyInstance;
  let ingest: IngestWorker;
  const clock = new ManualClock(T0);

  beforeAll(async () => {
    service = await createTestService({ clock });
    app = await buildTestApp(service.ctx);
    ingest = startIngestWorker(service.ctx);
  });
  afterAll(async () => {
    await app.close();
    await ingest.close();
    await service.cleanup();
  });

  it('GET /health is 200 with checks when Redis and the database answer', async () => {
    const res = await app.inject({ url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', checks: { redis: 'ok', database: 'ok' } });
  });

  it.each([
    ['GET', '/api/messages'],
    ['POST', '/api/messages'],
    ['POST', '/api/series/traffic'],
    ['GET', '/api/summary'],
    ['GET', '/api/dead-letters'],
    ['GET', '/api/sources'],
  ])('%s %s needs authentication', async (method, url) => {
    const res = await app.inject({ method: method as 'GET', url, payload: method === 'POST' ? {} : undefined });
    expect(res.statusCode).toBe(401);
  });

  it('a viewer token cannot push', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/messages', headers: viewer, payload: { channel: 'api', text: 'x' } });
    expect(res.statusCode).toBe(403);
  });

  it.each([
    [{ channel: 'fax', text: 'hello' }, 'body[0].channel'],
    [[{ channel: 'twitter', text: 'ok' }, { channel: 'twitter' }], 'body[1].text'],
    [{ messages: [{ channel: 'email', text: 'x', createdAt: 'yesterday' }] }, 'body[0].createdAt'],
    [{ channel: 'email', text: 'x', extra: 1 }, 'body[0]'],
    [{ channel: 'twitter', text: 'x', link: 'javascript:alert(1)' }, 'body[0].link'],
  ])('POST /api/messages rejects %j naming %s and stores nothing', async (payload, field) => {
    const res = await app.inject({ method: 'POST', url: '/api/messages', headers: admin, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(field);
    expect(await service.ctx.queues.get('ingest').getJobCountByTypes('waiting', 'active', 'completed')).toBe(0);
  });

  it('POST /api/messages → 202 with ids; the messages are classified, stored and counted once', async () => {
    const payload = [
      { id: 'ticket-1', channel: 'email', text: 'Cannot log in since this morning, password reset link broken', createdAt: T0 - 120_000 },
      { id: 'ticket-2', channel: 'twitter', text: 'Не могу войти в почту, пишет неверный пароль', createdAt: new Date(T0 - 60_000).toISOString() },
      { channel: 'api', text: 'Love the new theme!', createdAt: T0 - 60_000, author: 'someone@example.com' },
    ];
    const res = await app.inject({ method: 'POST', url: '/api/messages', headers: admin, payload });
    expect(res.statusCode).toBe(202);
    const { ids } = res.json() as { ids: string[] };
    expect(ids.slice(0, 2)).toEqual(['api:ticket-1', 'api:ticket-2']);
    await app.inject({ method: 'POST', url: '/api/messages', headers: admin, payload: payload.slice(0, 2) }); // resent
    await waitFor(async () => (await service.ctx.store.messages.count()) === 3);

    const list = await app.inject({ url: '/api/messages?complaint=true&limit=1', headers: viewer });
    const page = list.json() as { items: Array<{ id: string; classification: { categories: Array<{ name: string }> } }>; nextCursor: string };
    expect(page.items).toHaveLength(1);
    expect(page.items[0]?.id).toBe('api:ticket-2');
    expect(page.items[0]?.classification.categories[0]?.name).toBe('login');
    const next = await app.inject({ url: `/api/messages?complaint=true&limit=1&cursor=${page.nextCursor}`, headers: viewer });
    expect(next.json().items[0].id).toBe('api:ticket-1');
    expect(next.json().nextCursor).toBeNull();

    const search = await app.inject({ url: `/api/messages?q=${encodeURIComponent('ПАРОЛЬ')}`, headers: viewer });
    expect(search.json().items.map((m: { id: string }) => m.id)).toEqual(['api:ticket-2']);
    const praise = await app.inject({ url: '/api/messages?complaint=false', headers: viewer });
    expect(praise.json().items[0].author).toMatch(/^h:[0-9a-f]{24}$/);

    const series = await app.inject({ url: `/api/series/complaints.login?from=${T0 - 180_000}&to=${T0}`, headers: viewer });
    expect(series.json().points).toEqual([
      { t: T0 - 180_000, v: 0 },
      { t: T0 - 120_000, v: 1 },
      { t: T0 - 60_000, v: 1 },
    ]);
  });

  it('series push: set is idempotent, add accumulates; computed keys cannot be pushed', async () => {
    const push = (payload: object) => app.inject({ method: 'POST', url: '/api/series/traffic', headers: admin, payload });
    expect((await push([{ t: T0 - 120_000, v: 1000 }, { t: T0 - 60_000, v: 2000 }])).statusCode).toBe(202);
    await push([{ t: T0 - 60_000, v: 2000 }]);
    await push({ points: [{ t: new Date(T0 - 90_000).toISOString(), v: 500 }], mode: 'add' });
    const res = await app.inject({ url: `/api/series/traffic?from=${T0 - 120_000}&to=${T0}`, headers: viewer });
    expect(res.json().points).toEqual([{ t: T0 - 120_000, v: 1500 }, { t: T0 - 60_000, v: 2000 }]);
    const rate = await app.inject({ url: `/api/series/complaints.login?from=${T0 - 120_000}&to=${T0}&rate=true`, headers: viewer });
    expect(rate.json().points).toEqual([{ t: T0 - 120_000, v: (1 / 1500) * 1e6 }, { t: T0 - 60_000, v: (1 / 2000) * 1e6 }]);
    expect((await app.inject({ method: 'POST', url: '/api/series/complaints', headers: admin, payload: [{ t: T0, v: 1 }] })).statusCode).toBe(400);
    expect((await push([{ t: T0, v: 'many' }])).json().field).toBe('body.points[0].v');
  });

  it('GET /api/series/:key?with=band answers what the detector tick stored, one entry per point; a too wide range is a 400', async () => {
    await commitDetectTick(service.ctx, await runDetectTick(service.ctx, T0));
    const res = await app.inject({ url: `/api/series/complaints.login?with=band&from=${T0 - 180_000}&to=${T0}`, headers: viewer });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { points: Array<{ t: number; v: number }>; band: Array<{ t: number; value: number | null; score: number; alert: boolean; judged: boolean }> };
    expect(body.band.map((b) => b.t)).toEqual(body.points.map((p) => p.t));
    const stored = await service.ctx.store.detectorPoints.read('complaints.login', T0 - 180_000, T0);
    expect(stored.length).toBeGreaterThan(0);
    expect(body.band.filter((b) => b.judged).map((b) => b.t)).toEqual(stored.map((p) => p.t));
    for (const b of body.band.filter((x) => x.judged)) expect(b.value).toBe(body.points.find((p) => p.t === b.t)?.v);
    const wide = await app.inject({ url: '/api/series/complaints.login?with=band&from=0', headers: viewer });
    expect(wide.statusCode).toBe(400);
    expect(wide.json().message).toMatch(/series\.maxRange \(90d\)/);
  });

  it('GET /api/summary gives count, rate, share and top terms per category', async () => {
    const res = await app.inject({ url: '/api/summary?window=1h', headers: viewer });
    const body = res.json() as { total: number; categories: Array<{ category: string; count: number; share: number; rate: number; topTerms: Array<{ term: string }> }> };
    expect(body.total).toBe(2);
    const login = body.categories.find((c) => c.category === 'login');
    expect(login).toMatchObject({ count: 2, share: 1 });
    expect(login?.rate).toBeCloseTo((2 / 3500) * 1e6);
    expect(login?.topTerms.length).toBeGreaterThan(0);
    const ru = await app.inject({ url: '/api/summary?window=1h&lang=ru', headers: viewer });
    expect(ru.json().categories).toMatchObject([{ category: 'login', count: 1 }]);
    expect((await app.inject({ url: '/api/summary?window=forever', headers: viewer })).statusCode).toBe(400);
  });

  it('relabel: a viewer corrects a message; the effective category changes and the label is exported', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/messages/api:ticket-1/label', headers: viewer, payload: { complaint: true, category: 'slow' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().label).toMatchObject({ complaint: true, category: 'slow' });
    const filtered = await app.inject({ url: '/api/messages?category=slow', headers: viewer });
    expect(filtered.json().items.map((m: { id: string }) => m.id)).toEqual(['api:ticket-1']);
    const exported = await app.inject({ url: '/api/labels/export', headers: viewer });
    expect(exported.body.trim().split('\n').map((l) => JSON.parse(l))).toMatchObject([{ id: 'api:ticket-1', complaint: true, category: 'slow' }]);
    expect((await app.inject({ method: 'POST', url: '/api/messages/nope/label', headers: viewer, payload: { complaint: false } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/messages/api:ticket-1/label', headers: viewer, payload: { complaint: true } })).json().field).toBe('body.category');
  });

  it('session login: cookie works for reads; writes need the CSRF token', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/session', payload: { name: 'anna', password: 'wrong' } });
    expect(bad.statusCode).toBe(401);
    const login = await app.inject({ method: 'POST', url: '/api/session', payload: { name: 'anna', password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'radar_session');
    expect(cookie?.httpOnly).toBe(true);
    const cookies = { radar_session: cookie?.value ?? '' };
    expect((await app.inject({ url: '/api/messages', cookies })).statusCode).toBe(200);
    const label = { complaint: false };
    expect((await app.inject({ method: 'POST', url: '/api/messages/api:ticket-2/label', cookies, payload: label })).statusCode).toBe(403);
    const ok = await app.inject({ method: 'POST', url: '/api/messages/api:ticket-2/label', cookies, headers: { 'x-csrf-token': login.json().csrf }, payload: label });
    expect(ok.statusCode).toBe(200);
    // a viewer session cannot push
    const push = await app.inject({ method: 'POST', url: '/api/messages', cookies, headers: { 'x-csrf-token': login.json().csrf }, payload: { channel: 'api', text: 'x' } });
    expect(push.statusCode).toBe(403);
    // a forged cookie is nobody
    expect((await app.inject({ url: '/api/messages', cookies: { radar_session: `${cookie?.value.split('.')[0]}.forged` } })).statusCode).toBe(401);
  });

  it('password guessing: after 10 failed logins from one address the login answers 429', async () => {
    const attempt = (password: string) =>
      app.inject({ method: 'POST', url: '/api/session', remoteAddress: '192.0.2.7', payload: { name: 'anna', password } });
    for (let i = 0; i < 10; i += 1) expect((await attempt(`guess-${i}`)).statusCode).toBe(401);
    const blocked = await attempt(PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBe('900');
    // another address is not affected
    expect((await app.inject({ method: 'POST', url: '/api/session', remoteAddress: '192.0.2.8', payload: { name: 'anna', password: PASSWORD } })).statusCode).toBe(200);
    clock.advance(15 * 60_000);
    expect((await attempt(PASSWORD)).statusCode).toBe(200);
  });

  it('GET /metrics speaks the Prometheus text format', async () => {
    const res = await app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/radar_messages_ingested_total\{channel="email",source="api"\} 1/);
    expect(res.body).toMatch(/radar_complaints_total\{category="login",channel="twitter",language="ru"\} 1/);
    expect(res.body).toMatch(/radar_queue_depth\{queue="ingest",state="waiting"\} 0/);
  });

  it('GET /api/dead-letters lists what could not be processed', async () => {
    await service.ctx.store.deadLetters.add({ messageId: 'x:1', queue: 'ingest', source: 'api', payload: '{}', reason: 'invalid message: text: Required', attempts: 1 }, T0);
    const res = await app.inject({ url: '/api/dead-letters', headers: viewer });
    expect(res.json()).toMatchObject({ total: 1, items: [{ messageId: 'x:1', reason: 'invalid message: text: Required' }] });
  });
});
