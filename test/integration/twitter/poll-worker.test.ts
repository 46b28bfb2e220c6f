/**
 * The Twitter source driven by the real BullMQ `poll` worker and job schedulers, the real
 * twitter-api-v2 client and a fake X server: 429 honoured, a bad token isolates its source, a
 * malformed response lands in the source status and loses nothing. End to end into stored,
 * classified, counted complaints through the ingest worker.
 */
import type { Worker } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTwitterPollHandler } from '../../../src/sources/twitter/index.js';
import { startIngestWorker, type IngestWorker } from '../../../workers/ingest.js';
import { startPollWorker, syncPollSchedulers } from '../../../workers/poll.js';
import { FakeXServer } from '../../helpers/fake-x-server.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { enqueuedIds, source, TEST_AUTHOR_KEY, tweetsAt, twitterIds } from './setup.js';

let service: TestService | undefined;
let fake: FakeXServer;
let poller: Worker | undefined;
let ingest: IngestWorker | undefined;

beforeEach(async () => {
  fake = await FakeXServer.start({ tokens: ['TEST', 'TEST2'] });
  fake.addUsers({ id: '11', username: 'alice' }, { id: '12', username: 'bob' });
});

afterEach(async () => {
  await poller?.close();
  await ingest?.close();
  await fake.close();
  await service?.cleanup();
  poller = undefined;
  ingest = undefined;
  service = undefined;
});

