/**
 * Telegram's webhook option through the real HTTP app: the secret header is required and checked, an
 * unknown source looks the same as a wrong secret, an update becomes the same message a poll makes,
 * a repeat (Telegram re-sends what got no 2xx) is queued once, a malformed update is a dead letter and
 * answered 200, and a bot in webhook mode is never polled.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configuredPolls } from '../../../src/sources/poll.js';
import { buildPollHandlers } from '../../../src/sources/registry.js';
import { secretMatches } from '../../../src/sources/telegram/webhook.js';
import { buildTestApp } from '../../helpers/api.js';
import { TEST_BOT_TOKEN } from '../../helpers/fake-telegram.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { enqueuedIds } from '../twitter/setup.js';
import { SUPPORT } from './setup.js';

const SECRET = 'hook-secret-0123456789abcdef';
let service: TestService;
let app: FastifyInstance;

beforeEach(async () => {
  service = await createTestService({
    config: {
      sources: {
        telegram: [
          { name: 'tg-hook', mode: 'webhook', botToken: TEST_BOT_TOKEN, webhookSecret: SECRET, chats: [{ id: SUPPORT.id, username: 'skymail_support' }] },
          { name: 'tg-poll', botToken: '222:POLL-bot-token-abcdefghijklmnop', chats: [{ id: SUPPORT.id }] },
        ],
      },
    },
  });
  app = await buildTestApp(service.ctx);
});

afterEach(async () => {
  await app.close();
  await service.cleanup();
});

const update = (id: number, messageId: number, text: string) => ({
  update_id: id,
  message: { message_id: messageId, date: 1_800_000_000, chat: { id: SUPPORT.id, type: 'supergroup', title: 'Support' }, from: { id: 700, is_bot: false, first_name: 'A' }, text },
});

const post = (body: unknown, headers: Record<string, string> = { 'x-telegram-bot-api-secret-token': SECRET }, source = 'tg-hook') =>
  app.inject({ method: 'POST', url: `/api/hooks/telegram/${source}`, headers, payload: body as object });

describe('telegram webhook', () => {
  it('queues the update as the poll would, once, only with the right secret', async () => {
    const { ctx } = service;
    expect((await post(update(1, 10, 'не приходят письма https://t.me/x'))).statusCode).toBe(200);
    expect((await post(update(1, 10, 'не приходят письма https://t.me/x'))).statusCode).toBe(200); // re-sent by Telegram
    expect(await enqueuedIds(ctx)).toEqual([`telegram:${SUPPORT.id}:10`]);
    const job = (await ctx.queues.get('ingest').getJobs(['waiting']))[0];
    expect(job?.data.message).toMatchObject({ channel: 'telegram', source: 'tg-hook', text: 'не приходят письма', link: 'https://t.me/skymail_support/10', lang: 'ru' });
    expect(await ctx.sources.get('tg-hook')).toMatchObject({ kind: 'telegram', state: 'ok', fetched: 2 });

    for (const [headers, source] of [
      [{}, 'tg-hook'],
      [{ 'x-telegram-bot-api-secret-token': 'wrong-secret-0123456789abcdef' }, 'tg-hook'],
      [{ 'x-telegram-bot-api-secret-token': SECRET.slice(0, -1) }, 'tg-hook'],
      [{ 'x-telegram-bot-api-secret-token': SECRET }, 'tg-poll'], // not in webhook mode
      [{ 'x-telegram-bot-api-secret-token': SECRET }, 'nope'],
    ] as const) {
      const res = await post(update(2, 11, 'подделка'), headers, source);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'ERR_UNAUTHORIZED', message: 'unknown webhook or wrong secret token' });
    }
    expect(await enqueuedIds(ctx)).toEqual([`telegram:${SUPPORT.id}:10`]);
  });

  it('a malformed update is a dead letter answered 200; skipped ones are counted', async () => {
    const { ctx } = service;
    expect((await post({ update_id: 'x' })).statusCode).toBe(200);
    expect((await post({ update_id: 3, message: { message_id: 12, date: 'today', chat: { id: SUPPORT.id, type: 'supergroup' } } })).statusCode).toBe(200);
    expect((await post({ ...update(4, 13, 'пересланное'), message: { ...update(4, 13, 'x').message, forward_origin: { type: 'hidden_user', date: 1, sender_user_name: 'X' } } })).statusCode).toBe(200);
    const letters = await ctx.store.deadLetters.list(10);
    expect(letters.map((l) => [l.queue, l.messageId])).toEqual([['webhook', `telegram:${SUPPORT.id}:12`], ['webhook', null]]);
    expect(await ctx.sources.get('tg-hook')).toMatchObject({ deadLettered: 2, skipped: 1, fetched: 0 });
    expect(await enqueuedIds(ctx)).toEqual([]);
  });

  it('a bot in webhook mode has no poll schedule; the polling one has', () => {
    const handlers = buildPollHandlers(service.ctx.config, { authorKey: 'k'.repeat(32), seenIds: { has: async () => false, add: async () => undefined } as never });
    expect(handlers.flatMap((h) => h.schedules.map((s) => s.source))).toEqual(['tg-poll']);
    expect(configuredPolls(service.ctx.config.sources).map((p) => p.source)).toEqual(['tg-poll']);
  });

  it('compares secrets in constant time whatever their lengths', () => {
    expect(secretMatches(SECRET, SECRET)).toBe(true);
    expect(secretMatches('', SECRET)).toBe(false);
    expect(secretMatches(`${SECRET}x`, SECRET)).toBe(false);
  });
});
