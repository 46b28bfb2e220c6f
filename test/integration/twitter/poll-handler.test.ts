/**
 * The Twitter poll handler with the real twitter-api-v2 client against a local fake X server, on
 * real Redis and SQLite: pagination, look-back, cursor and resume, exclusions, dead letters, faults.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTwitterPollHandler } from '../../../src/sources/twitter/index.js';
import { isRadarError } from '../../../src/platform/errors.js';
import { SourceAuthError, SourceRateLimitError } from '../../../src/sources/poll.js';
import { FakeXServer, snowflakeAt } from '../../helpers/fake-x-server.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { enqueuedIds, pollContext, source, TEST_AUTHOR_KEY, tweetsAt, twitterIds } from './setup.js';

let service: TestService;
let fake: FakeXServer;

beforeEach(async () => {
  service = await createTestService();
  fake = await FakeXServer.start();
  fake.addUsers({ id: '11', username: 'alice' }, { id: '12', username: 'bob' }, { id: '99', username: 'MailRu_Support' });
});

afterEach(async () => {
  await fake.close();
  await service.cleanup();
});

describe('twitter poll handler (real client, fake X)', () => {
  it('follows next_token across pages, asks for the right fields, de-duplicates authors, saves the newest id', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const tweets = tweetsAt(now, 10, 25);
    fake.addTweets(...tweets);
    fake.pageSize = 10;
    const handler = createTwitterPollHandler([source(fake.url)], { authorKey: TEST_AUTHOR_KEY });

    const result = await handler.pollOnce({ source: 'brand' }, pollContext(ctx));

    expect(result).toMatchObject({ pages: 3, fetched: 25, skipped: 0, deadLettered: 0, complete: true });
    const [first, second, third] = fake.searches;
    expect(fake.searches).toHaveLength(3);
    expect(first?.query).toMatchObject({
      query: 'mail down -is:retweet',
      max_results: '100',
      'tweet.fields': 'id,text,created_at,lang,author_id,conversation_id,referenced_tweets',
      expansions: 'author_id',
      'user.fields': 'username',
    });
    expect(first?.query.next_token).toBeUndefined();
    expect(second?.query.next_token).toBeDefined();
    expect(third?.query.next_token).toBeDefined();
    expect(third?.query.next_token).not.toBe(second?.query.next_token);
    expect(second?.query.start_time).toBe(first?.query.start_time); // the same search, next page
    expect(await enqueuedIds(ctx)).toEqual(twitterIds(tweets));
    const newest = tweets[tweets.length - 1]?.id;
    expect(await ctx.sources.getCursor('brand')).toEqual({ sinceId: newest });

    const job = await ctx.queues.get('ingest').getJob(`twitter%3A${newest}`);
    const message = (job ?? (await ctx.queues.get('ingest').getJobs(['waiting'])).find((j) => j.data.message.id === `twitter:${newest}`))?.data.message;
    expect(message).toMatchObject({ channel: 'twitter', source: 'brand', lang: 'en', text: 'cannot login to mail 24', link: `https://x.com/alice/status/${newest}` });
    expect(message?.meta).toMatchObject({ rawText: 'cannot login to mail #24 https://t.co/x24' });
    expect(message?.author).toMatch(/^x:[0-9a-f]{20}$/);

    const status = await ctx.sources.get('brand');
    expect(status).toMatchObject({ fetched: 25, rateLimit: { limit: 450, remaining: 447 } });
    expect(status?.rateLimit?.resetAt).toBeGreaterThan(now);
  });

  it('first run searches only the look-back (start_time = now - lookback), never the whole 7 days', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const old = tweetsAt(now, 40, 3);
    const recent = tweetsAt(now, 5, 2);
    fake.addTweets(...old, ...recent);
    const handler = createTwitterPollHandler([source(fake.url, { lookback: '15m' })], { authorKey: TEST_AUTHOR_KEY });

    await handler.poll({ source: 'brand' }, pollContext(ctx));

    const [request] = fake.searches;
    expect(request?.query.since_id).toBeUndefined();
    const startTime = Date.parse(request?.query.start_time ?? '');
    expect(startTime).toBeGreaterThanOrEqual(now - 15 * 60_000);
    expect(startTime).toBeLessThanOrEqual(ctx.clock.now() - 15 * 60_000);
    expect(await enqueuedIds(ctx)).toEqual(twitterIds(recent));
  });

  it('resumes from the cursor after a restart (a new handler, the same Redis): nothing missed, nothing doubled', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const before = tweetsAt(now, 10, 4);
    fake.addTweets(...before);
    await createTwitterPollHandler([source(fake.url)], { authorKey: TEST_AUTHOR_KEY }).poll({ source: 'brand' }, pollContext(ctx));
    const cursor = await ctx.sources.getCursor<{ sinceId: string }>('brand');

    const after = tweetsAt(now, 2, 3);
    fake.addTweets(...after);
    const restarted = createTwitterPollHandler([source(fake.url)], { authorKey: TEST_AUTHOR_KEY });
    const result = await restarted.pollOnce({ source: 'brand' }, pollContext(ctx));

    expect(fake.searches[1]?.query.since_id).toBe(cursor?.sinceId);
    expect(fake.searches[1]?.query.start_time).toBeUndefined();
    expect(result.fetched).toBe(3);
    expect(await enqueuedIds(ctx)).toEqual(twitterIds([...before, ...after]));
    expect(await ctx.sources.getCursor('brand')).toEqual({ sinceId: after[2]?.id });
  });

  it('the same tweets coming back (cursor lost) create no duplicate jobs', async () => {
    const { ctx } = service;
    const tweets = tweetsAt(ctx.clock.now(), 5, 12);
    fake.addTweets(...tweets);
    const handler = createTwitterPollHandler([source(fake.url)], { authorKey: TEST_AUTHOR_KEY });
    await handler.poll({ source: 'brand' }, pollContext(ctx));
    await ctx.sources.clearCursor('brand');
    await handler.poll({ source: 'brand' }, pollContext(ctx));

    expect(fake.searches).toHaveLength(2);
    expect(await enqueuedIds(ctx)).toEqual(twitterIds(tweets));
    expect((await ctx.queues.get('ingest').getJobCounts('waiting')).waiting).toBe(12);
  });

  it('a page cap leaves a backlog that the next polls drain, then moves to the newest id', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const tweets = tweetsAt(now, 10, 25);
    fake.addTweets(...tweets);
    fake.pageSize = 10;
    const handler = createTwitterPollHandler([source(fake.url, { maxPagesPerPoll: 1 })], { authorKey: TEST_AUTHOR_KEY });
    const poll = () => handler.pollOnce({ source: 'brand' }, pollContext(ctx));

    const first = await poll();
    expect(first).toMatchObject({ pages: 1, fetched: 10, complete: false, cursor: { untilId: tweets[15]?.id, newestId: tweets[24]?.id } });
    const newer = tweetsAt(now, 1, 2);
    fake.addTweets(...newer); // arrive while the backlog is drained
    expect(await poll()).toMatchObject({ fetched: 10, complete: false, cursor: { untilId: tweets[5]?.id } });
    expect(fake.searches[1]?.query.until_id).toBe(tweets[15]?.id);
    expect(await poll()).toMatchObject({ fetched: 5, complete: true, cursor: { sinceId: tweets[24]?.id } });
    expect(await poll()).toMatchObject({ fetched: 2, complete: true, cursor: { sinceId: newer[1]?.id } });
    expect(await enqueuedIds(ctx)).toEqual(twitterIds([...tweets, ...newer]));
  });

  it('drops retweets and the own account, keeps quote tweets and replies', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    fake.honourRetweetOperator = false; // make the client-side filter do the work
    const id = (s: number) => snowflakeAt(now - 60_000, s);
    fake.addTweets(
      { id: id(1), text: 'mail is down', authorId: '11' },
      { id: id(2), text: 'RT @bob: mail is down', authorId: '12', referenced: [{ type: 'retweeted', id: id(1) }] },
      { id: id(3), text: 'this! mail is down https://t.co/q', authorId: '12', referenced: [{ type: 'quoted', id: id(1) }] },
      { id: id(4), text: '@alice we are on it', authorId: '99', referenced: [{ type: 'replied_to', id: id(1) }] },
      { id: id(5), text: '@MailRu_Support still down', authorId: '11', referenced: [{ type: 'replied_to', id: id(4) }] },
    );
    const handler = createTwitterPollHandler([source(fake.url, { ownAccounts: ['@mailru_support'] })], { authorKey: TEST_AUTHOR_KEY });
    const result = await handler.pollOnce({ source: 'brand' }, pollContext(ctx));

    expect(fake.searches[0]?.query.query).toContain('-is:retweet');
    expect(result).toMatchObject({ fetched: 3, skipped: 2 });
    expect(await enqueuedIds(ctx)).toEqual([`twitter:${id(1)}`, `twitter:${id(3)}`, `twitter:${id(5)}`].sort());
    expect(await ctx.sources.getCursor('brand')).toEqual({ sinceId: id(5) });
    expect((await ctx.sources.get('brand'))?.skipped).toBe(2);
  });

  it('dead-letters a malformed tweet and keeps the others', async () => {
    const { ctx } = service;
    const tweets = tweetsAt(ctx.clock.now(), 3, 3);
    fake.addTweets(...tweets);
    fake.failNext({ kind: 'bad-tweet', tweet: { id: '1861000000000000001', lang: 'en' } });
    const result = await createTwitterPollHandler([source(fake.url)], { authorKey: TEST_AUTHOR_KEY }).pollOnce({ source: 'brand' }, pollContext(ctx));

    expect(result).toMatchObject({ fetched: 3, deadLettered: 1 });
    expect(await enqueuedIds(ctx)).toEqual(twitterIds(tweets));
    const [letter] = await ctx.store.deadLetters.list();
    expect(letter).toMatchObject({ messageId: 'twitter:1861000000000000001', source: 'brand', queue: 'poll' });
    expect(letter?.reason).toMatch(/malformed tweet: text/);
    expect((await ctx.sources.get('brand'))?.deadLettered).toBe(1);
  });

  it.each([
    ['a 429', { kind: 'status', status: 429 } as const, (e: unknown) => e instanceof SourceRateLimitError],
    ['a 401', { kind: 'status', status: 401 } as const, (e: unknown) => e instanceof SourceAuthError],
    ['a 403', { kind: 'status', status: 403 } as const, (e: unknown) => e instanceof SourceAuthError],
    ['a 503', { kind: 'status', status: 503 } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /HTTP 503/.test(e.message)],
    ['a 400', { kind: 'status', status: 400 } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && !e.retryable],
    ['malformed JSON', { kind: 'malformed-json' } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /malformed response/.test(e.message)],
    ['the wrong shape', { kind: 'bad-shape' } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && /unexpected response: (data|meta)/.test(e.message)],
    ['no answer', { kind: 'hang' } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /timeout/i.test(e.message)],
  ])('%s on the first page: the right error, nothing enqueued, the cursor stays', async (_name, fault, expected) => {
    const { ctx } = service;
    const now = ctx.clock.now();
    fake.addTweets(...tweetsAt(now, 5, 3));
    await ctx.sources.setCursor('brand', { sinceId: snowflakeAt(now - 10 * 60_000) });
    fake.failNext(fault);
    const handler = createTwitterPollHandler([source(fake.url, { requestTimeout: '300ms' })], { authorKey: TEST_AUTHOR_KEY });

    const error = await handler.poll({ source: 'brand' }, pollContext(ctx)).then(() => null, (e: unknown) => e);

    expect(expected(error)).toBe(true);
    expect((error as Error).message).not.toContain('TEST'); // never the token
    expect(await enqueuedIds(ctx)).toEqual([]);
    expect(await ctx.sources.getCursor('brand')).toEqual({ sinceId: snowflakeAt(now - 10 * 60_000) });
  });

  it('a failure on a later page keeps what was enqueued and the next poll goes on below it', async () => {
    const { ctx } = service;
    const tweets = tweetsAt(ctx.clock.now(), 5, 25);
    fake.addTweets(...tweets);
    fake.pageSize = 10;
    fake.failNext({ kind: 'malformed-json' }, 1, (q) => q.next_token !== undefined);
    const handler = createTwitterPollHandler([source(fake.url)], { authorKey: TEST_AUTHOR_KEY });

    await expect(handler.poll({ source: 'brand' }, pollContext(ctx))).rejects.toThrow(/malformed response/);
    expect(await enqueuedIds(ctx)).toEqual(twitterIds(tweets.slice(15)));
    expect(await ctx.sources.getCursor('brand')).toMatchObject({ untilId: tweets[15]?.id, newestId: tweets[24]?.id });

    const result = await handler.pollOnce({ source: 'brand' }, pollContext(ctx));
    expect(result).toMatchObject({ fetched: 15, complete: true, cursor: { sinceId: tweets[24]?.id } });
    expect(await enqueuedIds(ctx)).toEqual(twitterIds(tweets));
  });

  it('does not spend a request while a known quota is spent', async () => {
    const { ctx } = service;
    const resetAt = ctx.clock.now() + 60_000;
    await ctx.sources.recordError('brand', { now: ctx.clock.now(), message: 'rate limited', rateLimit: { limit: 450, remaining: 0, resetAt } });
    const error = await createTwitterPollHandler([source(fake.url)], { authorKey: TEST_AUTHOR_KEY })
      .poll({ source: 'brand' }, pollContext(ctx))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceRateLimitError);
    expect((error as SourceRateLimitError).resetAt).toBe(resetAt);
    expect(fake.searches).toHaveLength(0);
  });
});
