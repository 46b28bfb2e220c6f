/**
 * The API over store reviews, on SQLite and PostgreSQL: the messages list filtered by channel, app
 * version, stars and country (meta, stored as JSON text), each parameter validated; and the per-version
 * aggregate behind the dashboard's chart.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Classification } from '../../../src/domain/classification.js';
import type { Message } from '../../../src/domain/message.js';
import { buildTestApp, viewer } from '../../helpers/api.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';

let service: TestService | undefined;
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  await service?.cleanup();
  app = service = undefined;
});

const notComplaint: Classification = { complaint: false, score: 0, categories: [], lang: 'en' };

function review(id: string, at: number, meta: { rating: number; appVersion: string | null; country: string | null }): Message {
  return { id: `appstore:play:${id}`, channel: 'appstore', source: 'play', author: null, text: `review ${id}`, lang: 'en', createdAt: new Date(at).toISOString(), link: null, meta: { store: 'google-play', reviewId: id, ...meta } };
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`review filters on ${db}`, () => {
    it('filters messages by app version, stars and country; counts reviews per version', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      service = await createTestService({ db });
      const { ctx } = service;
      app = await buildTestApp(ctx);
      const now = ctx.clock.now();
      const messages: Message[] = [
        review('a', now - 5000, { rating: 1, appVersion: '4.12.0', country: null }),
        review('b', now - 4000, { rating: 2, appVersion: '4.12.0', country: null }),
        review('c', now - 3000, { rating: 5, appVersion: '4.12.0', country: null }),
        review('d', now - 2000, { rating: 4, appVersion: '4.11.0', country: null }),
        review('e', now - 1000, { rating: 1, appVersion: null, country: 'USA' }),
        // Not a review: its meta must not match review filters even with the same keys.
        { id: 'api:x', channel: 'api', source: 'api', author: null, text: 'pushed', lang: 'en', createdAt: new Date(now - 500).toISOString(), link: null, meta: { rating: 1, appVersion: '4.12.0', country: 'USA' } },
        { id: 'helpdesk:z:1', channel: 'helpdesk', source: 'zendesk', author: null, text: 'ticket', lang: 'en', createdAt: new Date(now - 400).toISOString(), link: null },
      ];
      await ctx.store.ingest(messages.map((message) => ({ message, classification: notComplaint })), now, ctx.config.series.step);
      const ids = async (query: string) => {
        const res = await app!.inject({ url: `/api/messages?${query}`, headers: viewer });
        expect(res.statusCode, res.body).toBe(200);
        return (res.json() as { items: Array<{ id: string }> }).items.map((m) => m.id.replace('appstore:play:', ''));
      };

      expect(await ids('channel=appstore')).toEqual(['e', 'd', 'c', 'b', 'a']);
      expect(await ids('channel=helpdesk')).toEqual(['helpdesk:z:1']);
      expect(await ids('appVersion=4.12.0')).toEqual(['c', 'b', 'a']);
      expect(await ids('appVersion=4.12.0&rating=1,2')).toEqual(['b', 'a']);
      expect(await ids('rating=1')).toEqual(['e', 'a']);
      expect(await ids('country=usa')).toEqual(['e']);
      expect(await ids('appVersion=4.11.0&rating=1')).toEqual([]);

      const res = await app.inject({ url: '/api/reviews/versions?window=1h', headers: viewer });
      expect(res.statusCode).toBe(200);
      expect(res.json().items).toEqual([
        { appVersion: '4.12.0', reviews: 3, lowRating: 2, lowRatingShare: 0.667, meanRating: 2.67 },
        { appVersion: '4.11.0', reviews: 1, lowRating: 0, lowRatingShare: 0, meanRating: 4 },
        { appVersion: null, reviews: 1, lowRating: 1, lowRatingShare: 1, meanRating: 1 },
      ]);
      const none = await app.inject({ url: `/api/reviews/versions?window=1h&to=${new Date(now - 3_600_000).toISOString()}`, headers: viewer });
      expect(none.json().items).toEqual([]);
    });
  });
}

describe('review filter validation', () => {
  it.each([
    ['rating=0', 'query.rating'],
    ['rating=1;2', 'query.rating'],
    ['country=U5A', 'query.country'],
    ['appVersion=%3Cscript%3E', 'query.appVersion'],
    ['channel=fax', 'query.channel'],
  ])('GET /api/messages?%s is a 400 naming %s', async (query, field) => {
    service ??= await createTestService();
    app ??= await buildTestApp(service.ctx);
    const res = await app.inject({ url: `/api/messages?${query}`, headers: viewer });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(field);
  });

  it('GET /api/reviews/versions needs a viewer and a sane window', async () => {
    service = await createTestService();
    app = await buildTestApp(service.ctx);
    expect((await app.inject({ url: '/api/reviews/versions' })).statusCode).toBe(401);
    const bad = await app.inject({ url: '/api/reviews/versions?window=90d', headers: viewer });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('query.window');
  });
});
