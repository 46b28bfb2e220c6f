/**
 * The Reddit poll handler (fetch, OAuth client credentials) against a local fake Reddit, on real
 * Redis and SQLite: paging with `after`, look-back, cursor and resume, reposts and own accounts,
 * comments and search, dead letters, token refresh, faults, rate limits.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedditPollHandler } from '../../../src/sources/reddit/index.js';
import { isRadarError } from '../../../src/platform/errors.js';
import { SourceAuthError, SourceRateLimitError } from '../../../src/sources/poll.js';
import { FakeReddit, redditIdAt } from '../../helpers/fake-reddit.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { enqueuedIds, pollContext, postsAt, redditIds, redditSource, TEST_AUTHOR_KEY } from './setup.js';

let service: TestService;
let fake: FakeReddit;
const deps = { authorKey: TEST_AUTHOR_KEY };

beforeEach(async () => {
  service = await createTestService();
  fake = await FakeReddit.start();
});

afterEach(async () => {
  await fake.close();
  await service.cleanup();
});

describe('reddit poll handler (fetch, fake Reddit)', () => {
  it('gets a token, pages a subreddit with after, stores clean text and the link, saves the newest id', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const old = postsAt(now, 40, 3, { seq: 1 });
    const posts = postsAt(now, 10, 25);
    fake.add(...old, ...posts);
    const handler = createRedditPollHandler([redditSource(fake.url, { pageSize: 10 })], deps);

    const result = await handler.pollOnce({ source: 'rd' }, pollContext(ctx));

    expect(result).toMatchObject({ fetched: 25, complete: true, pages: 3 }); // the third page reaches the look-back
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/api/v1/access_token' });
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    const [first, second] = fake.listings;
    expect(first?.query).toMatchObject({ limit: '10', raw_json: '1' });
    expect(first?.query.after).toBeUndefined();
    expect(second?.query.after).toBe(`t3_${posts[15]?.id}`);
    expect(await enqueuedIds(ctx)).toEqual(redditIds(posts));
    const message = (await ctx.queues.get('ingest').getJobs(['waiting'])).map((j) => j.data.message).find((m) => m.id === `reddit:t3_${posts[0]?.id}`);
    expect(message).toMatchObject({ channel: 'reddit', source: 'rd', lang: 'en', text: 'cannot login to mail 0 since morning, see', link: `https://www.reddit.com/r/mailru/comments/${posts[0]?.id}/x/` });
    expect(message?.meta).toMatchObject({ rawText: 'cannot login to mail 0\n\nsince morning, see https://imgur.com/x u/support', subreddit: 'mailru' });
    expect(message?.author).toMatch(/^reddit:[0-9a-f]{20}$/);
    const status = await ctx.sources.get('rd');
    expect(status?.rateLimit).toMatchObject({ limit: 600, remaining: 597 });
  });

  it('resumes from the cursor after a restart (a new handler and token): nothing missed, nothing doubled', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const before = postsAt(now, 10, 4);
    fake.add(...before);
    await createRedditPollHandler([redditSource(fake.url)], deps).poll({ source: 'rd' }, pollContext(ctx));
    const after = postsAt(now, 2, 3);
    fake.add(...after);

    const result = await createRedditPollHandler([redditSource(fake.url)], deps).pollOnce({ source: 'rd' }, pollContext(ctx));

    expect(result.fetched).toBe(3);
    expect(await enqueuedIds(ctx)).toEqual(redditIds([...before, ...after]));
    expect((await ctx.queues.get('ingest').getJobCounts('waiting')).waiting).toBe(7);
  });

  it('a page cap leaves a backlog that the next polls drain, newer posts arriving meanwhile', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const first = postsAt(now, 10, 3);
    fake.add(...first);
    const handler = createRedditPollHandler([redditSource(fake.url, { pageSize: 10, maxPagesPerPoll: 1 })], deps);
    const poll = () => handler.pollOnce({ source: 'rd' }, pollContext(ctx));
    await poll();
    const burst = postsAt(now, 5, 25);
    fake.add(...burst);

    expect(await poll()).toMatchObject({ fetched: 10, complete: false });
    const newer = postsAt(now, 1, 2);
    fake.add(...newer);
    expect(await poll()).toMatchObject({ fetched: 10, complete: false });
    expect(await poll()).toMatchObject({ fetched: 5, complete: true });
    expect(await poll()).toMatchObject({ fetched: 2, complete: true });
    expect(await enqueuedIds(ctx)).toEqual(redditIds([...first, ...burst, ...newer]));
  });

  it('reads comments and the search, skips crossposts and the own account', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const [a, b] = postsAt(now, 3, 2);
    const crosspost = { ...postsAt(now, 2, 1, { seq: 3 })[0]!, crosspostParent: `t3_${a!.id}` };
    const own = { ...postsAt(now, 2, 1, { seq: 4 })[0]!, author: 'MailRu_Support' };
    const comment = { id: redditIdAt(now - 60_000, 5), kind: 't1' as const, subreddit: 'mailru', author: 'carol', createdUtc: (now - 60_000) / 1000, body: '/u/alice same here, почта не открывается' };
    const elsewhere = { id: redditIdAt(now - 30_000, 6), kind: 't3' as const, subreddit: 'russia', author: 'dan', createdUtc: (now - 30_000) / 1000, title: 'mail.ru outage?', selftext: '' };
    fake.add(a!, b!, crosspost, own, comment, elsewhere);
    const handler = createRedditPollHandler([redditSource(fake.url, { comments: true, search: 'outage', ownAccounts: ['u/mailru_support'] })], deps);

    const result = await handler.pollOnce({ source: 'rd' }, pollContext(ctx));

    expect(result).toMatchObject({ fetched: 4, skipped: 2 });
    expect(await enqueuedIds(ctx)).toEqual(redditIds([a!, b!, comment, elsewhere]));
    expect(fake.listings.find((r) => r.path === '/search')?.query).toMatchObject({ q: 'outage', sort: 'new', type: 'link' });
    const c = (await ctx.queues.get('ingest').getJobs(['waiting'])).map((j) => j.data.message).find((m) => m.id === `reddit:t1_${comment.id}`);
    expect(c).toMatchObject({ lang: 'ru', text: 'same here, почта не открывается' });
    expect(Object.keys((await ctx.sources.getCursor<{ feeds: object }>('rd'))?.feeds ?? {}).sort()).toEqual(['r/mailru/comments', 'r/mailru/new', 'search']);
  });

  it('dead-letters a malformed item and stores the items around it', async () => {
    const { ctx } = service;
    const posts = postsAt(ctx.clock.now(), 3, 4);
    fake.add(...posts);
    const badId = redditIdAt(ctx.clock.now() - 170_000);
    fake.failNext({ kind: 'bad-item', item: { kind: 't3', data: { id: badId, name: `t3_${badId}`, title: 7 } } });
    const result = await createRedditPollHandler([redditSource(fake.url)], deps).pollOnce({ source: 'rd' }, pollContext(ctx));

    expect(result).toMatchObject({ fetched: 4, deadLettered: 1 });
    expect(await enqueuedIds(ctx)).toEqual(redditIds(posts));
    const [letter] = await ctx.store.deadLetters.list();
    expect(letter).toMatchObject({ messageId: `reddit:t3_${badId}`, source: 'rd', queue: 'poll' });
    expect(letter?.reason).toMatch(/^malformed reddit item: /);
  });

  it('a revoked token is replaced once; wrong app credentials stop the source', async () => {
    const { ctx } = service;
    fake.add(...postsAt(ctx.clock.now(), 3, 2));
    const handler = createRedditPollHandler([redditSource(fake.url)], deps);
    await handler.poll({ source: 'rd' }, pollContext(ctx));
    fake.revokeTokens();
    fake.add(...postsAt(ctx.clock.now(), 1, 1, { seq: 2 }));
    await handler.poll({ source: 'rd' }, pollContext(ctx));
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect((await enqueuedIds(ctx)).length).toBe(3);

    const wrong = createRedditPollHandler([redditSource(fake.url, { clientSecret: 'WRONG' })], deps);
    const error = await wrong.poll({ source: 'rd' }, pollContext(ctx)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toMatch(/rejected the app credentials \(HTTP 401: Unauthorized\)/);
    expect((error as Error).message).not.toContain('WRONG');
  });

  it.each([
    ['a 429', { kind: 'status', status: 429 } as const, (e: unknown) => e instanceof SourceRateLimitError && e.resetAt > Date.now()],
    ['a 503', { kind: 'status', status: 503 } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /HTTP 503/.test(e.message)],
    ['a 403', { kind: 'status', status: 403, body: { reason: 'private', message: 'Forbidden', error: 403 } } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && !e.retryable && /private/.test(e.message)],
    ['malformed JSON', { kind: 'malformed-json' } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /malformed/.test(e.message)],
    ['the wrong shape', { kind: 'bad-shape' } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /unexpected response/.test(e.message)],
    ['no answer', { kind: 'hang' } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /timeout/.test(e.message)],
  ])('%s: the right error, nothing enqueued, the cursor stays', async (_name, fault, expected) => {
    const { ctx } = service;
    fake.add(...postsAt(ctx.clock.now(), 5, 3));
    const cursor = { feeds: { 'r/mailru/new': { sinceId: '5' } } };
    await ctx.sources.setCursor('rd', cursor);
    fake.failNext(fault);
    const error = await createRedditPollHandler([redditSource(fake.url, { requestTimeout: '300ms' })], deps).poll({ source: 'rd' }, pollContext(ctx)).then(() => null, (e: unknown) => e);
    expect(expected(error)).toBe(true);
    expect((error as Error).message).not.toMatch(/SECRET|Bearer/);
    expect(await enqueuedIds(ctx)).toEqual([]);
    expect(await ctx.sources.getCursor('rd')).toEqual(cursor);
  });

  it('stops paging when the quota is spent and leaves the rest for after the reset', async () => {
    const { ctx } = service;
    fake.limit = 3; // the token request is free; 3 listings
    fake.add(...postsAt(ctx.clock.now(), 10, 50));
    const handler = createRedditPollHandler([redditSource(fake.url, { pageSize: 10, maxPagesPerPoll: 10 })], deps);
    await handler.poll({ source: 'rd' }, pollContext(ctx));
    expect(fake.listings).toHaveLength(3);
    expect((await enqueuedIds(ctx)).length).toBe(30);
    const error = await handler.poll({ source: 'rd' }, pollContext(ctx)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceRateLimitError); // known spent: no request made
    expect(fake.listings).toHaveLength(3);
  });
});
