/**
 * Twitter source throughput: N tweets served by the local fake X server in pages of 100, fetched by
 * the real twitter-api-v2 client through the poll handler, enqueued, then classified (the real
 * keyword classifier), stored and counted by the ingest worker. Prints tweets/s from the first page
 * request to the last message stored, and the poll part alone (fetch + parse + enqueue).
 */
import type { BenchArgs } from './index.js';
import { twitterSourceSchema } from '../src/config/twitter.js';
import { createTwitterPollHandler } from '../src/sources/twitter/index.js';
import { FakeXServer, snowflakeAt } from '../test/helpers/fake-x-server.js';
import { benchPollContext, benchService, onBothDatabases, pageToStored, pageToStoredFigures, redisAnswers, type PageToStored } from './support.js';


const TEXTS = [
  '@mailru cannot log in to my mailbox since this morning https://t.co/abc',
  'Не могу войти в почту @mailru, пишет неверный пароль #fail',
  'mail.ru letters stuck in outbox, sending fails every time',
  'Почта ужасно тормозит, страница с письмами грузится минуту https://t.co/x',
  'Thanks @mailru for the new dark theme, looks great',
  'Вложения не открываются в mail.ru, пишет что файл поврежден',
];

async function once(n: number, prefix: string, db: 'sqlite' | 'postgres'): Promise<PageToStored> {
  const service = await benchService(prefix, db);
  const { ctx } = service;
  const fake = await FakeXServer.start({ limit: 1_000_000 });
  try {
    const now = Date.now();
    for (let u = 0; u < 50; u++) fake.addUsers({ id: String(1000 + u), username: `user${u}` });
    for (let i = 0; i < n; i++) {
      const at = now - 10 * 60_000 + Math.floor((i * 9 * 60_000) / n);
      fake.addTweets({ id: snowflakeAt(at, i % 4096), text: `${TEXTS[i % TEXTS.length]} ${i}`, authorId: String(1000 + (i % 50)), lang: i % 2 === 0 ? 'en' : 'ru' });
    }
    const handler = createTwitterPollHandler([
      twitterSourceSchema.parse({ name: 'bench', query: '"mail.ru" (не работает OR down)', bearerToken: 'TEST', apiBase: fake.url, maxPagesPerPoll: 100 }),
    ], { authorKey: ctx.authorKey });
    const pollCtx = benchPollContext(ctx);
    return await pageToStored(ctx, n, () => handler.pollOnce({ source: 'bench' }, pollCtx));
  } finally {
    await fake.close();
    await service.cleanup();
  }
}

export default async function run(args: BenchArgs): Promise<void> {
  if (!(await redisAnswers())) return;
  const n = args.quick ? 2_000 : 10_000;
  const id = `benchtw${process.pid}`;
  await onBothDatabases('', async (db) => pageToStoredFigures(n, 'tweets', await once(n, `${id}${db === 'sqlite' ? 'sq' : 'pg'}`, db)));
}
