/**
 * The Telegram poll handler with the real grammY client against a local fake Bot API, on real Redis
 * and SQLite: paging, the offset cursor (confirmed only after it is saved), resume after a restart,
 * messages / replies / edits, exclusions, dead letters, 429 and a rejected token.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramPollHandler } from '../../../src/sources/telegram/index.js';
import { isRadarError } from '../../../src/platform/errors.js';
import { SourceAuthError, SourceRateLimitError } from '../../../src/sources/poll.js';
import { FakeTelegramServer, TEST_BOT_TOKEN } from '../../helpers/fake-telegram.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { DISCUSSION, ELSEWHERE, enqueuedIds, pollContext, SUPPORT, TEST_AUTHOR_KEY, tgSource } from './setup.js';

let service: TestService;
let fake: FakeTelegramServer;

beforeEach(async () => {
  service = await createTestService();
  fake = await FakeTelegramServer.start();
});

afterEach(async () => {
  await fake.close();
  await service.cleanup();
});

async function queued(id: string) {
  const jobs = await service.ctx.queues.get('ingest').getJobs(['waiting']);
  return jobs.find((j) => j.data.message.id === id)?.data.message;
}

const ids = (from: number, n: number, chat = SUPPORT.id) => Array.from({ length: n }, (_, i) => `telegram:${chat}:${from + i}`).sort();

describe('telegram poll handler (real grammY, fake Bot API)', () => {
  it('pages through getUpdates, maps messages, saves the last update id; the next request confirms it', async () => {
    const { ctx } = service;
    for (let i = 0; i < 250; i++) fake.addMessage({ chat: SUPPORT, messageId: 1 + i, text: `@skymail_bot не приходят письма ${i} https://t.me/x #сбой`, fromId: 600 + (i % 5) });
    const handler = createTelegramPollHandler([tgSource(fake.url)], { authorKey: TEST_AUTHOR_KEY });

    const result = await handler.pollOnce({ source: 'tgsupport' }, pollContext(ctx));

    expect(result).toMatchObject({ pages: 3, updates: 250, fetched: 250, complete: true, cursor: { lastUpdateId: 1249 } });
    const calls = fake.calls();
    expect(calls.map((c) => c.body.offset)).toEqual([undefined, 1100, 1200]);
    expect(calls[0]?.body).toMatchObject({ limit: 100, timeout: 0, allowed_updates: ['message', 'edited_message'] });
    expect(await enqueuedIds(ctx)).toEqual(ids(1, 250));
    expect(await ctx.sources.getCursor('tgsupport')).toEqual({ lastUpdateId: 1249 });
    expect(fake.unconfirmed()).toHaveLength(50); // the last page is confirmed by the next poll only
    const m = await queued(`telegram:${SUPPORT.id}:250`);
    expect(m).toMatchObject({ channel: 'telegram', source: 'tgsupport', lang: 'ru', text: 'не приходят письма 249 сбой', link: 'https://t.me/skymail_support/250' });
    expect(m?.meta).toMatchObject({ rawText: '@skymail_bot не приходят письма 249 https://t.me/x #сбой', chatId: SUPPORT.id, messageId: 250 });
    expect(m?.author).toMatch(/^tg:[0-9a-f]{20}$/);

    await handler.pollOnce({ source: 'tgsupport' }, pollContext(ctx));
    expect(fake.calls()[3]?.body.offset).toBe(1250);
    expect(fake.unconfirmed()).toHaveLength(0);
  });

  it('replies, edits (a new revision), captions; skips bots, staff, the channel\'s own posts, forwards and other chats', async () => {
    const { ctx } = service;
    fake.addMessage({ chat: DISCUSSION, messageId: 10, text: 'Новая тема: обновили приложение', senderChatId: -1001111111111, automaticForward: true });
    fake.addMessage({ chat: DISCUSSION, messageId: 11, text: 'после обновления не открываются вложения', fromId: 700, replyTo: 10 });
    fake.addMessage({ chat: SUPPORT, messageId: 12, text: 'Здравствуйте! Уже смотрим', fromId: 42 });
    fake.addMessage({ chat: SUPPORT, messageId: 13, text: 'бот: ваш тикет 123', isBot: true, fromId: 999 });
    fake.addMessage({ chat: SUPPORT, messageId: 14, text: 'пересланное', forwarded: true });
    fake.addMessage({ chat: ELSEWHERE, messageId: 15, text: 'почта не работает' });
    fake.addMessage({ chat: SUPPORT, messageId: 16, text: 'cannot attach files', caption: true, fromId: 701, languageCode: 'en' });
    fake.addMessage({ chat: SUPPORT, messageId: 17, text: '👍', fromId: 702, languageCode: 'ru' });
    fake.addEdit({ chat: DISCUSSION, messageId: 11, text: 'после обновления не открываются вложения на андроиде', fromId: 700, editDate: 1_800_000_000 });
    const handler = createTelegramPollHandler([tgSource(fake.url, { ownUserIds: [42] })], { authorKey: TEST_AUTHOR_KEY });

    const result = await handler.pollOnce({ source: 'tgsupport' }, pollContext(ctx));

    expect(result).toMatchObject({ updates: 9, fetched: 4, skipped: 5 }); // 10, 12, 13, 14, 15 skipped; 17 is a message ('👍' has no letters: lang from the app)
    expect(await enqueuedIds(ctx)).toEqual([`telegram:${DISCUSSION.id}:11`, `telegram:${DISCUSSION.id}:11:e1800000000`, `telegram:${SUPPORT.id}:16`, `telegram:${SUPPORT.id}:17`].sort());
    const reply = await queued(`telegram:${DISCUSSION.id}:11`);
    expect(reply).toMatchObject({ link: null });
    expect(reply?.meta).toMatchObject({ replyTo: 10 });
    const edit = await queued(`telegram:${DISCUSSION.id}:11:e1800000000`);
    expect(edit).toMatchObject({ text: 'после обновления не открываются вложения на андроиде', createdAt: new Date(1_800_000_000_000).toISOString() });
    expect(edit?.meta).toMatchObject({ revisionOf: `telegram:${DISCUSSION.id}:11`, editDate: 1_800_000_000 });
    expect(await queued(`telegram:${SUPPORT.id}:16`)).toMatchObject({ text: 'cannot attach files', lang: 'en' });
    expect(await queued(`telegram:${SUPPORT.id}:17`)).toMatchObject({ lang: 'ru' });
  });

  it('with edits off, an edit is skipped', async () => {
    const { ctx } = service;
    fake.addEdit({ chat: SUPPORT, messageId: 5, text: 'исправленный текст', editDate: 1_800_000_000 });
    const result = await createTelegramPollHandler([tgSource(fake.url, { edits: false })], { authorKey: TEST_AUTHOR_KEY }).pollOnce({ source: 'tgsupport' }, pollContext(ctx));
    expect(result).toMatchObject({ fetched: 0, skipped: 1 });
  });

  it('resumes after a restart with nothing missed or doubled; an enqueue that fails confirms nothing', async () => {
    const { ctx } = service;
    for (let i = 0; i < 5; i++) fake.addMessage({ chat: SUPPORT, messageId: 1 + i, text: `не могу войти ${i}` });
    await createTelegramPollHandler([tgSource(fake.url)], { authorKey: TEST_AUTHOR_KEY }).pollOnce({ source: 'tgsupport' }, pollContext(ctx));
    for (let i = 5; i < 8; i++) fake.addMessage({ chat: SUPPORT, messageId: 1 + i, text: `не могу войти ${i}` });

    // A process that dies while enqueueing: nothing saved, nothing confirmed beyond the first five.
    const broken = { ...pollContext(ctx), enqueue: async () => Promise.reject(new Error('redis went away')) };
    await expect(createTelegramPollHandler([tgSource(fake.url)], { authorKey: TEST_AUTHOR_KEY }).pollOnce({ source: 'tgsupport' }, broken)).rejects.toThrow(/redis went away/);
    expect(await ctx.sources.getCursor('tgsupport')).toEqual({ lastUpdateId: 1004 });
    expect(fake.unconfirmed()).toEqual([1005, 1006, 1007]);

    const restarted = createTelegramPollHandler([tgSource(fake.url)], { authorKey: TEST_AUTHOR_KEY });
    const result = await restarted.pollOnce({ source: 'tgsupport' }, pollContext(ctx));
    expect(result).toMatchObject({ updates: 3, fetched: 3 });
    const got = await enqueuedIds(ctx);
    expect(got).toEqual(ids(1, 8));
    expect(new Set(got).size).toBe(8);
  });

  it('a page cap leaves the rest with Telegram for the next polls', async () => {
    const { ctx } = service;
    for (let i = 0; i < 250; i++) fake.addMessage({ chat: SUPPORT, messageId: 1 + i, text: `медленно грузится ${i}` });
    const handler = createTelegramPollHandler([tgSource(fake.url, { maxPagesPerPoll: 1 })], { authorKey: TEST_AUTHOR_KEY });
    expect(await handler.pollOnce({ source: 'tgsupport' }, pollContext(ctx))).toMatchObject({ fetched: 100, complete: false });
    expect(await handler.pollOnce({ source: 'tgsupport' }, pollContext(ctx))).toMatchObject({ fetched: 100, complete: false });
    expect(await handler.pollOnce({ source: 'tgsupport' }, pollContext(ctx))).toMatchObject({ fetched: 50, complete: true });
    expect(await enqueuedIds(ctx)).toEqual(ids(1, 250));
  });

  it('long polling: the first request waits for an update and returns as soon as one arrives', async () => {
    const { ctx } = service;
    const handler = createTelegramPollHandler([tgSource(fake.url, { longPollTimeout: '20s' })], { authorKey: TEST_AUTHOR_KEY });
    const polling = handler.pollOnce({ source: 'tgsupport' }, pollContext(ctx));
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.calls()[0]?.body.timeout).toBe(20);
    fake.addMessage({ chat: SUPPORT, messageId: 1, text: 'спам не фильтруется' });
    expect(await polling).toMatchObject({ fetched: 1, complete: true });
  });

  it('a shutdown ends a long poll at once', async () => {
    const { ctx } = service;
    const stop = new AbortController();
    const handler = createTelegramPollHandler([tgSource(fake.url, { longPollTimeout: '20s' })], { authorKey: TEST_AUTHOR_KEY });
    const polling = handler.pollOnce({ source: 'tgsupport' }, pollContext(ctx, stop.signal)).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    stop.abort();
    const outcome = await polling;
    expect(isRadarError(outcome) && outcome.retryable).toBe(true);
    expect(await ctx.sources.getCursor('tgsupport')).toBeNull();
  });

  it('a malformed update is dead-lettered; the updates around it are enqueued and confirmed', async () => {
    const { ctx } = service;
    fake.addMessage({ chat: SUPPORT, messageId: 1, text: 'письма уходят в спам' });
    fake.addRawUpdate({ message: { message_id: 2, date: 'today', chat: { id: SUPPORT.id, type: 'supergroup' }, text: 'broken' } });
    fake.addMessage({ chat: SUPPORT, messageId: 3, text: 'и у меня' });
    const handler = createTelegramPollHandler([tgSource(fake.url)], { authorKey: TEST_AUTHOR_KEY });

    const result = await handler.pollOnce({ source: 'tgsupport' }, pollContext(ctx));

    expect(result).toMatchObject({ fetched: 2, deadLettered: 1, cursor: { lastUpdateId: 1002 } });
    expect(await enqueuedIds(ctx)).toEqual([`telegram:${SUPPORT.id}:1`, `telegram:${SUPPORT.id}:3`]);
    const [letter] = await ctx.store.deadLetters.list(10);
    expect(letter).toMatchObject({ messageId: `telegram:${SUPPORT.id}:2`, source: 'tgsupport' });
    expect(letter?.reason).toMatch(/^malformed Telegram message: date:/);
  });

  it('429 with retry_after is a SourceRateLimitError with that reset; the next poll asks nothing before it', async () => {
    const { ctx } = service;
    fake.addMessage({ chat: SUPPORT, messageId: 1, text: 'не работает' });
    fake.failNext({ kind: 'status', status: 429, description: 'Too Many Requests: retry after 7', retryAfter: 7 });
    const handler = createTelegramPollHandler([tgSource(fake.url)], { authorKey: TEST_AUTHOR_KEY });
    const before = ctx.clock.now();
    const error = await handler.poll({ source: 'tgsupport' }, pollContext(ctx)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceRateLimitError);
    expect((error as SourceRateLimitError).resetAt).toBeGreaterThanOrEqual(before + 7000);
    expect((error as SourceRateLimitError).resetAt).toBeLessThanOrEqual(ctx.clock.now() + 7000);
    await ctx.sources.recordError('tgsupport', { now: ctx.clock.now(), message: 'rate limited', rateLimit: (error as SourceRateLimitError).rateLimit });
    await expect(handler.poll({ source: 'tgsupport' }, pollContext(ctx))).rejects.toBeInstanceOf(SourceRateLimitError);
    expect(fake.calls()).toHaveLength(1);
  });

  it('401 is a SourceAuthError whose message never holds the token', async () => {
    const { ctx } = service;
    const token = '987654:REVOKED-token-abcdefghijklmnopq';
    const error = await createTelegramPollHandler([tgSource(fake.url, { botToken: token })], { authorKey: TEST_AUTHOR_KEY })
      .poll({ source: 'tgsupport' }, pollContext(ctx))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toBe('Telegram rejected the bot token (HTTP 401: Unauthorized)');
    expect(JSON.stringify({ m: (error as Error).message, c: (error as SourceAuthError).context, s: (error as Error).stack })).not.toContain('REVOKED');
  });

  it.each([
    ['a 502', { kind: 'status', status: 502 } as const, /Telegram answered HTTP 502/, true],
    ['a 409 (webhook set)', { kind: 'status', status: 409 } as const, /HTTP 409: Conflict.*delete the bot's webhook/, false],
    ['malformed JSON', { kind: 'malformed-json' } as const, /Telegram request failed/, true],
    ['a result of the wrong shape', { kind: 'bad-shape' } as const, /unexpected getUpdates response/, true],
    ['a request that never answers', { kind: 'hang' } as const, /Telegram request failed: .*timed out/, true],
  ])('%s: an error with the right retry, the cursor untouched, and the next poll gets everything', async (_name, fault, reason, retryable) => {
    const { ctx } = service;
    for (let i = 0; i < 3; i++) fake.addMessage({ chat: SUPPORT, messageId: 1 + i, text: `не грузится ${i}` });
    fake.failNext(fault);
    const handler = createTelegramPollHandler([tgSource(fake.url, { requestTimeout: '300ms' })], { authorKey: TEST_AUTHOR_KEY });
    const error = await handler.poll({ source: 'tgsupport' }, pollContext(ctx)).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(reason);
    expect(isRadarError(error) && error.retryable).toBe(retryable);
    expect(await ctx.sources.getCursor('tgsupport')).toBeNull();
    expect((await handler.pollOnce({ source: 'tgsupport' }, pollContext(ctx))).fetched).toBe(3);
    expect(await enqueuedIds(ctx)).toEqual(ids(1, 3));
  });
});

it('the token check of the fake is real: another bot\'s token sees none of these updates', async () => {
  fake.tokens.add('555:OTHER-bot-token-abcdefghijklmnop');
  fake.addMessage({ chat: SUPPORT, messageId: 1, text: 'x' }, TEST_BOT_TOKEN);
  const result = await createTelegramPollHandler([tgSource(fake.url, { botToken: '555:OTHER-bot-token-abcdefghijklmnop' })], { authorKey: TEST_AUTHOR_KEY }).pollOnce({ source: 'tgsupport' }, pollContext(service.ctx));
  expect(result.updates).toBe(0);
});