describe('twitter source on the poll worker', () => {
  it('a 429 makes the source wait: no request reaches X before the reset, then it catches up', async () => {
    service = await createTestService();
    const { ctx } = service;
    const tweets = tweetsAt(ctx.clock.now(), 5, 3);
    fake.addTweets(...tweets);
    fake.exhaustUntil(Date.now() + 2000);
    const reset = fake.rateLimitResetAt;
    const handler = createTwitterPollHandler([source(fake.url, { pollInterval: '150ms' })], { authorKey: TEST_AUTHOR_KEY });
    await syncPollSchedulers(ctx, [handler]);
    poller = startPollWorker(ctx, [handler]);

    await waitFor(async () => (await enqueuedIds(ctx)).length === 3, 30_000, 'tweets enqueued after the reset');
    const searches = fake.searches;
    expect(searches[0]?.status).toBe(429);
    expect(searches[0]?.time).toBeLessThan(reset);
    expect(searches.filter((r) => r.time < reset)).toHaveLength(1); // only the one that learnt about the limit
    expect(searches.filter((r) => r.status === 429)).toHaveLength(1);
    expect(await enqueuedIds(ctx)).toEqual(twitterIds(tweets));
    await waitFor(async () => (await ctx.sources.get('brand'))?.state === 'ok');
    const status = await ctx.sources.get('brand');
    expect(status?.lastError).toMatch(/^rate limited until /);
    expect(status?.rateLimit).toMatchObject({ limit: 450 });
    expect(status?.rateLimit?.remaining).toBeGreaterThan(0);
  });

  it('a rejected token stops only that source; the other keeps polling', async () => {
    service = await createTestService();
    const { ctx } = service;
    const now = ctx.clock.now();
    fake.addTweets(...tweetsAt(now, 5, 2).map((t) => ({ ...t, tag: 'mail' })));
    const handler = createTwitterPollHandler([
      source(fake.url, { name: 'good', query: 'mail down', bearerToken: 'TEST', pollInterval: '150ms' }),
      source(fake.url, { name: 'revoked', query: 'cloud down', bearerToken: 'REVOKED', pollInterval: '150ms' }),
    ], { authorKey: TEST_AUTHOR_KEY });
    await syncPollSchedulers(ctx, [handler]);
    poller = startPollWorker(ctx, [handler]);

    await waitFor(async () => (await ctx.sources.get('revoked'))?.state === 'stopped', 30_000, 'revoked source stopped');
    const goodBefore = fake.searches.filter((r) => r.token === 'TEST').length;
    await waitFor(() => fake.searches.filter((r) => r.token === 'TEST').length >= goodBefore + 3, 30_000, 'good source polls on');

    expect(fake.searches.filter((r) => r.token === 'REVOKED')).toHaveLength(1);
    const revoked = await ctx.sources.get('revoked');
    expect(revoked?.lastError).toMatch(/^X API rejected the bearer token \(HTTP 401: Unauthorized\)/);
    expect(revoked?.lastError).not.toContain('REVOKED');
    expect((await ctx.sources.get('good'))?.state).toBe('ok');
    expect((await enqueuedIds(ctx)).length).toBe(2);
  });

  it.each([
    ['malformed JSON', { kind: 'malformed-json' } as const, /ERR_SOURCE: X API sent a malformed response \(HTTP 200\)/],
    ['a body of the wrong shape', { kind: 'bad-shape' } as const, /ERR_SOURCE: X API sent an unexpected response/],
    ['a 503', { kind: 'status', status: 503 } as const, /ERR_SOURCE: X API answered HTTP 503/],
    ['a page that never answers', { kind: 'hang' } as const, /ERR_SOURCE: X API request failed: Request timeout/],
  ])('%s lands in the source status, loses nothing, and the next poll catches up', async (_name, fault, reason) => {
    service = await createTestService({ config: { ingest: { backoff: '50ms' } } });
    const { ctx } = service;
    const tweets = tweetsAt(ctx.clock.now(), 5, 25);
    fake.addTweets(...tweets);
    fake.pageSize = 10;
    fake.failNext(fault, 1, (q) => q.next_token !== undefined); // the second page of the first poll
    const handler = createTwitterPollHandler([source(fake.url, { pollInterval: '200ms', requestTimeout: '300ms' })], { authorKey: TEST_AUTHOR_KEY });
    await syncPollSchedulers(ctx, [handler]);
    poller = startPollWorker(ctx, [handler]);

    await waitFor(async () => (await enqueuedIds(ctx)).length === 25 && (await ctx.sources.get('brand'))?.state === 'ok', 30_000, 'caught up');
    const status = await ctx.sources.get('brand');
    expect(status?.lastError).toMatch(reason);
    expect(status?.cursor).toEqual({ sinceId: tweets[24]?.id });
    expect(await enqueuedIds(ctx)).toEqual(twitterIds(tweets));
  });
});

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  it(`end to end on ${db}: polled tweets are stored once, classified and counted`, async (t) => {
    if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
    service = await createTestService({ db });
    const { ctx } = service;
    const minute = Math.floor(ctx.clock.now() / 60_000) * 60_000 - 5 * 60_000;
    const complaints = tweetsAt(minute + 60_000, 1, 6, { text: 'cannot login, password rejected' });
    const praise = tweetsAt(minute + 60_000, 1, 4, { text: 'thanks, all good', seq: 1 });
    fake.addTweets(...complaints, ...praise);
    fake.pageSize = 4;
    const handler = createTwitterPollHandler([source(fake.url, { pollInterval: '200ms' })], { authorKey: TEST_AUTHOR_KEY });
    await syncPollSchedulers(ctx, [handler]);
    poller = startPollWorker(ctx, [handler]);
    ingest = startIngestWorker(ctx);

    await waitFor(async () => (await ctx.store.messages.count()) === 10, 30_000, 'ten messages stored');
    await waitFor(() => fake.searches.length >= 6, 30_000, 'a few more polls'); // polls go on: nothing doubled
    expect(await ctx.store.messages.count()).toBe(10);
    const stored = await ctx.store.messages.get(`twitter:${complaints[0]?.id}`);
    expect(stored).toMatchObject({ channel: 'twitter', source: 'brand', text: 'cannot login, password rejected 0', link: `https://x.com/alice/status/${complaints[0]?.id}` });
    expect(stored?.classification.complaint).toBe(true);
    expect(stored?.classification.categories[0]?.name).toBe('login');
    await waitFor(async () => (await ctx.store.series.total('complaints', minute, minute + 3 * 60_000)) === 6, 10_000, 'counted');
    expect(await ctx.store.series.total('complaints.login', minute, minute + 3 * 60_000)).toBe(6);
    expect(await ctx.store.series.total('messages', minute, minute + 3 * 60_000)).toBe(10);
  });
}
