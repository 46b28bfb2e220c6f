/**
 * VK and Telegram source throughput: N posts (VK `newsfeed.search`, pages of 200) and N updates
 * (Telegram `getUpdates`, pages of 100) served by the local fake servers, fetched by the real vk-io and
 * grammY clients through the poll handlers, enqueued, then classified, stored and counted by the ingest
 * worker. Prints messages/s per source from the first page request to the last message stored, and the
 * poll part alone (fetch + parse + enqueue). VK's client paces itself to `requestsPerSecond` (20 here, a
 * community token's limit; 3 for a user token caps the poll at 600 posts/s).
 */
import type { BenchArgs } from './index.js';
import { telegramSourceSchema } from '../src/config/telegram.js';
import { vkSourceSchema } from '../src/config/vk.js';
import type { PollContext } from '../src/sources/poll.js';
import { createTelegramPollHandler } from '../src/sources/telegram/index.js';
import { createVkPollHandler } from '../src/sources/vk/index.js';
import { FakeTelegramServer, TEST_BOT_TOKEN } from '../test/helpers/fake-telegram.js';
import { FakeVkServer } from '../test/helpers/fake-vk.js';
import { benchPollContext, benchService, onBothDatabases, pageToStored, pageToStoredFigures, redisAnswers, type PageToStored } from './support.js';


const TEXTS = [
  '[club1|Скаймейл], не могу войти в почту с утра https://vk.cc/abc',
  'Не приходят письма уже второй час #сбой',
  'skymail letters stuck in outbox, sending fails every time',
  'Почта ужасно тормозит, страница с письмами грузится минуту',
  'Спасибо за новую тёмную тему, очень удобно',
  'Вложения не открываются, пишет что файл поврежден',
];

type Kind = 'vk' | 'telegram';

async function once(kind: Kind, n: number, prefix: string, db: 'sqlite' | 'postgres'): Promise<PageToStored> {
  const service = await benchService(prefix, db);
  const { ctx } = service;
  const pollCtx: PollContext = benchPollContext(ctx);
  const vk = kind === 'vk' ? await FakeVkServer.start() : null;
  const tg = kind === 'telegram' ? await FakeTelegramServer.start() : null;
  try {
    const nowS = Math.floor(Date.now() / 1000);
    let poll: () => Promise<{ pages: number; complete: boolean }>;
    if (vk) {
      for (let i = 0; i < n; i++) vk.addPosts({ id: i + 1, ownerId: 1000 + (i % 50), fromId: 1000 + (i % 50), date: nowS - 600 + Math.floor((i * 540) / n), text: `${TEXTS[i % TEXTS.length]} ${i}` });
      const handler = createVkPollHandler([vkSourceSchema.parse({ name: 'bench-vk', token: 'TEST', query: 'скаймейл', apiBase: vk.url, requestsPerSecond: 20, maxPagesPerPoll: 100 })], { authorKey: ctx.authorKey });
      poll = () => handler.pollOnce({ source: 'bench-vk' }, pollCtx);
    } else {
      for (let i = 0; i < n; i++) tg!.addMessage({ chat: { id: -1001, username: 'skymail_support' }, messageId: i + 1, text: `${TEXTS[i % TEXTS.length]} ${i}`, fromId: 600 + (i % 50), date: nowS - 60 });
      const handler = createTelegramPollHandler(
        [telegramSourceSchema.parse({ name: 'bench-tg', botToken: TEST_BOT_TOKEN, chats: [{ id: -1001 }], apiRoot: tg!.url, longPollTimeout: '0s', maxPagesPerPoll: 100 })],
        { authorKey: ctx.authorKey },
      );
      poll = () => handler.pollOnce({ source: 'bench-tg' }, pollCtx);
    }
    return await pageToStored(ctx, n, () => poll());
  } finally {
    await vk?.close();
    await tg?.close();
    await service.cleanup();
  }
}

export default async function run(args: BenchArgs): Promise<void> {
  if (!(await redisAnswers())) return;
  const n = args.quick ? 2_000 : 10_000;
  const id = `benchvt${process.pid}`;
  for (const kind of ['vk', 'telegram'] as const) {
    await onBothDatabases(`${kind.padEnd(8)} `, async (db) => pageToStoredFigures(n, 'items', await once(kind, n, `${id}${kind}${db === 'sqlite' ? 'sq' : 'pg'}`, db)));
  }
}
