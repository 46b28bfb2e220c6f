/**
 * The App Store source: the real client (ES256 JWT from the .p8 key, `links.next` paging) against a
 * local fake of App Store Connect that verifies the JWT, on real Redis and SQLite.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppStorePollHandler, defaultReviewsClient } from '../../../src/sources/appstore/index.js';
import { SourceAuthError, SourceRateLimitError } from '../../../src/sources/poll.js';
import { FakeAppStoreConnect } from '../../helpers/fake-store-servers.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { APP_ID, appFixtureReviews, appReview, appStoreSource, ecKeys, ISSUER, KEY_ID, recordingContext, TEST_AUTHOR_KEY, type RsaKeys } from './setup.js';

let service: TestService;
let fake: FakeAppStoreConnect;
let keys: RsaKeys;

beforeEach(async () => {
  service = await createTestService();
  keys = ecKeys();
  fake = await FakeAppStoreConnect.start({ publicKey: keys.publicKey, issuerId: ISSUER, keyId: KEY_ID, appId: APP_ID });
});

afterEach(async () => {
  await fake.close();
  await service.cleanup();
});

const handlerFor = (overrides: Record<string, unknown> = {}) => createAppStorePollHandler([appStoreSource(fake.url, keys.privatePem, overrides)], { authorKey: TEST_AUTHOR_KEY });

describe('app store customer reviews (real client, fake App Store Connect)', () => {
  it('signs an ES256 JWT of at most 20 minutes, follows links.next, keeps rating and territory, leaves appVersion null', async () => {
    const { ctx } = service;
    const reviews = appFixtureReviews(ctx.clock.now());
    fake.reviews = reviews;
    fake.pageSize = 2;
    const poll = recordingContext(ctx);

    const result = await handlerFor().pollOnce({ source: 'ios' }, poll);

    expect(result).toMatchObject({ pages: 2, fetched: 3, complete: true, rateLimit: { limit: 3600 } });
    const [first, second] = fake.requests;
    expect(first?.status).toBe(200);
    expect(first?.path).toBe(`/v1/apps/${APP_ID}/customerReviews`);
    expect(first?.query).toEqual({ sort: '-createdDate', limit: '200' });
    expect(first?.claims).toMatchObject({ iss: ISSUER, aud: 'appstoreconnect-v1' });
    expect(Number(first?.claims?.exp) - Number(first?.claims?.iat)).toBe(1200);
    expect(second?.query.cursor).toMatch(/^[0-9a-f]{32}$/); // Apple's absolute next link, followed on the fake's host
    const [crash, ru, happy] = poll.enqueued;
    expect(crash).toMatchObject({
      id: 'appstore:ios:00000041-3b56-d503-e18c-91a200000000',
      channel: 'appstore',
      text: 'Crashes on launch\nSince the update the app crashes right after the splash screen. iPhone 13, iOS 17.',
      lang: null,
      link: null,
      meta: { store: 'app-store', rating: 1, title: 'Crashes on launch', country: 'USA', appVersion: null, device: null },
    });
    expect(crash?.author).toMatch(/^appstore:app-store:[0-9a-f]{20}$/);
    expect(ru?.meta).toMatchObject({ rating: 2, country: 'RUS' });
    expect(happy?.meta).toMatchObject({ rating: 5, country: 'GBR' });
  });

  it('reads the key from a .p8 file, resumes in a new process and stops at the reviews it has', async () => {
    const { ctx } = service;
    const dir = mkdtempSync(join(tmpdir(), 'radar-p8-'));
    try {
      const file = join(dir, `AuthKey_${KEY_ID}.p8`);
      writeFileSync(file, keys.privatePem, { mode: 0o600 });
      const config = { privateKey: undefined, privateKeyFile: file };
      const now = ctx.clock.now();
      fake.pageSize = 2;
      fake.reviews = Array.from({ length: 5 }, (_, i) => appReview(`r${i}`, now - 60 * 60_000 + i * 60_000));
      const first = recordingContext(ctx);
      await handlerFor(config).pollOnce({ source: 'ios' }, first);
      expect(first.enqueued.map((m) => m.id)).toEqual(['r4', 'r3', 'r2', 'r1', 'r0'].map((id) => `appstore:ios:${id}`));

      fake.reviews.push(appReview('r5', now - 60_000), appReview('r6', now - 30_000));
      fake.requests.length = 0;
      const second = recordingContext(ctx);
      const result = await handlerFor(config).pollOnce({ source: 'ios' }, second);
      expect(second.enqueued.map((m) => m.id)).toEqual(['appstore:ios:r6', 'appstore:ios:r5']);
      // page 1 = r6 r5 (new), page 2 = r4 r3 (covered): it stops there, never reading page 3
      expect(fake.requests).toHaveLength(2);
      expect(result).toMatchObject({ fetched: 2, skipped: 2, complete: true });
      expect(await ctx.sources.getCursor('ios')).toEqual({ t: now - 30_000, ids: ['r6'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a 429 waits for Retry-After (or a minute without it)', async () => {
    const { ctx } = service;
    fake.fail({ kind: 'status', status: 429, body: { errors: [{ status: '429', code: 'RATE_LIMIT_EXCEEDED', title: 'The request rate limit has been reached.' }] } });
    const before = Date.now();
    const error = await handlerFor().pollOnce({ source: 'ios' }, recordingContext(ctx)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceRateLimitError);
    expect((error as SourceRateLimitError).resetAt).toBeGreaterThanOrEqual(before + 60_000);
  });

  it('a revoked or foreign key is a SourceAuthError (the fake checks the signature)', async () => {
    const { ctx } = service;
    const error = await createAppStorePollHandler([appStoreSource(fake.url, ecKeys().privatePem)], { authorKey: TEST_AUTHOR_KEY })
      .pollOnce({ source: 'ios' }, recordingContext(ctx))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toBe(
      'App Store Connect API rejected the credentials (HTTP 401: Authentication credentials are missing or invalid. — Provide a properly configured and signed bearer token (bad signature).)',
    );
  });

  it('a wrong key id is refused too, and an RSA key is refused before any request', async () => {
    const { ctx } = service;
    const wrongKid = await handlerFor({ keyId: 'WRONGKEY01' }).pollOnce({ source: 'ios' }, recordingContext(ctx)).catch((e: unknown) => e);
    expect((wrongKid as Error).message).toMatch(/Bearer token claims refused: kid/);
    fake.requests.length = 0;
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const error = await handlerFor({ privateKey: rsa }).pollOnce({ source: 'ios' }, recordingContext(ctx)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toBe('the App Store Connect key is not an EC (P-256) key');
    expect(fake.requests).toHaveLength(0);
  });

  it('a malformed review is dead-lettered between stored neighbours', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    fake.reviews = [appReview('a1', now - 3000), { type: 'customerReviews', id: 'bad1', attributes: { rating: 9, createdDate: new Date(now - 2000).toISOString() } }, appReview('a2', now - 1000)];
    const poll = recordingContext(ctx);
    expect(await handlerFor().pollOnce({ source: 'ios' }, poll)).toMatchObject({ fetched: 2, deadLettered: 1 });
    expect(poll.enqueued.map((m) => m.id)).toEqual(['appstore:ios:a2', 'appstore:ios:a1']);
    const [letter] = await ctx.store.deadLetters.list(10);
    expect(letter).toMatchObject({ messageId: 'appstore:ios:bad1', reason: 'malformed App Store review: attributes.rating: Number must be less than or equal to 5' });
  });

  it('never sends the token to another host named in links.next', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    fake.reviews = [appReview('x1', now - 2000), appReview('x2', now - 1000)];
    fake.pageSize = 1;
    const handler = createAppStorePollHandler([appStoreSource(fake.url, keys.privatePem)], {
      authorKey: TEST_AUTHOR_KEY,
      // The real client, whose first page claims its next page is on another host.
      createClient: (config, clock) => {
        const client = defaultReviewsClient(config, clock);
        return { page: async (ref, signal) => (ref === null ? { ...(await client.page(null, signal)), next: 'https://evil.example/v1/apps/1/customerReviews?cursor=x' } : client.page(ref, signal)) };
      },
    });
    const error = await handler.pollOnce({ source: 'ios' }, recordingContext(ctx)).catch((e: unknown) => e);
    expect((error as Error).message).toBe('App Store Connect links.next points to another host (https://evil.example); not followed');
    expect(await ctx.sources.getCursor('ios')).toMatchObject({ backlog: { next: 'https://evil.example/v1/apps/1/customerReviews?cursor=x' } });
    // The next poll refuses the stored link again and reads from the newest page instead.
    const again = recordingContext(ctx);
    await createAppStorePollHandler([appStoreSource(fake.url, keys.privatePem)], { authorKey: TEST_AUTHOR_KEY }).pollOnce({ source: 'ios' }, again);
    expect(again.enqueued.map((m) => m.id)).toEqual(['appstore:ios:x1']);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
  });
});
