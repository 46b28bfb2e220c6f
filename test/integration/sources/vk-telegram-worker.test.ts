/**
 * VK and Telegram sources on the real BullMQ `poll` worker and job schedulers: a rejected token stops
 * only its own source while the others poll on, a rate limit makes the source wait, and polled items
 * end up stored once, classified and counted through the ingest worker.
 */
import type { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramPollHandler } from '../../../src/sources/telegram/index.js';
import { createVkPollHandler } from '../../../src/sources/vk/index.js';
import { startIngestWorker, type IngestWorker } from '../../../workers/ingest.js';
import { startPollWorker, syncPollSchedulers } from '../../../workers/poll.js';
import { FakeTelegramServer, TEST_BOT_TOKEN } from '../../helpers/fake-telegram.js';
import { FakeVkServer } from '../../helpers/fake-vk.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { SUPPORT, tgSource } from '../telegram/setup.js';
import { enqueuedIds, postsAt, TEST_AUTHOR_KEY, vkIds, vkSource } from '../vk/setup.js';

let service: TestService | undefined;
let vk: FakeVkServer | undefined;
let tg: FakeTelegramServer | undefined;
let poller: Worker | undefined;
let ingest: IngestWorker | undefined;

afterEach(async () => {
  await poller?.close();
  await ingest?.close();
  await vk?.close();
  await tg?.close();
  await service?.cleanup();
  poller = ingest = vk = tg = service = undefined;
});

const OTHER_BOT = '777:OTHER-bot-token-abcdefghijklmnop';

