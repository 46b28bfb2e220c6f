/**
 * Mastodon, Bluesky and Reddit source throughput: N items served by each local fake server (pages of
 * the network's maximum size), fetched by the real client (masto, @atproto/api, fetch) through the poll
 * handler, enqueued, then classified, stored and counted by the ingest worker (SQLite). Prints
 * messages/s per source from the first page request to the last message stored, and the poll part
 * alone (fetch + parse + enqueue).
 */
import type { BenchArgs } from './index.js';
import { blueskySourceSchema } from '../src/config/bluesky.js';
import { mastodonSourceSchema } from '../src/config/mastodon.js';
import { redditSourceSchema } from '../src/config/reddit.js';
import { createBlueskyPollHandler } from '../src/sources/bluesky/index.js';
import { createMastodonPollHandler } from '../src/sources/mastodon/index.js';
import { createRedditPollHandler } from '../src/sources/reddit/index.js';
import { FakeBluesky } from '../test/helpers/fake-bluesky.js';
import { FakeMastodon, mastodonIdAt } from '../test/helpers/fake-mastodon.js';
import { FakeReddit, redditIdAt } from '../test/helpers/fake-reddit.js';
import { benchPollContext, benchService, pageToStored, pageToStoredFigures, redisAnswers, type PageToStored } from './support.js';

const TEXTS = [
  'cannot log in to my mailbox since this morning https://example.org/abc',
  'Не могу войти в почту mail.ru, пишет неверный пароль #fail',
  'mail.ru letters stuck in outbox, sending fails every time',
  'Почта ужасно тормозит, страница с письмами грузится минуту',
  'Thanks for the new dark theme in mail.ru, looks great',
  'Вложения не открываются в mail.ru, пишет что файл поврежден',
];

type Poll = () => Promise<{ pages: number; complete: boolean }>;

async function once(kind: 'mastodon' | 'bluesky' | 'reddit', n: number, prefix: string): Promise<PageToStored> {
  const service = await benchService(prefix, 'sqlite');
  const { ctx } = service;
  const now = Date.now();
  const at = (i: number) => now - 10 * 60_000 + Math.floor((i * 9 * 60_000) / n);
  const text = (i: number) => `${TEXTS[i % TEXTS.length]} ${i}`;
  let close: () => Promise<void>;
  let poll: Poll;
  const pollCtx = benchPollContext(ctx);
  if (kind === 'mastodon') {
    const fake = await FakeMastodon.start({ limit: 1_000_000 });
    close = () => fake.close();
    for (let i = 0; i < n; i++) fake.add({ id: mastodonIdAt(at(i), i % 1000), content: `<p>${text(i)} <a href="https://x/tags/mailru">#<span>mailru</span></a></p>`, acct: `user${i % 50}`, tags: ['mailru'], language: i % 2 === 0 ? 'en' : 'ru' });
    const handler = createMastodonPollHandler([mastodonSourceSchema.parse({ name: 'bench', instance: fake.url, hashtags: ['mailru'], maxPagesPerPoll: 100 })], { authorKey: ctx.authorKey });
    poll = () => handler.pollOnce({ source: 'bench' }, pollCtx);
  } else if (kind === 'bluesky') {
    const fake = await FakeBluesky.start({ limit: 1_000_000 });
    close = () => fake.close();
    for (let i = 0; i < n; i++) fake.add({ rkey: `3kb${i.toString(36).padStart(8, '0')}`, did: `did:plc:user${String(i % 50).padStart(20, '0')}`, handle: `user${i % 50}.bsky.social`, text: `mail ${text(i)}`, indexedAt: at(i), langs: [i % 2 === 0 ? 'en' : 'ru'] });
    const handler = createBlueskyPollHandler([blueskySourceSchema.parse({ name: 'bench', service: fake.url, identifier: 'brand.bsky.social', appPassword: 'app-pass-word-test', query: 'mail', maxPagesPerPoll: 100 })], { authorKey: ctx.authorKey });
    poll = () => handler.pollOnce({ source: 'bench' }, pollCtx);
  } else {
    const fake = await FakeReddit.start({ limit: 1_000_000 });
    close = () => fake.close();
    for (let i = 0; i < n; i++) fake.add({ id: redditIdAt(at(i), i % 1000), kind: 't3', subreddit: 'mailru', author: `user${i % 50}`, createdUtc: at(i) / 1000, title: text(i), selftext: '' });
    const handler = createRedditPollHandler([
      redditSourceSchema.parse({ name: 'bench', clientId: 'CLIENT', clientSecret: 'SECRET', userAgent: 'bench:complaint-radar:1.0 (by /u/bench)', subreddits: ['mailru'], apiBase: fake.url, authBase: fake.url, maxPagesPerPoll: 10 }),
    ], { authorKey: ctx.authorKey });
    poll = () => handler.pollOnce({ source: 'bench' }, pollCtx);
  }
  try {
    return await pageToStored(ctx, n, () => poll());
  } finally {
    await close();
    await service.cleanup();
  }
}

export default async function run(args: BenchArgs): Promise<void> {
  if (!(await redisAnswers())) return;
  // A Reddit listing goes back about 1000 items, so the first poll's look-back sees at most that many.
  const n = args.quick ? 1_000 : 3_000;
  for (const kind of ['mastodon', 'bluesky', 'reddit'] as const) {
    const count = kind === 'reddit' ? Math.min(n, 1_000) : n;
    const r = await once(kind, count, `benchsoc${kind.slice(0, 2)}${process.pid}`);
    process.stdout.write(`${kind.padEnd(8)} (SQLite): ${pageToStoredFigures(count, 'items', r)}
`);
  }
}
