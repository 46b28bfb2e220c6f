/**
 * The app-store sources on the real BullMQ poll worker: a rejected key stops only its source, a 429
 * makes the source wait, and end to end into stored, counted messages on SQLite and PostgreSQL — a
 * bare 1-star rating counted in `messages.appstore.low_rating`, an edited review holding its newest
 * text while counted once.
 */
import type { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppStorePollHandler } from '../../../src/sources/appstore/index.js';
import { startIngestWorker, type IngestWorker } from '../../../workers/ingest.js';
import { startPollWorker, syncPollSchedulers } from '../../../workers/poll.js';
import { FakeAppStoreConnect, FakeGooglePlay } from '../../helpers/fake-store-servers.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { APP_ID, appReview, appStoreSource, CLIENT_EMAIL, ecKeys, googlePlaySource, ISSUER, KEY_ID, PACKAGE, playReview, rsaKeys, TEST_AUTHOR_KEY, withPlayTime } from './setup.js';

let service: TestService | undefined;
let play: FakeGooglePlay | undefined;
let apple: FakeAppStoreConnect | undefined;
let poller: Worker | undefined;
let ingest: IngestWorker | undefined;

afterEach(async () => {
  await poller?.close();
  await ingest?.close();
  await play?.close();
  await apple?.close();
  await service?.cleanup();
  poller = ingest = play = apple = service = undefined;
});

describe('app-store sources on the poll worker', () => {
  it('a rejected App Store key stops only that source; Google Play keeps polling', async () => {
    service = await createTestService();
    const { ctx } = service;
    const rsa = rsaKeys();
    const ec = ecKeys();
    play = await FakeGooglePlay.start({ publicKey: rsa.publicKey, clientEmail: CLIENT_EMAIL, packageName: PACKAGE });
    apple = await FakeAppStoreConnect.start({ publicKey: ec.publicKey, issuerId: ISSUER, keyId: KEY_ID, appId: APP_ID });
    play.reviews = [playReview('gp:1', ctx.clock.now() - 60_000)];
    const handler = createAppStorePollHandler(
      [googlePlaySource(play, rsa.privatePem, { pollInterval: '150ms' }), // 1 s: the poll lock's lease is one interval, and a lease lost on a loaded machine would let a second poll try the key
        appStoreSource(apple.url, ecKeys().privatePem, { pollInterval: '1s' })],
      { authorKey: TEST_AUTHOR_KEY },
    );
    await syncPollSchedulers(ctx, [handler]);
    poller = startPollWorker(ctx, [handler]);

    await waitFor(async () => (await ctx.sources.get('ios'))?.state === 'stopped', 30_000, 'ios stopped');
    const before = play.requests.length;
    await waitFor(() => (play?.requests.length ?? 0) >= before + 3, 30_000, 'play polls on');
    expect(apple.requests).toHaveLength(1);
    expect((await ctx.sources.get('ios'))?.lastError).toMatch(/^App Store Connect API rejected the credentials \(HTTP 401/);
    expect((await ctx.sources.get('play'))?.state).toBe('ok');
  });

  it('a 429 with Retry-After: no request before it, then the reviews arrive', async () => {
    service = await createTestService();
    const { ctx } = service;
    const ec = ecKeys();
    apple = await FakeAppStoreConnect.start({ publicKey: ec.publicKey, issuerId: ISSUER, keyId: KEY_ID, appId: APP_ID });
    apple.reviews = [appReview('w1', ctx.clock.now() - 60_000)];
    apple.fail({ kind: 'status', status: 429, headers: { 'retry-after': '2' }, body: { errors: [{ status: '429', code: 'RATE_LIMIT_EXCEEDED' }] } });
    const started = Date.now();
    const handler = createAppStorePollHandler([appStoreSource(apple.url, ec.privatePem, { pollInterval: '150ms' })], { authorKey: TEST_AUTHOR_KEY });
    await syncPollSchedulers(ctx, [handler]);
    poller = startPollWorker(ctx, [handler]);
    const times: number[] = [];
    const original = apple.requests.push.bind(apple.requests);
    apple.requests.push = (...items) => {
      times.push(Date.now());
      return original(...items);
    };

    await waitFor(async () => (await ctx.sources.get('ios'))?.fetched === 1, 30_000, 'review fetched after the wait');
    expect(apple.requests[0]?.status).toBe(429);
    expect(times[1]).toBeGreaterThanOrEqual(started + 2000 - 50);
  });
});

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  it(`end to end on ${db}: reviews stored once, a bare 1-star rating counted, an edit keeps the id with the newest text`, async (t) => {
    if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
    service = await createTestService({ db });
    const { ctx } = service;
    const rsa = rsaKeys();
    play = await FakeGooglePlay.start({ publicKey: rsa.publicKey, clientEmail: CLIENT_EMAIL, packageName: PACKAGE });
    const minute = Math.floor(ctx.clock.now() / 60_000) * 60_000 - 5 * 60_000;
    const bare = playReview('gp:bare', minute + 1000, { text: '', stars: 1 });
    const crash = playReview('gp:crash', minute + 2000, { text: 'cannot login, password rejected', stars: 2, version: '4.12.0' });
    const fine = playReview('gp:fine', minute + 3000, { text: 'thanks, all good', stars: 5, version: '4.11.0' });
    play.reviews = [bare, crash, fine];
    const handler = createAppStorePollHandler([googlePlaySource(play, rsa.privatePem, { pollInterval: '150ms' })], { authorKey: TEST_AUTHOR_KEY });
    await syncPollSchedulers(ctx, [handler]);
    poller = startPollWorker(ctx, [handler]);
    ingest = startIngestWorker(ctx);

    await waitFor(async () => (await ctx.store.messages.count()) === 3, 30_000, 'three reviews stored');
    const window = [minute, minute + 3 * 60_000] as const;
    await waitFor(async () => (await ctx.store.series.total('messages.appstore.low_rating', ...window)) === 2, 10_000, 'low ratings counted');
    expect(await ctx.store.messages.get('appstore:play:gp:bare')).toMatchObject({ text: '', channel: 'appstore', meta: { rating: 1 } });
    expect((await ctx.store.messages.get('appstore:play:gp:bare'))?.classification.complaint).toBe(false);

    // The author edits the 2-star review; the next polls bring it again under the same id.
    play.upsert(withPlayTime(crash, minute + 90_000, { text: '\tfixed in 4.12.1, thanks', starRating: 4 }));
    await waitFor(async () => (await ctx.store.messages.get('appstore:play:gp:crash'))?.text === 'fixed in 4.12.1, thanks', 30_000, 'edit stored');
    const edited = await ctx.store.messages.get('appstore:play:gp:crash');
    expect(edited).toMatchObject({ createdAt: new Date(minute + 2000).toISOString(), meta: { rating: 4, revisedAt: new Date(minute + 90_000).toISOString() } });
    expect(edited?.classification.complaint).toBe(false);
    expect(await ctx.store.messages.count()).toBe(3);
    expect(await ctx.store.series.total('messages', ...window)).toBe(3); // counted once, at its first version
    expect(await ctx.store.series.total('messages.appstore.low_rating', ...window)).toBe(2);
    // An older revision arriving late never overwrites a newer one.
    await ctx.store.ingest([{ message: { ...(edited as NonNullable<typeof edited>), text: 'stale', meta: { ...edited?.meta, revisedAt: new Date(minute + 2000).toISOString() } }, classification: edited!.classification }], ctx.clock.now(), ctx.config.series.step);
    expect((await ctx.store.messages.get('appstore:play:gp:crash'))?.text).toBe('fixed in 4.12.1, thanks');
  });
}
