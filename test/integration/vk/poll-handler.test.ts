/**
 * The VK poll handler with the real vk-io client against a local fake VK API, on real Redis and
 * SQLite: search paging and its cursor, resume after a restart, the page cap's backlog, the wall and
 * its comments, exclusions, dead letters, and what each VK error code makes the source do.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVkPollHandler, FLOOD_WAIT_MS, QUOTA_WAIT_MS } from '../../../src/sources/vk/index.js';
import { isRadarError } from '../../../src/platform/errors.js';
import { SourceAuthError, SourceRateLimitError } from '../../../src/sources/poll.js';
import { FakeVkServer } from '../../helpers/fake-vk.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { enqueuedIds, pollContext, postsAt, TEST_AUTHOR_KEY, vkIds, vkSource } from './setup.js';

let service: TestService;
let fake: FakeVkServer;

beforeEach(async () => {
  service = await createTestService();
  fake = await FakeVkServer.start();
});

afterEach(async () => {
  await fake.close();
  await service.cleanup();
});

async function ingestMessage(id: string) {
  const jobs = await service.ctx.queues.get('ingest').getJobs(['waiting']);
  return jobs.find((j) => j.data.message.id === id)?.data.message;
}

describe('vk poll handler: newsfeed.search (real vk-io, fake VK)', () => {
  it('follows next_from across pages from the look-back, maps posts to messages, saves the newest second', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const old = postsAt(now, 40, 2, { firstId: 900 });
    const posts = postsAt(now, 10, 25);
    fake.addPosts(...old, ...posts);
    fake.pageSize = 10;
    const handler = createVkPollHandler([vkSource(fake.url, { lookback: '15m' })], { authorKey: TEST_AUTHOR_KEY });

    const result = await handler.pollOnce({ source: 'vkbrand' }, pollContext(ctx));

    expect(result).toMatchObject({ pages: 3, fetched: 25, skipped: 0, deadLettered: 0, complete: true });
    const calls = fake.calls('newsfeed.search');
    expect(calls.map((c) => c.params.start_from)).toEqual([undefined, 'o:10', 'o:20']);
    expect(calls[0]?.params).toMatchObject({ q: 'скаймейл', count: '200', v: '5.199' });
    expect(Number(calls[0]?.params.start_time)).toBeGreaterThanOrEqual(Math.floor(now / 1000) - 15 * 60 - 1);
    expect(calls.every((c) => c.token === 'TEST')).toBe(true);
    expect(await enqueuedIds(ctx)).toEqual(vkIds(posts));
    const newest = posts[24]!;
    expect(await ctx.sources.getCursor('vkbrand')).toEqual({ search: { since: newest.date, seen: [`${newest.ownerId}_${newest.id}`] } });

    const message = await ingestMessage(`vk:${newest.ownerId}_${newest.id}`);
    expect(message).toMatchObject({
      channel: 'vk',
      source: 'vkbrand',
      lang: 'ru',
      text: 'не могу войти в почту 24 сбой',
      link: `https://vk.com/wall${newest.ownerId}_${newest.id}`,
      createdAt: new Date(newest.date * 1000).toISOString(),
    });
    expect(message?.meta).toMatchObject({ rawText: newest.text, vkPost: `${newest.ownerId}_${newest.id}`, via: 'search' });
    expect(message?.author).toMatch(/^vk:[0-9a-f]{20}$/);
    expect(message?.author).not.toContain(String(newest.fromId));
  });

  it('resumes after a restart with nothing missed or doubled, also posts of the cursor\'s own second', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const first = postsAt(now, 10, 5);
    fake.addPosts(...first);
    await createVkPollHandler([vkSource(fake.url)], { authorKey: TEST_AUTHOR_KEY }).pollOnce({ source: 'vkbrand' }, pollContext(ctx));
    const last = first[4]!;
    // Arrive after the first poll: one in the very second of the cursor, three later.
    const later = [{ ...last, id: 50, ownerId: 2000, fromId: 2000 }, ...postsAt(now, 5, 3, { firstId: 60 })];
    fake.addPosts(...later);

    const restarted = createVkPollHandler([vkSource(fake.url)], { authorKey: TEST_AUTHOR_KEY }); // a new process
    const result = await restarted.pollOnce({ source: 'vkbrand' }, pollContext(ctx));

    expect(result.fetched).toBe(4); // the five of the first poll are not fetched again
    expect(Number(fake.calls('newsfeed.search')[1]?.params.start_time)).toBe(last.date);
    const ids = await enqueuedIds(ctx);
    expect(ids).toEqual(vkIds([...first, ...later]));
    expect(new Set(ids).size).toBe(ids.length);
    const third = await restarted.pollOnce({ source: 'vkbrand' }, pollContext(ctx));
    expect(third.fetched).toBe(0);
  });

  it('a page cap leaves a backlog that later polls drain, while new posts keep coming', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const posts = postsAt(now, 10, 25);
    fake.addPosts(...posts);
    fake.pageSize = 10;
    const handler = createVkPollHandler([vkSource(fake.url, { maxPagesPerPoll: 1 })], { authorKey: TEST_AUTHOR_KEY });

    const first = await handler.pollOnce({ source: 'vkbrand' }, pollContext(ctx));
    expect(first).toMatchObject({ pages: 1, fetched: 10, complete: false });
    expect(await ctx.sources.getCursor('vkbrand')).toMatchObject({ search: { until: posts[15]!.date, top: posts[24]!.date } });
    const fresh = postsAt(now, 2, 3, { firstId: 500 });
    fake.addPosts(...fresh);
    let polls = 1;
    for (let r = first; !r.complete || r.fetched > 0; polls++) r = await handler.pollOnce({ source: 'vkbrand' }, pollContext(ctx));
    expect(polls).toBeLessThan(8);
    expect(await enqueuedIds(ctx)).toEqual(vkIds([...posts, ...fresh]));
    expect(await ctx.sources.getCursor('vkbrand')).toEqual({ search: { since: fresh[2]!.date, seen: [`${fresh[2]!.ownerId}_${fresh[2]!.id}`] } });
  });

  it('skips own accounts and reposts without words of their own; keeps a repost with text', async () => {
    const { ctx } = service;
    const now = Math.floor(ctx.clock.now() / 1000) - 60;
    fake.addPosts(
      { id: 1, ownerId: 1001, fromId: 1001, date: now, text: 'почта опять не работает' },
      { id: 2, ownerId: -42, fromId: -42, date: now + 1, text: 'Мы починили почту' },
      { id: 3, ownerId: 777, fromId: 777, date: now + 2, text: 'Поддержка: напишите нам в личку' },
      { id: 4, ownerId: 1002, fromId: 1002, date: now + 3, text: '', repostOf: { ownerId: -42, id: 2 } },
      { id: 5, ownerId: 1003, fromId: 1003, date: now + 4, text: 'а у меня всё ещё не грузится', repostOf: { ownerId: -42, id: 2 } },
    );
    const handler = createVkPollHandler([vkSource(fake.url, { ownIds: [777, -42] })], { authorKey: TEST_AUTHOR_KEY });

    const result = await handler.pollOnce({ source: 'vkbrand' }, pollContext(ctx));

    expect(result).toMatchObject({ fetched: 2, skipped: 3 });
    expect(await enqueuedIds(ctx)).toEqual(['vk:1001_1', 'vk:1003_5']);
    expect((await ingestMessage('vk:1003_5'))?.meta).toMatchObject({ repostWithText: true });
  });

  it('a malformed post is dead-lettered; the posts around it are enqueued and the cursor moves on', async () => {
    const { ctx } = service;
    const posts = postsAt(ctx.clock.now(), 10, 6);
    fake.addPosts(...posts);
    fake.extraItems.push({ method: 'newsfeed.search', item: { id: 77, owner_id: 1005, from_id: 1005, date: 'yesterday', text: 'broken' }, at: 3 });
    const handler = createVkPollHandler([vkSource(fake.url)], { authorKey: TEST_AUTHOR_KEY });

    const result = await handler.pollOnce({ source: 'vkbrand' }, pollContext(ctx));

    expect(result).toMatchObject({ fetched: 6, deadLettered: 1 });
    expect(await enqueuedIds(ctx)).toEqual(vkIds(posts));
    const letters = await ctx.store.deadLetters.list(10);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ messageId: 'vk:1005_77', source: 'vkbrand', queue: 'poll' });
    expect(letters[0]?.reason).toMatch(/^malformed VK post: date:/);
    expect(await ctx.sources.getCursor('vkbrand')).toMatchObject({ search: { since: posts[5]!.date } });
    expect((await ctx.sources.get('vkbrand'))?.deadLettered).toBe(1);
  });
});

describe('vk poll handler: the community wall and comments', () => {
  it('reads posts by others on the wall and new comments under recent posts, then only what is new', async () => {
    const { ctx } = service;
    const now = Math.floor(ctx.clock.now() / 1000);
    fake.addPosts(
      { id: 1, ownerId: -42, fromId: -42, date: now - 86_400, text: 'Правила сообщества', pinned: true },
      { id: 10, ownerId: -42, fromId: -42, date: now - 600, text: 'Сегодня ночью будут работы' },
      { id: 11, ownerId: -42, fromId: 1001, date: now - 300, text: 'почта не грузится с утра' },
    );
    fake.addComments(
      { id: 100, postId: 10, fromId: 1002, date: now - 500, text: 'опять всё лежит' },
      { id: 101, postId: 10, fromId: -42, date: now - 400, text: 'Уже чиним!' },
      { id: 102, postId: 10, fromId: 1003, date: now - 350, text: '[id1002|Пётр], у меня тоже' , replyTo: 100 },
      { id: 103, postId: 1, fromId: 1004, date: now - 200, text: 'не приходят письма' },
      { id: 5, postId: 1, fromId: 1005, date: now - 80_000, text: 'старый комментарий' },
    );
    const handler = createVkPollHandler([vkSource(fake.url, { query: undefined, communityId: 42 })], { authorKey: TEST_AUTHOR_KEY });

    const first = await handler.pollOnce({ source: 'vkbrand' }, pollContext(ctx));

    expect(await enqueuedIds(ctx)).toEqual(['vk:-42_1_c103', 'vk:-42_10_c100', 'vk:-42_10_c102', 'vk:-42_11'].sort());
    expect(first.skipped).toBe(2); // the community's own new post and its own comment (the pinned post is older than the look-back)
    expect(fake.calls('wall.get')[0]?.params).toMatchObject({ owner_id: '-42', count: '100', filter: 'all' });
    expect(fake.calls('wall.getComments')[0]?.params).toMatchObject({ owner_id: '-42', sort: 'desc', thread_items_count: '10' });
    const reply = await ingestMessage('vk:-42_10_c102');
    expect(reply).toMatchObject({ text: ', у меня тоже', link: 'https://vk.com/wall-42_10?reply=102' });
    expect(reply?.meta).toMatchObject({ vkComment: 102, replyToComment: 100, via: 'comments' });
    expect(await ctx.sources.getCursor('vkbrand')).toMatchObject({ wall: { last: 11 }, comments: { posts: { '1': 103, '10': 102, '11': 0 } } });

    fake.addPosts({ id: 12, ownerId: -42, fromId: 1006, date: now - 10, text: 'и у меня не работает' });
    fake.addComments({ id: 104, postId: 11, fromId: 1007, date: now - 5, text: 'подтверждаю' }, { id: 105, postId: 12, fromId: 1008, date: now - 4, text: '+1' });
    const restarted = createVkPollHandler([vkSource(fake.url, { query: undefined, communityId: 42 })], { authorKey: TEST_AUTHOR_KEY });
    const second = await restarted.pollOnce({ source: 'vkbrand' }, pollContext(ctx));

    expect(second.fetched).toBe(3);
    expect(await enqueuedIds(ctx)).toEqual(['vk:-42_10_c100', 'vk:-42_10_c102', 'vk:-42_11', 'vk:-42_11_c104', 'vk:-42_12', 'vk:-42_12_c105', 'vk:-42_1_c103'].sort());
  });

  it('a malformed comment is dead-lettered; the comments around it are enqueued', async () => {
    const { ctx } = service;
    const now = Math.floor(ctx.clock.now() / 1000);
    fake.addPosts({ id: 20, ownerId: -42, fromId: -42, date: now - 300, text: 'Пост' });
    fake.addComments(
      { id: 201, postId: 20, fromId: 1001, date: now - 200, text: 'не работает' },
      { id: 203, postId: 20, fromId: 1002, date: now - 100, text: 'и у меня' },
    );
    fake.extraItems.push({ method: 'wall.getComments', item: { id: 202, from_id: 1003, date: now - 150, text: null }, at: 1 });
    const result = await createVkPollHandler([vkSource(fake.url, { query: undefined, communityId: 42 })], { authorKey: TEST_AUTHOR_KEY }).pollOnce({ source: 'vkbrand' }, pollContext(ctx));
    expect(result).toMatchObject({ fetched: 2, deadLettered: 1 });
    expect(await enqueuedIds(ctx)).toEqual(['vk:-42_20_c201', 'vk:-42_20_c203']);
    const [letter] = await ctx.store.deadLetters.list(10);
    expect(letter).toMatchObject({ messageId: 'vk:-42_20_c202', source: 'vkbrand' });
    expect(letter?.reason).toMatch(/^malformed VK comment: text:/);
    expect(await ctx.sources.getCursor('vkbrand')).toMatchObject({ comments: { posts: { '20': 203 } } });
  });
});

describe('vk poll handler: VK errors', () => {
  it('error 6 (too many requests per second): vk-io waits and asks again; the poll completes', async () => {
    const { ctx } = service;
    const posts = postsAt(ctx.clock.now(), 10, 3);
    fake.addPosts(...posts);
    fake.failNext({ kind: 'vk-error', code: 6 });
    const result = await createVkPollHandler([vkSource(fake.url)], { authorKey: TEST_AUTHOR_KEY }).pollOnce({ source: 'vkbrand' }, pollContext(ctx));
    expect(result.fetched).toBe(3);
    expect(fake.calls('newsfeed.search').map((c) => c.code)).toEqual([6, 0]);
    expect(await enqueuedIds(ctx)).toEqual(vkIds(posts));
  });

  it('requests are paced to requestsPerSecond: the fake\'s per-second limit is never passed', async () => {
    const { ctx } = service;
    fake.addPosts(...postsAt(ctx.clock.now(), 10, 12));
    fake.pageSize = 2;
    fake.perSecond = 3;
    const result = await createVkPollHandler([vkSource(fake.url, { requestsPerSecond: 3 })], { authorKey: TEST_AUTHOR_KEY }).pollOnce({ source: 'vkbrand' }, pollContext(ctx));
    expect(result).toMatchObject({ pages: 6, fetched: 12 });
    expect(fake.requests.filter((r) => r.code === 6)).toHaveLength(0);
  });

  it.each([
    [9, FLOOD_WAIT_MS],
    [29, QUOTA_WAIT_MS],
  ])('error %i waits: SourceRateLimitError with a reset, and the next poll asks nothing before it', async (code, waitMs) => {
    const { ctx } = service;
    fake.addPosts(...postsAt(ctx.clock.now(), 10, 3));
    fake.failNext({ kind: 'vk-error', code });
    const handler = createVkPollHandler([vkSource(fake.url)], { authorKey: TEST_AUTHOR_KEY });
    const before = ctx.clock.now();
    const error = await handler.poll({ source: 'vkbrand' }, pollContext(ctx)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceRateLimitError);
    const resetAt = (error as SourceRateLimitError).resetAt;
    expect(resetAt).toBeGreaterThanOrEqual(before + waitMs);
    expect(resetAt).toBeLessThanOrEqual(ctx.clock.now() + waitMs);
    // The poll worker records it; a poll before the reset asks VK nothing.
    await ctx.sources.recordError('vkbrand', { now: ctx.clock.now(), message: 'rate limited', rateLimit: (error as SourceRateLimitError).rateLimit });
    const again = await handler.poll({ source: 'vkbrand' }, pollContext(ctx)).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(SourceRateLimitError);
    expect(fake.calls('newsfeed.search')).toHaveLength(1);
  });

  it('error 5 (bad token) is a SourceAuthError whose message never holds the token', async () => {
    const { ctx } = service;
    const error = await createVkPollHandler([vkSource(fake.url, { token: 'SECRET-VK-TOKEN' })], { authorKey: TEST_AUTHOR_KEY })
      .poll({ source: 'vkbrand' }, pollContext(ctx))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toMatch(/^VK rejected the access token \(error 5: Code №5 - User authorization failed/);
    expect(JSON.stringify({ message: (error as Error).message, context: (error as SourceAuthError).context })).not.toContain('SECRET-VK-TOKEN');
  });

  it.each([
    ['error 10', { kind: 'vk-error', code: 10 } as const, /VK API internal error \(error 10/],
    ['HTTP 502', { kind: 'http', status: 502 } as const, /VK API request failed/],
    ['malformed JSON', { kind: 'malformed-json' } as const, /VK API request failed/],
    ['a response of the wrong shape', { kind: 'bad-shape' } as const, /unexpected newsfeed.search response: items/],
    ['a request that never answers', { kind: 'hang' } as const, /VK API request failed: request timeout/],
  ])('%s on the second page is retryable; what was enqueued stays covered and the next poll catches up', async (_name, fault, reason) => {
    const { ctx } = service;
    const posts = postsAt(ctx.clock.now(), 10, 25);
    fake.addPosts(...posts);
    fake.pageSize = 10;
    fake.failNext(fault, 1, (method, params) => method === 'newsfeed.search' && params.start_from !== undefined);
    const handler = createVkPollHandler([vkSource(fake.url, { requestTimeout: '300ms' })], { authorKey: TEST_AUTHOR_KEY });

    const error = await handler.poll({ source: 'vkbrand' }, pollContext(ctx)).catch((e: unknown) => e);
    expect(isRadarError(error) && error.retryable).toBe(true);
    expect((error as Error).message).toMatch(reason);
    expect((await enqueuedIds(ctx)).length).toBe(10);
    expect(await ctx.sources.getCursor('vkbrand')).toMatchObject({ search: { until: posts[15]!.date } });

    while (!(await handler.pollOnce({ source: 'vkbrand' }, pollContext(ctx))).complete);
    expect(await enqueuedIds(ctx)).toEqual(vkIds(posts));
  });
});
