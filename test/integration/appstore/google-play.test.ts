/**
 * The Google Play source: the real client (JWT-bearer grant signed with the service account's key,
 * reviews.list paging) against a local fake that verifies the JWT, on real Redis and SQLite. Paging,
 * cursor resume in a new process (nothing missed or doubled, edits and same-instant reviews), page
 * cap backlog, rate limits, rejected keys, malformed reviews.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppStorePollHandler } from '../../../src/sources/appstore/index.js';
import { SourceAuthError, SourceRateLimitError } from '../../../src/sources/poll.js';
import { FakeGooglePlay } from '../../helpers/fake-store-servers.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { CLIENT_EMAIL, googlePlaySource, PACKAGE, playFixtureReviews, playReview, playReviewTime, recordingContext, rsaKeys, TEST_AUTHOR_KEY, withPlayTime, type RsaKeys } from './setup.js';

let service: TestService;
let fake: FakeGooglePlay;
let keys: RsaKeys;

beforeEach(async () => {
  service = await createTestService();
  keys = rsaKeys();
  fake = await FakeGooglePlay.start({ publicKey: keys.publicKey, clientEmail: CLIENT_EMAIL, packageName: PACKAGE });
});

afterEach(async () => {
  await fake.close();
  await service.cleanup();
});

const handlerFor = (overrides: Record<string, unknown> = {}) => createAppStorePollHandler([googlePlaySource(fake, keys.privatePem, overrides)], { authorKey: TEST_AUTHOR_KEY });

describe('google play reviews (real client, fake Android Publisher API)', () => {
  it('gets a token with a signed JWT, pages through the reviews and maps rating, version, device into meta', async () => {
    const { ctx } = service;
    const reviews = playFixtureReviews(ctx.clock.now());
    fake.reviews = reviews;
    fake.pageSize = 3;
    const poll = recordingContext(ctx);

    const result = await handlerFor({ translationLanguage: 'en' }).pollOnce({ source: 'play' }, poll);

    expect(result).toMatchObject({ pages: 2, fetched: 4, deadLettered: 0, complete: true });
    expect(fake.grants).toBe(1); // one token for both pages
    const [grant, first, second] = fake.requests;
    expect(grant?.path).toBe('/token');
    expect(grant?.claims).toMatchObject({ iss: CLIENT_EMAIL, aud: fake.tokenUri, scope: 'https://www.googleapis.com/auth/androidpublisher' });
    expect(first?.path).toBe(`/androidpublisher/v3/applications/${PACKAGE}/reviews`);
    expect(first?.query).toEqual({ maxResults: '100', translationLanguage: 'en' });
    expect(second?.query.token).toMatch(/^[0-9a-f]{32}$/);
    expect(poll.enqueued.map((m) => m.id)).toEqual(reviews.map((r) => `appstore:play:${r.reviewId}`));

    const [crash, ru, bare, happy] = poll.enqueued;
    expect(crash).toMatchObject({
      channel: 'appstore',
      source: 'play',
      text: 'The app crashes every time I open an attachment since the last update',
      lang: 'en',
      createdAt: new Date(playReviewTime(reviews[0]!)).toISOString(),
      link: `https://play.google.com/store/apps/details?id=${PACKAGE}&reviewId=gp%3AAOqpTOH3B2mX1cL9qQyFz0k`,
      meta: { store: 'google-play', rating: 1, appVersion: '4.12.0', appVersionCode: 4120, device: 'E5823', deviceModel: 'Sony E5823 (Xperia Z5 Compact)', osVersion: 'Android API 23', country: null, reviewerLanguage: 'en' },
    });
    expect(crash?.author).toMatch(/^appstore:google-play:[0-9a-f]{20}$/);
    expect(crash?.author).not.toContain('Jane');
    expect(ru).toMatchObject({ text: 'Не приходят письма\nПосле обновления почта не синхронизируется, уведомлений нет', lang: 'ru', meta: { title: 'Не приходят письма', rating: 2 } });
    expect(bare).toMatchObject({ text: '', meta: { rating: 1, appVersion: '4.11.0' } }); // a rating with no words is still a message
    expect(happy?.meta).toMatchObject({ rating: 5 });
    expect(await ctx.sources.getCursor('play')).toEqual({ t: playReviewTime(reviews[0]!), ids: [reviews[0]!.reviewId] });
  });

  it('resumes from the cursor in a new process: new reviews, edits and a review at the cursor instant, each once', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const t0 = now - 30 * 60_000;
    const a = playReview('gp:a', t0);
    const b = playReview('gp:b', t0 + 1000);
    fake.reviews = [a, b];
    const first = recordingContext(ctx);
    await handlerFor().pollOnce({ source: 'play' }, first);
    expect(first.enqueued.map((m) => m.id)).toEqual(['appstore:play:gp:b', 'appstore:play:gp:a']);

    // Meanwhile: a new review, an edit of `a` (Google moves lastModified), and one written in the same millisecond as `b`.
    fake.upsert(playReview('gp:c', t0 + 5000));
    fake.upsert(withPlayTime(a, t0 + 6000, { text: '\tmail does not load — still broken in 4.12.1', starRating: 2 }));
    fake.upsert(playReview('gp:b2', t0 + 1000));
    const second = recordingContext(ctx);
    const result = await handlerFor().pollOnce({ source: 'play' }, second); // a new handler: as after a restart

    expect(second.enqueued.map((m) => m.id).sort()).toEqual(['appstore:play:gp:a', 'appstore:play:gp:b2', 'appstore:play:gp:c']);
    expect(second.enqueued.find((m) => m.id === 'appstore:play:gp:a')).toMatchObject({ text: 'mail does not load — still broken in 4.12.1', meta: { rating: 2, revisedAt: new Date(t0 + 6000).toISOString() } });
    expect(result).toMatchObject({ fetched: 3, skipped: 1, complete: true });

    const third = recordingContext(ctx);
    expect(await handlerFor().pollOnce({ source: 'play' }, third)).toMatchObject({ fetched: 0, complete: true });
    expect(third.enqueued).toEqual([]);
    expect(await ctx.sources.getCursor('play')).toEqual({ t: t0 + 6000, ids: ['gp:a'] });
  });

  it('a page cap leaves a backlog that the next polls drain: every review exactly once', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const reviews = Array.from({ length: 7 }, (_, i) => playReview(`gp:r${i}`, now - 60 * 60_000 + i * 1000));
    fake.reviews = reviews;
    fake.pageSize = 2;
    const all: string[] = [];
    const results = [];
    for (let i = 0; i < 4; i++) {
      const poll = recordingContext(ctx);
      results.push(await handlerFor({ maxPagesPerPoll: 1 }).pollOnce({ source: 'play' }, poll));
      all.push(...poll.enqueued.map((m) => m.id));
      if (i === 0) fake.upsert(playReview('gp:late', now - 1000)); // arrives while the backlog drains
    }
    expect(results.map((r) => r.complete)).toEqual([false, false, false, true]);
    // The late review shifted the pages one place down: the backlog skips what it had enqueued, and
    // leaves the late one to the next poll from the top.
    expect(all.sort()).toEqual(reviews.map((r) => `appstore:play:${r.reviewId}`).sort());
    const fifth = recordingContext(ctx);
    await handlerFor({ maxPagesPerPoll: 1 }).pollOnce({ source: 'play' }, fifth);
    expect(fifth.enqueued.map((m) => m.id)).toEqual(['appstore:play:gp:late']);
    const sixth = recordingContext(ctx);
    await handlerFor({ maxPagesPerPoll: 1 }).pollOnce({ source: 'play' }, sixth);
    expect(sixth.enqueued).toEqual([]);
  });

  it('a 429 becomes SourceRateLimitError with the Retry-After time, and nothing moves', async () => {
    const { ctx } = service;
    fake.reviews = [playReview('gp:x', ctx.clock.now() - 60_000)];
    fake.fail({ kind: 'status', status: 429, headers: { 'retry-after': '120' }, body: { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } } }, 1, /reviews$/);
    const before = Date.now();
    const error = await handlerFor().pollOnce({ source: 'play' }, recordingContext(ctx)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceRateLimitError);
    expect((error as SourceRateLimitError).resetAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(await ctx.sources.getCursor('play')).toBeNull();
  });

  it('a key Google does not know is a SourceAuthError that never shows the key', async () => {
    const { ctx } = service;
    const other = rsaKeys();
    const error = await createAppStorePollHandler([googlePlaySource(fake, other.privatePem)], { authorKey: TEST_AUTHOR_KEY })
      .pollOnce({ source: 'play' }, recordingContext(ctx))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toBe('Google refused the service account (HTTP 400: invalid_grant — Invalid JWT: bad signature)');
    expect((error as Error).message).not.toContain('PRIVATE KEY');
    expect(fake.requests.filter((r) => r.path.endsWith('/reviews'))).toHaveLength(0);
  });

  it('a 403 from the reviews API (no access to the app) is a SourceAuthError', async () => {
    const { ctx } = service;
    fake.fail({ kind: 'status', status: 403, body: { error: { code: 403, message: 'The current user has insufficient permissions to perform the requested operation.', status: 'PERMISSION_DENIED' } } }, 1, /reviews$/);
    const error = await handlerFor().pollOnce({ source: 'play' }, recordingContext(ctx)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toMatch(/^Google Play reviews API rejected the credentials \(HTTP 403: The current user has insufficient permissions/);
  });

  it('a malformed review is dead-lettered; its neighbours are enqueued and the cursor moves past it', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const good1 = playReview('gp:g1', now - 3000);
    const good2 = playReview('gp:g2', now - 1000);
    fake.reviews = [good1, { reviewId: 'gp:bad', authorName: 'x', comments: [{ userComment: { text: 'no stars', lastModified: { seconds: String(Math.floor((now - 2000) / 1000)) } } }] }, good2];
    const poll = recordingContext(ctx);
    const result = await handlerFor().pollOnce({ source: 'play' }, poll);
    expect(result).toMatchObject({ fetched: 2, deadLettered: 1 });
    expect(poll.enqueued.map((m) => m.id)).toEqual(['appstore:play:gp:g2', 'appstore:play:gp:g1']);
    const letters = await ctx.store.deadLetters.list(10);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ messageId: 'appstore:play:gp:bad', source: 'play', reason: 'malformed Google Play review: comments.0.userComment.starRating: Required' });
  });

  it('a page of the wrong shape fails the poll retryably, keeping the cursor', async () => {
    const { ctx } = service;
    fake.fail({ kind: 'bad-shape' }, 1, /reviews$/);
    const error = await handlerFor().pollOnce({ source: 'play' }, recordingContext(ctx)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_SOURCE', retryable: true });
    expect((error as Error).message).toMatch(/^Google Play reviews API sent an unexpected page: reviews: Expected array/);
  });
});
