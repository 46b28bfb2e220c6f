/**
 * The Mastodon poll handler with the real masto client against a local fake instance, on real Redis
 * and SQLite: paging, look-back, cursor and resume, boosts and own accounts, dead letters, faults.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMastodonPollHandler } from '../../../src/sources/mastodon/index.js';
import { isRadarError } from '../../../src/platform/errors.js';
import { SourceAuthError, SourceRateLimitError } from '../../../src/sources/poll.js';
import { FakeMastodon, mastodonIdAt } from '../../helpers/fake-mastodon.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { enqueuedIds, mastodonIds, mastodonSource, pollContext, statusesAt, TEST_AUTHOR_KEY } from './setup.js';

let service: TestService;
let fake: FakeMastodon;
const deps = { authorKey: TEST_AUTHOR_KEY };

beforeEach(async () => {
  service = await createTestService();
  fake = await FakeMastodon.start();
});

afterEach(async () => {
  await fake.close();
  await service.cleanup();
});

describe('mastodon poll handler (real masto client, fake instance)', () => {
  it('pages a hashtag timeline with since_id / max_id, stores clean text, the link and a hashed author, saves the newest id', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const statuses = statusesAt(now, 10, 25);
    fake.add(...statuses);
    const handler = createMastodonPollHandler([mastodonSource(fake.url, { pageSize: 10 })], deps);

    const result = await handler.pollOnce({ source: 'fedi' }, pollContext(ctx));

    expect(result).toMatchObject({ fetched: 25, skipped: 0, deadLettered: 0, complete: true });
    const lists = fake.lists;
    expect(lists.map((r) => r.path)).toEqual(Array(4).fill('/api/v1/timelines/tag/mailru')); // 10 + 10 + 5 + the empty end
    expect(lists[0]?.query.limit).toBe('10');
    const since = BigInt(lists[0]?.query.since_id ?? '0'); // the look-back: 15 minutes before the poll
    expect(since >= BigInt(mastodonIdAt(now - 15 * 60_000)) && since <= BigInt(mastodonIdAt(ctx.clock.now() - 15 * 60_000))).toBe(true);
    expect(lists[0]?.query.max_id).toBeUndefined();
    expect(lists[1]?.query.max_id).toBe(statuses[15]?.id);
    expect(lists[2]?.query.max_id).toBe(statuses[5]?.id);
    expect(await enqueuedIds(ctx)).toEqual(mastodonIds(fake.host, statuses));
    expect(await ctx.sources.getCursor('fedi')).toEqual({ feeds: { 'tag:mailru': { sinceId: statuses[24]?.id } } });

    const jobs = await ctx.queues.get('ingest').getJobs(['waiting']);
    const message = jobs.map((j) => j.data.message).find((m) => m.id === `mastodon:${fake.host}:${statuses[0]?.id}`);
    expect(message).toMatchObject({ channel: 'mastodon', source: 'fedi', lang: 'en', text: 'cannot login to mail 0 mailru', link: `https://${fake.host}/@alice/${statuses[0]?.id}` });
    expect(message?.meta).toMatchObject({ rawText: 'cannot login to mail 0 #mailru', feed: 'tag:mailru', statusId: statuses[0]?.id });
    expect(message?.author).toMatch(/^mastodon:[0-9a-f]{20}$/);
  });

  it('reads the search and the mentions too, each feed with its own cursor', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const tagged = statusesAt(now, 5, 2);
    const searched = statusesAt(now, 4, 2, { text: 'mail.ru down again', seq: 1, extra: { tags: [] } });
    const mentions = statusesAt(now, 3, 2, { text: '@mailru почта не работает', seq: 2, extra: { tags: [], mentionsMe: true, language: null } });
    fake.add(...tagged, ...searched, ...mentions);
    const handler = createMastodonPollHandler([mastodonSource(fake.url, { search: 'down again', mentions: true })], deps);

    const result = await handler.pollOnce({ source: 'fedi' }, pollContext(ctx));

    expect(result.fetched).toBe(6);
    expect(await enqueuedIds(ctx)).toEqual(mastodonIds(fake.host, [...tagged, ...searched, ...mentions]));
    const notes = fake.lists.filter((r) => r.path === '/api/v1/notifications');
    expect(notes[0]?.params.getAll('types[]')).toEqual(['mention']);
    expect(fake.lists.find((r) => r.path === '/api/v2/search')?.query).toMatchObject({ q: 'down again', type: 'statuses', resolve: 'false' });
    const cursor = (await ctx.sources.getCursor<{ feeds: Record<string, { sinceId: string }> }>('fedi'))?.feeds;
    expect(Object.keys(cursor ?? {}).sort()).toEqual(['mentions', 'search', 'tag:mailru']);
    expect(cursor?.mentions?.sinceId).toBe((BigInt(mentions[1]!.id) + 7n).toString()); // notification ids, not status ids
    const ru = (await ctx.queues.get('ingest').getJobs(['waiting'])).map((j) => j.data.message).find((m) => m.id.endsWith(mentions[0]!.id));
    expect(ru).toMatchObject({ lang: 'ru', text: 'почта не работает 0 mailru' }); // detected (no language given), the mention gone
  });

  it('resumes from the cursor after a restart: nothing missed, nothing doubled', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const before = statusesAt(now, 10, 4);
    fake.add(...before);
    await createMastodonPollHandler([mastodonSource(fake.url)], deps).poll({ source: 'fedi' }, pollContext(ctx));
    const after = statusesAt(now, 2, 3);
    fake.add(...after);

    const restarted = createMastodonPollHandler([mastodonSource(fake.url)], deps);
    const result = await restarted.pollOnce({ source: 'fedi' }, pollContext(ctx));

    expect(result.fetched).toBe(3);
    const second = fake.lists.find((r, i) => i > 0 && r.query.since_id === before[3]?.id);
    expect(second).toBeDefined();
    expect(await enqueuedIds(ctx)).toEqual(mastodonIds(fake.host, [...before, ...after]));
    expect((await ctx.queues.get('ingest').getJobCounts('waiting')).waiting).toBe(7);
  });

  it('a page cap leaves a backlog the next polls drain, newer statuses arriving meanwhile', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const statuses = statusesAt(now, 10, 25);
    fake.add(...statuses);
    const handler = createMastodonPollHandler([mastodonSource(fake.url, { pageSize: 10, maxPagesPerPoll: 1 })], deps);
    const poll = () => handler.pollOnce({ source: 'fedi' }, pollContext(ctx));

    expect(await poll()).toMatchObject({ fetched: 10, complete: false, cursor: { feeds: { 'tag:mailru': { untilId: statuses[15]?.id, newestId: statuses[24]?.id } } } });
    const newer = statusesAt(now, 1, 2);
    fake.add(...newer);
    expect(await poll()).toMatchObject({ fetched: 10, complete: false });
    expect(await poll()).toMatchObject({ fetched: 5, complete: false });
    expect(await poll()).toMatchObject({ fetched: 0, complete: true, cursor: { feeds: { 'tag:mailru': { sinceId: statuses[24]?.id } } } }); // the empty end of the backlog
    expect(await poll()).toMatchObject({ fetched: 2, complete: false });
    expect(await poll()).toMatchObject({ fetched: 0, complete: true });
    expect(await enqueuedIds(ctx)).toEqual(mastodonIds(fake.host, [...statuses, ...newer]));
    expect(await ctx.sources.getCursor('fedi')).toEqual({ feeds: { 'tag:mailru': { sinceId: newer[1]?.id } } });
  });

  it('skips boosts and the own account', async () => {
    const { ctx } = service;
    const now = ctx.clock.now();
    const [a, b] = statusesAt(now, 3, 2);
    const boost = { id: mastodonIdAt(now - 60_000, 9), content: '', acct: 'carol', tags: ['mailru'], reblogOf: a!.id };
    const own = { id: mastodonIdAt(now - 50_000, 9), content: '<p>We are on it #mailru</p>', acct: 'MailRu_Support', tags: ['mailru'] };
    fake.add(a!, b!, boost, own);
    const handler = createMastodonPollHandler([mastodonSource(fake.url, { ownAccounts: [`@mailru_support@${fake.host}`] })], deps);

    const result = await handler.pollOnce({ source: 'fedi' }, pollContext(ctx));

    expect(result).toMatchObject({ fetched: 2, skipped: 2 });
    expect(await enqueuedIds(ctx)).toEqual(mastodonIds(fake.host, [a!, b!]));
  });

  it('dead-letters a malformed status and stores the statuses around it', async () => {
    const { ctx } = service;
    const statuses = statusesAt(ctx.clock.now(), 3, 4);
    fake.add(...statuses);
    const badId = mastodonIdAt(ctx.clock.now() - 3 * 60_000 + 1500);
    fake.failNext({ kind: 'bad-item', item: { id: badId, created_at: 'yesterday', content: 42, account: {} } });
    const result = await createMastodonPollHandler([mastodonSource(fake.url)], deps).pollOnce({ source: 'fedi' }, pollContext(ctx));

    expect(result).toMatchObject({ fetched: 4, deadLettered: 1 });
    expect(await enqueuedIds(ctx)).toEqual(mastodonIds(fake.host, statuses));
    const [letter] = await ctx.store.deadLetters.list();
    expect(letter).toMatchObject({ messageId: `mastodon:${fake.host}:${badId}`, source: 'fedi', queue: 'poll' });
    expect(letter?.reason).toMatch(/^malformed status: /);
    expect((await ctx.sources.get('fedi'))?.deadLettered).toBe(1);
  });

  it.each([
    ['a 429', { kind: 'status', status: 429 } as const, (e: unknown) => e instanceof SourceRateLimitError && e.resetAt === fake.rateLimitResetAt],
    ['a 401', { kind: 'status', status: 401, body: { error: 'The access token is invalid' } } as const, (e: unknown) => e instanceof SourceAuthError && /HTTP 401: The access token is invalid/.test(e.message)],
    ['a 503', { kind: 'status', status: 503 } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /HTTP 503/.test(e.message)],
    ['a 422', { kind: 'status', status: 422 } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && !e.retryable],
    ['malformed JSON', { kind: 'malformed-json' } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /malformed/.test(e.message)],
    ['the wrong shape', { kind: 'bad-shape' } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /unexpected response/.test(e.message)],
    ['no answer', { kind: 'hang' } as const, (e: unknown) => isRadarError(e, 'ERR_SOURCE') && e.retryable && /timeout/i.test(e.message)],
  ])('%s: the right error, nothing enqueued, the cursor stays', async (_name, fault, expected) => {
    const { ctx } = service;
    const now = ctx.clock.now();
    fake.add(...statusesAt(now, 5, 3));
    const cursor = { feeds: { 'tag:mailru': { sinceId: mastodonIdAt(now - 10 * 60_000) } } };
    await ctx.sources.setCursor('fedi', cursor);
    fake.failNext(fault);
    const handler = createMastodonPollHandler([mastodonSource(fake.url, { requestTimeout: '300ms', accessToken: 'TEST' })], deps);

    const error = await handler.poll({ source: 'fedi' }, pollContext(ctx)).then(() => null, (e: unknown) => e);

    expect(expected(error)).toBe(true);
    expect((error as Error).message).not.toContain('TEST');
    expect(await enqueuedIds(ctx)).toEqual([]);
    expect(await ctx.sources.getCursor('fedi')).toEqual(cursor);
  });
});
