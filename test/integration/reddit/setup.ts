/** Shared pieces of the Reddit source tests: sources pointed at the fake Reddit, posts at given times. */
import { redditSourceSchema, type RedditSourceConfig, type RedditSourceInput } from '../../../src/config/reddit.js';
import { redditIdAt, type FakeRedditItem } from '../../helpers/fake-reddit.js';

export { enqueuedIds, pollContext, TEST_AUTHOR_KEY } from '../twitter/setup.js';

export function redditSource(url: string, overrides: Partial<RedditSourceInput> = {}): RedditSourceConfig {
  return redditSourceSchema.parse({
    name: 'rd', clientId: 'CLIENT', clientSecret: 'SECRET', userAgent: 'test:complaint-radar:1.0 (by /u/radar-tests)',
    subreddits: ['mailru'], apiBase: url, authBase: url, requestTimeout: '2s', ...overrides,
  });
}

/** `n` posts in r/mailru, `minutesAgo` old, 1 s apart, newest last. */
export function postsAt(now: number, minutesAgo: number, n: number, options: { text?: string; seq?: number; extra?: Partial<FakeRedditItem> } = {}): FakeRedditItem[] {
  return Array.from({ length: n }, (_, i) => {
    const at = now - minutesAgo * 60_000 + i * 1000;
    return { id: redditIdAt(at, options.seq ?? 0), kind: 't3' as const, subreddit: 'mailru', author: i % 2 === 0 ? 'alice' : 'bob', createdUtc: at / 1000, title: `${options.text ?? 'cannot login to mail'} ${i}`, selftext: 'since morning, see https://imgur.com/x u/support', ...options.extra };
  });
}

export const redditIds = (items: readonly FakeRedditItem[]) => items.map((i) => `reddit:${i.kind}_${i.id}`).sort();
