/**
 * The Bluesky poll handler with the real @atproto/api agent against a local fake PDS, on real Redis and
 * SQLite: login, paging, the durable time cursor (look-back, resume, backlog, posts at the same
 * millisecond), own accounts, dead letters (also of posts the lexicon refuses), session refresh, faults.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBlueskyPollHandler } from '../../../src/sources/bluesky/index.js';
import { isRadarError } from '../../../src/platform/errors.js';
import { SourceAuthError, SourceRateLimitError } from '../../../src/sources/poll.js';
import { FakeBluesky, postUri } from '../../helpers/fake-bluesky.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { blueskyIds, blueskySource, enqueuedIds, pollContext, postsAt, TEST_AUTHOR_KEY } from './setup.js';

let service: TestService;
let fake: FakeBluesky;
const deps = { authorKey: TEST_AUTHOR_KEY };

beforeEach(async () => {
  service = await createTestService();
  fake = await FakeBluesky.start();
});

afterEach(async () => {
  await fake.close();
  await service.cleanup();
});

describe('bluesky poll handler (real @atproto/api agent, fake PDS)', () => {
  it('logs in once, pages searchPosts with its cursor, stores clean text, the link and a hashed author, saves the newest time', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const old = postsAt(now, 40, 2, { seq: 'o' });
    const posts = postsAt(now, 10, 25);
    fake.add(...old, ...posts);
    const handler = createBlueskyPollHandler([blueskySource(fake.url, { pageSize: 10 })], deps);

    const result = await handler.pollOnce({ source: 'sky' }, pollContext(ctx));
    await handler.pollOnce({ source: 'sky' }, pollContext(ctx));

    expect(result).toMatchObject({ pages: 3, fetched: 25, complete: true });
    expect(fake.logins).toHaveLength(1);
    const [first, second] = fake.searches;
    expect(first?.query).toMatchObject({ q: 'mail', sort: 'latest', limit: '10' });
    expect(Date.parse(first?.query.since ?? '')).toBeGreaterThanOrEqual(now - 15 * 60_000);
    expect(second?.query.cursor).toBe('10');
    expect(await enqueuedIds(ctx)).toEqual(blueskyIds(posts));
    expect(result.cursor).toEqual({ since: { at: posts[24]!.indexedAt, uris: [postUri(posts[24]!)] } });
    const message = (await ctx.queues.get('ingest').getJobs(['waiting'])).map((j) => j.data.message).find((m) => m.id === `bluesky:${postUri(posts[0]!)}`);
    expect(message).toMatchObject({ channel: 'bluesky', source: 'sky', lang: 'en', text: 'cannot login to mail 0', link: `https://bsky.app/profile/alice.bsky.social/post/${posts[0]!.rkey}` });
    expect(message?.meta).toMatchObject({ rawText: 'cannot login to mail 0 @mailru.bsky.social https://bsky.app/x' });
    expect(message?.author).toMatch(/^bluesky:[0-9a-f]{20}$/);
    expect((await ctx.sources.get('sky'))?.rateLimit).toMatchObject({ limit: 3000 });
  });

  it('a page cap leaves a backlog; a restart drains it and then reads what came meanwhile: nothing missed, nothing doubled', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const posts = postsAt(now, 10, 25);
    fake.add(...posts);
    const config = blueskySource(fake.url, { pageSize: 10, maxPagesPerPoll: 1 });
    const first = await createBlueskyPollHandler([config], deps).pollOnce({ source: 'sky' }, pollContext(ctx));
    expect(first).toMatchObject({ fetched: 10, complete: false, cursor: { until: { at: posts[15]!.indexedAt }, newest: { at: posts[24]!.indexedAt } } });
    const newer = postsAt(now, 1, 3, { seq: 'n' });
    fake.add(...newer);

    const restarted = createBlueskyPollHandler([config], deps);
    const poll = () => restarted.pollOnce({ source: 'sky' }, pollContext(ctx));
    expect(await poll()).toMatchObject({ fetched: 9, complete: false }); // the page starts at the oldest post read (until is inclusive by 1 ms)
    expect(fake.searches[1]?.query.until).toBe(new Date(posts[15]!.indexedAt + 1).toISOString());
    expect(await poll()).toMatchObject({ fetched: 6, complete: true, cursor: { since: { at: posts[24]!.indexedAt } } });
    expect(await poll()).toMatchObject({ fetched: 3, complete: true });
    expect(await poll()).toMatchObject({ fetched: 0, complete: true });
    expect(await enqueuedIds(ctx)).toEqual(blueskyIds([...posts, ...newer]));
    expect((await ctx.queues.get('ingest').getJobCounts('waiting')).waiting).toBe(28);
  });

  it('posts at the same millisecond as the cursor: the unread one is read, the read one not again', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const [a] = postsAt(now, 5, 1, { seq: 'x' });
    fake.add(a!);
    const handler = createBlueskyPollHandler([blueskySource(fake.url)], deps);
    await handler.pollOnce({ source: 'sky' }, pollContext(ctx));
    const twin = { ...a!, rkey: `${a!.rkey}z`, text: 'mail twin' };
    fake.add(twin);
    const result = await handler.pollOnce({ source: 'sky' }, pollContext(ctx));
    expect(result).toMatchObject({ fetched: 1 });
    expect([...result.cursor.since.uris].sort()).toEqual([postUri(a!), postUri(twin)].sort());
    expect(await enqueuedIds(ctx)).toEqual(blueskyIds([a!, twin]));
  });

  it('skips the own account and other languages', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const posts = postsAt(now, 5, 3);
    const own = { ...postsAt(now, 4, 1, { seq: 'own' })[0]!, handle: 'mailru.bsky.social', did: 'did:plc:mailru00000000000000000' };
    const german = { ...postsAt(now, 3, 1, { seq: 'de' })[0]!, langs: ['de'] };
    fake.add(...posts, own, german);
    const result = await createBlueskyPollHandler([blueskySource(fake.url, { ownAccounts: ['@MailRu.bsky.social'], languages: ['en', 'ru'] })], deps).pollOnce({ source: 'sky' }, pollContext(ctx));
    expect(result).toMatchObject({ fetched: 3, skipped: 2 });
    expect(await enqueuedIds(ctx)).toEqual(blueskyIds(posts));
  });

  it.each([
    ['a record without text (the lexicon lets it through)', (uri: string, at: string) => ({ uri, cid: 'bafyreibnoelefnzgwbcacyt4vh52ymxvzbjq7mmqhtcnwarfq4lzegsiqe', author: { did: 'did:plc:eve00000000000000000000', handle: 'eve.bsky.social' }, record: { $type: 'app.bsky.feed.post', text: 42, createdAt: at }, indexedAt: at })],
    ['a post the lexicon refuses (no author, no cid)', (uri: string, at: string) => ({ uri, record: { text: 'mail', createdAt: at }, indexedAt: at })],
  ])('dead-letters %s and stores the posts around it', async (_name, bad) => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const posts = postsAt(now, 5, 4);
    fake.add(...posts);
    const uri = 'at://did:plc:eve00000000000000000000/app.bsky.feed.post/3kbad';
    fake.failNext({ kind: 'bad-item', item: bad(uri, new Date(now - 5 * 60_000 + 1500).toISOString()) });
    const result = await createBlueskyPollHandler([blueskySource(fake.url)], deps).pollOnce({ source: 'sky' }, pollContext(ctx));
    expect(result).toMatchObject({ fetched: 4, deadLettered: 1 });
    expect(await enqueuedIds(ctx)).toEqual(blueskyIds(posts));
    const [letter] = await ctx.store.deadLetters.list();
    expect(letter).toMatchObject({ messageId: `bluesky:${uri}`, source: 'sky', queue: 'poll' });
    expect(letter?.reason).toMatch(/^malformed post: /);
  });

  it('an expired access token is refreshed by the agent; a wrong app password stops the source', async () => {
    const { ctx } = service;
    fake.add(...postsAt(ctx.clock.now(), 5, 2));
    const handler = createBlueskyPollHandler([blueskySource(fake.url)], deps);
    await handler.poll({ source: 'sky' }, pollContext(ctx));
    fake.expireAccessTokens();
    fake.add(...postsAt(ctx.clock.now(), 1, 1, { seq: 'r' }));
    await handler.poll({ source: 'sky' }, pollContext(ctx));
    expect(fake.requests.some((r) => r.path === '/xrpc/com.atproto.server.refreshSession')).toBe(true);
    expect((await enqueuedIds(ctx)).length).toBe(3);

    const wrong = createBlueskyPollHandler([blueskySource(fake.url, { name: 'wrong', appPassword: 'not-the-password' })], deps);
    const error = await wrong.poll({ source: 'wrong' }, pollContext(ctx)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toMatch(/Bluesky rejected the login \(HTTP 401: AuthenticationRequired — Invalid identifier or password\)/);
    expect((error as Error).message).not.toContain('not-the-password');
  });

  it.each([
    ['a 429', { kind: 'status', status: 429 } as const, (e: unknown) => e instanceof SourceRateLimitError && e.resetAt === fake.rateLimitResetAt],
    ['a 502', { kind: 'status', status: 502 } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /HTTP 502/.test(e.message)],
    ['a 400', { kind: 'status', status: 400, body: { error: 'InvalidRequest', message: 'bad query' } } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && !e.retryable && /bad query/.test(e.message)],
    ['malformed JSON', { kind: 'malformed-json' } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable],
    ['the wrong shape', { kind: 'bad-shape' } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /unexpected response: posts/.test(e.message)],
    ['no answer', { kind: 'hang' } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /timeout|abort/i.test(e.message)],
  ])('%s: the right error, nothing enqueued, the cursor stays', async (_name, fault, expected) => {
    const { ctx } = service;
    const now = ctx.clock.now();
    fake.add(...postsAt(now, 5, 3));
    const cursor = { since: { at: now - 10 * 60_000, uris: [] } };
    await ctx.sources.setCursor('sky', cursor);
    fake.failNext(fault, 1, (r) => r.path.endsWith('searchPosts'));
    const error = await createBlueskyPollHandler([blueskySource(fake.url, { requestTimeout: '300ms' })], deps).poll({ source: 'sky' }, pollContext(ctx)).then(() => null, (e: unknown) => e);
    expect(expected(error)).toBe(true);
    expect((error as Error).message).not.toContain('app-pass-word-test');
    expect(await enqueuedIds(ctx)).toEqual([]);
    expect(await ctx.sources.getCursor('sky')).toEqual(cursor);
  });
});
