/** Shared pieces of the Twitter source tests: a service, a fake X server, sources pointed at it. */
import type { Job } from 'bullmq';
import { twitterSourceSchema, type TwitterSourceConfig, type TwitterSourceInput } from '../../../src/config/twitter.js';
import type { PollContext } from '../../../src/sources/poll.js';
import type { JobPayloads } from '../../../src/queues/jobs.js';
import type { ServiceContext } from '../../../workers/context.js';
import { snowflakeAt, type FakeTweet } from '../../helpers/fake-x-server.js';

/** The author hash key the handlers get in these tests (a deployment's comes from ServiceContext.authorKey). */
export const TEST_AUTHOR_KEY = 'twitter-test-author-key-0123456789abcdef';

export function source(fakeUrl: string, overrides: Partial<TwitterSourceInput> & { name?: string } = {}): TwitterSourceConfig {
  return twitterSourceSchema.parse({ name: 'brand', query: 'mail down', bearerToken: 'TEST', apiBase: fakeUrl, requestTimeout: '2s', ...overrides });
}

/** The PollContext the poll worker builds, for calling a handler directly. */
export function pollContext(ctx: ServiceContext, signal: AbortSignal = new AbortController().signal): PollContext {
  return {
    log: ctx.log,
    state: ctx.sources,
    storeSeries: (_source, points, cursors) => ctx.store.storePulled(points, new Map([...cursors].map(([c, v]) => [c, JSON.stringify(v)])), ctx.clock.now()),
    enqueue: (messages) => ctx.queues.enqueueMessages(messages),
    deadLetter: (letter) => ctx.store.deadLetters.add({ ...letter, queue: 'poll' }, ctx.clock.now()),
    now: () => ctx.clock.now(),
    signal,
  };
}

/** Message ids waiting (or done) in the ingest queue, sorted. */
export async function enqueuedIds(ctx: ServiceContext): Promise<string[]> {
  const jobs = (await ctx.queues.get('ingest').getJobs(['waiting', 'active', 'completed', 'delayed', 'prioritized'])) as Array<Job<JobPayloads['ingest']>>;
  return jobs.map((j) => j.data.message.id).sort();
}

/** `n` tweets `minutesAgo` old (1 s apart, newest last), authored by `authors` in turn. */
export function tweetsAt(now: number, minutesAgo: number, n: number, options: { text?: string; authors?: string[]; seq?: number } = {}): FakeTweet[] {
  const authors = options.authors ?? ['11', '12'];
  return Array.from({ length: n }, (_, i) => {
    const at = now - minutesAgo * 60_000 + i * 1000;
    return {
      id: snowflakeAt(at, options.seq ?? 0),
      text: `${options.text ?? 'cannot login to mail'} #${i} https://t.co/x${i}`,
      authorId: authors[i % authors.length] as string,
      createdAt: new Date(at).toISOString(),
      lang: 'en',
    };
  });
}

export const twitterIds = (tweets: readonly FakeTweet[]) => tweets.map((t) => `twitter:${t.id}`).sort();
