/**
 * Bad input that used to reach a 500 or a silent loss: each is a 400 naming the field (and nothing is
 * queued or stored), or, for what pollers build, a dead letter with the reason. Real Redis and SQLite.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/platform/clock.js';
import { startIngestWorker, type IngestWorker } from '../../../workers/ingest.js';
import { issueFormToken } from '../../../src/dashboard/report.js';
import { admin, buildTestApp, testAuthenticator, viewer } from '../../helpers/api.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

const T0 = Date.UTC(2026, 2, 2, 10, 0);
const MIN = 60_000;

describe('input bounds', () => {
  let service: TestService;
  let app: FastifyInstance;
  let ingest: IngestWorker;
  const clock = new ManualClock(T0);
  const queued = () => service.ctx.queues.get('ingest').getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed');

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

  describe('POST /api/messages createdAt', () => {
    it.each([
      ['1e20 (was a 500)', [{ channel: 'api', text: 'x', createdAt: 1e20 }], 'body[0].createdAt', /outside the range of dates/],
      ['1e20 as a digit string', [{ channel: 'api', text: 'x', createdAt: '100000000000000000000' }], 'body[0].createdAt', /outside the range of dates/],
      ['-1e15 (was 202, then dead-lettered)', [{ channel: 'api', text: 'x', createdAt: -1e15 }], 'body[0].createdAt', /before 2000-01-01/],
      ['0 (1970)', [{ channel: 'api', text: 'x', createdAt: 0 }], 'body[0].createdAt', /before 2000-01-01/],
      ['1999-12-31', [{ channel: 'api', text: 'x', createdAt: '1999-12-31T23:59:59Z' }], 'body[0].createdAt', /before 2000-01-01/],
      ['11 minutes ahead', [{ channel: 'api', text: 'x', createdAt: T0 + 11 * MIN }], 'body[0].createdAt', /more than 10 min in the future/],
      ['the year 2999', [{ channel: 'api', text: 'x', createdAt: '2999-01-01T00:00:00Z' }], 'body[0].createdAt', /in the future .*ingest\.maxFutureSkew/],
      ['the second of a batch (nothing of the batch is queued)', [{ channel: 'api', text: 'ok', createdAt: T0 }, { channel: 'api', text: 'x', createdAt: 1e20 }], 'body[1].createdAt', /range of dates/],
    ])('%s → 400 naming the field, nothing queued', async (_name, payload, field, message) => {
      const res = await app.inject({ method: 'POST', url: '/api/messages', headers: admin, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'ERR_VALIDATION', field });
      expect(res.json().message).toMatch(message);
      expect(await queued()).toBe(0);
    });

    it('accepts up to the skew, and the skew is configurable (ingest.maxFutureSkew)', async () => {
      const near = await app.inject({ method: 'POST', url: '/api/messages', headers: admin, payload: { id: 'near-future', channel: 'api', text: 'clock a bit fast', createdAt: T0 + 9 * MIN } });
      expect(near.statusCode).toBe(202);
      const later = { channel: 'api', text: 'half an hour ahead', createdAt: T0 + 30 * MIN };
      expect((await app.inject({ method: 'POST', url: '/api/messages', headers: admin, payload: later })).statusCode).toBe(400);
      const lenient = await buildTestApp(service.ctx, { config: { ...service.ctx.config, ingest: { ...service.ctx.config.ingest, maxFutureSkew: 60 * MIN } } });
      try {
        expect((await lenient.inject({ method: 'POST', url: '/api/messages', headers: admin, payload: { ...later, id: 'half-hour' } })).statusCode).toBe(202);
      } finally {
        await lenient.close();
      }
      // (The ingest worker here runs with the 10-minute default, so only the near one is stored.)
      await waitFor(async () => (await service.ctx.store.messages.get('api:near-future')) !== null);
    });
  });

  describe('POST /api/series/:key point times', () => {
    it.each([
      [[{ t: 1e20, v: 1 }], 'body.points[0].t'],
      [[{ t: T0, v: 1 }, { t: T0 + 11 * MIN, v: 1 }], 'body.points[1].t'],
      [[{ t: 0, v: 1 }], 'body.points[0].t'],
      [[{ t: '2999-01-01T00:00:00Z', v: 1 }], 'body.points[0].t'],
    ])('%j → 400 naming %s, nothing stored', async (points, field) => {
      const res = await app.inject({ method: 'POST', url: '/api/series/bounds.test', headers: admin, payload: { points } });
      expect(res.statusCode).toBe(400);
      expect(res.json().field).toBe(field);
      expect(await service.ctx.store.series.keys()).not.toContain('bounds.test');
    });
    it('a point within the skew is stored', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/series/bounds.test', headers: admin, payload: [{ t: T0 + 5 * MIN, v: 3 }] });
      expect(res.statusCode).toBe(202);
      expect(await service.ctx.store.series.keys()).toContain('bounds.test');
    });
  });

  describe('query times', () => {
    it.each([
      ['/api/series/traffic?from=100000000000000000000', 'query.from'],
      ['/api/series/traffic?to=1e400', 'query.to'],
      ['/api/messages?from=-100000000000000000', 'query.from'],
      ['/api/summary?to=100000000000000000000', 'query.to'],
    ])('%s → 400 naming %s', async (url, field) => {
      const res = await app.inject({ url, headers: viewer });
      expect(res.statusCode).toBe(400);
      expect(res.json().field).toBe(field);
    });
  });

  describe('relabel', () => {
    beforeAll(async () => {
      await app.inject({ method: 'POST', url: '/api/messages', headers: admin, payload: { id: 'relabel-me', channel: 'email', text: 'cannot login, password rejected', createdAt: T0 - MIN } });
      await waitFor(async () => (await service.ctx.store.messages.get('api:relabel-me')) !== null);
    });
    it.each([
      [{ complaint: true, category: 'made-up' }],
      [{ complaint: false, category: 'made-up' }],
    ])('%j: a category not in the keyword config is a 400 (was 200), the label is unchanged', async (payload) => {
      const res = await app.inject({ method: 'POST', url: '/api/messages/api:relabel-me/label', headers: viewer, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().field).toBe('body.category');
      expect(res.json().message).toContain('"made-up" is not a category');
      expect((await service.ctx.store.messages.get('api:relabel-me'))?.label ?? null).toBeNull();
    });
    it('a category of the keyword config is accepted', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/messages/api:relabel-me/label', headers: viewer, payload: { complaint: true, category: 'slow' } });
      expect(res.statusCode).toBe(200);
      expect((await service.ctx.store.messages.get('api:relabel-me'))?.label?.category).toBe('slow');
    });
  });

  describe('paging cursor', () => {
    it.each(['garbage', 'W10', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url'), 'a.b'])(
      'cursor=%s → 400 naming query.cursor (was page 1: a paging loop never ended)',
      async (cursor) => {
        const res = await app.inject({ url: `/api/messages?cursor=${encodeURIComponent(cursor)}`, headers: viewer });
        expect(res.statusCode).toBe(400);
        expect(res.json().field).toBe('query.cursor');
      },
    );
    it('the cursor a page gives leads to the next page, then to the end', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page++) {
        const res = await app.inject({ url: `/api/messages?limit=1${cursor ? `&cursor=${cursor}` : ''}`, headers: viewer });
        expect(res.statusCode).toBe(200);
        const body = res.json() as { items: { id: string }[]; nextCursor: string | null };
        seen.push(...body.items.map((m) => m.id));
        cursor = body.nextCursor;
        if (cursor === null) break;
      }
      expect(cursor).toBeNull();
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(await service.ctx.store.messages.count({}));
    });
  });

  describe('repeated query keys', () => {
    it.each([
      ['GET', '/api/series/traffic?from=1&from=2', 'query.from'],
      ['GET', '/api/messages?limit=1&limit=2', 'query.limit'],
      ['GET', '/api/messages?cursor=a&cursor=b', 'query.cursor'],
      ['GET', '/api/summary?window=1h&window=2h', 'query.window'],
      ['GET', '/api/alerts?state=firing&state=resolved', 'query.state'],
      ['GET', '/api/dead-letters?limit=1&limit=1', 'query.limit'],
      ['GET', '/api/sources?x=1&x=1', 'query.x'],
      ['GET', '/report?embed=1&embed=1', 'query.embed'],
      ['GET', '/health?a=1&a=2', 'query.a'],
      ['POST', '/api/messages?a=1&a=2', 'query.a'],
    ])('%s %s → 400 naming %s', async (method, url, field) => {
      const res = await app.inject({ method: method as 'GET', url, headers: method === 'POST' ? admin : viewer, ...(method === 'POST' ? { payload: { channel: 'api', text: 'x' } } : {}) });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'ERR_VALIDATION', field });
    });
    it('distinct keys are fine', async () => {
      expect((await app.inject({ url: `/api/series/traffic?from=${T0 - 60 * MIN}&to=${T0}`, headers: viewer })).statusCode).toBe(200);
    });
  });

  describe('the report form', () => {
    const headers = () => ({ 'x-csrf-token': issueFormToken((v) => testAuthenticator().sign(v), clock.now()) });
    it('takes no time from the client: a createdAt is a 400 naming the body, a report is dated by the server', async () => {
      const bad = await app.inject({ method: 'POST', url: '/api/reports', headers: headers(), payload: { wrong: 'the inbox is empty', createdAt: 1e20 } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().field).toBe('body');
      expect(bad.json().message).toContain('createdAt');
      const ok = await app.inject({ method: 'POST', url: '/api/reports', headers: headers(), payload: { wrong: 'the inbox is empty' } });
      expect(ok.statusCode).toBe(202);
      const id = ok.json().id as string;
      await waitFor(async () => (await service.ctx.store.messages.get(id)) !== null);
      expect((await service.ctx.store.messages.get(id))?.createdAt).toBe(new Date(clock.now()).toISOString());
    });
  });

  describe('what pollers build goes through the same bound', () => {
    it.each([
      ['twitter:absurd-future', '2999-01-01T00:00:00.000Z', /more than 10 min in the future/],
      ['imap:box:INBOX:1:7', '1900-01-01T00:00:00.000Z', /before 2000-01-01/],
    ])('%s dated %s is dead-lettered with the reason, not stored', async (id, createdAt, reason) => {
      await service.ctx.queues.enqueueMessages([
        { id, channel: id.startsWith('twitter') ? 'twitter' : 'email', source: 'bounds', author: null, text: 'login broken', lang: 'en', createdAt, link: null },
      ]);
      await waitFor(async () => (await service.ctx.store.deadLetters.list(100)).some((d) => d.messageId === id), 10_000, 'dead letter');
      const letter = (await service.ctx.store.deadLetters.list(100)).find((d) => d.messageId === id);
      expect(letter?.reason).toMatch(/createdAt/);
      expect(letter?.reason).toMatch(reason);
      expect(await service.ctx.store.messages.get(id)).toBeNull();
    });
  });
});