describe('vk and telegram on the poll worker', () => {
  it('a rejected VK token and a revoked bot token stop only their sources; the good ones poll on', async () => {
    service = await createTestService();
    const { ctx } = service;
    vk = await FakeVkServer.start({ tokens: ['GOOD'] });
    tg = await FakeTelegramServer.start({ tokens: [TEST_BOT_TOKEN] });
    vk.addPosts(...postsAt(ctx.clock.now(), 5, 2));
    tg.addMessage({ chat: SUPPORT, messageId: 1, text: 'не приходят письма' });
    const vkHandler = createVkPollHandler([
      vkSource(vk.url, { name: 'vk-good', token: 'GOOD', pollInterval: '150ms' }),
      vkSource(vk.url, { name: 'vk-bad', token: 'EXPIRED-VK-TOKEN', pollInterval: '1s' }),
    ], { authorKey: TEST_AUTHOR_KEY });
    const tgHandler = createTelegramPollHandler([
      tgSource(tg.url, { name: 'tg-good', pollInterval: '150ms' }),
      tgSource(tg.url, { name: 'tg-bad', botToken: OTHER_BOT, pollInterval: '1s' }),
    ], { authorKey: TEST_AUTHOR_KEY });
    // A lease as long as the interval (1 s): the first request of a fresh client may take a while on a
    // loaded machine, and a poll that outlives its lease leaves the source as it was (not stopped).
    await syncPollSchedulers(ctx, [vkHandler, tgHandler]);
    poller = startPollWorker(ctx, [vkHandler, tgHandler]);

    await waitFor(async () => (await ctx.sources.get('vk-bad'))?.state === 'stopped' && (await ctx.sources.get('tg-bad'))?.state === 'stopped', 30_000, 'bad sources stopped');
    const vkGood = vk.requests.filter((r) => r.token === 'GOOD').length;
    const tgGood = tg.requests.filter((r) => r.token === TEST_BOT_TOKEN).length;
    await waitFor(() => vk!.requests.filter((r) => r.token === 'GOOD').length >= vkGood + 3 && tg!.requests.filter((r) => r.token === TEST_BOT_TOKEN).length >= tgGood + 3, 30_000, 'good sources poll on');

    expect(vk.requests.filter((r) => r.token === 'EXPIRED-VK-TOKEN')).toHaveLength(1);
    expect(tg.requests.filter((r) => r.token === OTHER_BOT)).toHaveLength(1);
    const vkBad = await ctx.sources.get('vk-bad');
    expect(vkBad).toMatchObject({ kind: 'vk', state: 'stopped' });
    expect(vkBad?.lastError).toMatch(/^VK rejected the access token \(error 5/);
    expect(vkBad?.lastError).not.toContain('EXPIRED');
    const tgBad = await ctx.sources.get('tg-bad');
    expect(tgBad).toMatchObject({ kind: 'telegram', state: 'stopped', lastError: 'Telegram rejected the bot token (HTTP 401: Unauthorized)' });
    expect((await ctx.sources.get('vk-good'))?.state).toBe('ok');
    expect((await ctx.sources.get('tg-good'))?.state).toBe('ok');
    expect((await enqueuedIds(ctx)).length).toBe(3);
  });

  it('a Telegram 429 makes the source wait for retry_after; no request before it, then it catches up', async () => {
    service = await createTestService();
    const { ctx } = service;
    tg = await FakeTelegramServer.start();
    for (let i = 0; i < 3; i++) tg.addMessage({ chat: SUPPORT, messageId: 1 + i, text: `не грузится ${i}` });
    tg.failNext({ kind: 'status', status: 429, retryAfter: 1 });
    const handler = createTelegramPollHandler([tgSource(tg.url, { pollInterval: '100ms' })], { authorKey: TEST_AUTHOR_KEY });
    await syncPollSchedulers(ctx, [handler]);
    poller = startPollWorker(ctx, [handler]);

    await waitFor(async () => (await enqueuedIds(ctx)).length === 3, 30_000, 'caught up after the wait');
    const [limited, next] = tg.calls();
    expect(limited?.status).toBe(429);
    expect(next!.time - limited!.time).toBeGreaterThanOrEqual(1000 - 5); // nothing asked inside retry_after
    await waitFor(async () => (await ctx.sources.get('tgsupport'))?.state === 'ok');
    expect((await ctx.sources.get('tgsupport'))?.lastError).toMatch(/^rate limited until /);
  });

  it('end to end: VK posts and Telegram messages are stored once, classified and counted', async () => {
    service = await createTestService();
    const { ctx } = service;
    vk = await FakeVkServer.start();
    tg = await FakeTelegramServer.start();
    const posts = postsAt(ctx.clock.now(), 3, 4, { text: 'не могу войти в почту, пароль не подходит' });
    vk.addPosts(...posts);
    vk.pageSize = 2;
    for (let i = 0; i < 3; i++) tg.addMessage({ chat: SUPPORT, messageId: 1 + i, text: `не могу войти в почту, пароль не подходит ${i}` });
    const vkHandler = createVkPollHandler([vkSource(vk.url, { pollInterval: '200ms' })], { authorKey: TEST_AUTHOR_KEY });
    const tgHandler = createTelegramPollHandler([tgSource(tg.url, { pollInterval: '200ms' })], { authorKey: TEST_AUTHOR_KEY });
    await syncPollSchedulers(ctx, [vkHandler, tgHandler]);
    poller = startPollWorker(ctx, [vkHandler, tgHandler]);
    ingest = startIngestWorker(ctx);

    await waitFor(async () => (await ctx.store.messages.count()) === 7, 30_000, 'seven messages stored');
    await waitFor(() => vk!.calls('newsfeed.search').length >= 8 && tg!.calls().length >= 4, 30_000, 'a few more polls');
    expect(await ctx.store.messages.count()).toBe(7);
    const fromVk = await ctx.store.messages.get(vkIds(posts)[0]!);
    expect(fromVk).toMatchObject({ channel: 'vk', source: 'vkbrand' });
    expect(fromVk?.classification.complaint).toBe(true);
    expect(fromVk?.classification.categories[0]?.name).toBe('login');
    const fromTg = await ctx.store.messages.get(`telegram:${SUPPORT.id}:1`);
    expect(fromTg).toMatchObject({ channel: 'telegram', source: 'tgsupport', link: 'https://t.me/skymail_support/1' });
    expect(fromTg?.classification.complaint).toBe(true);
  });
});
