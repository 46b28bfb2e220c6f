/**
 * The Mastodon, Bluesky and Reddit sources on the real BullMQ `poll` worker with their real clients
 * against local fake servers: a 429 makes the source wait for the reset (no request before it), a
 * rejected credential stops only that source while the other of the same kind keeps polling.
 */
import type { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createBlueskyPollHandler } from '../../../src/sources/bluesky/index.js';
import { createMastodonPollHandler } from '../../../src/sources/mastodon/index.js';
import { createRedditPollHandler } from '../../../src/sources/reddit/index.js';
import type { PollHandler } from '../../../src/sources/poll.js';
import { startPollWorker, syncPollSchedulers } from '../../../workers/poll.js';
import type { FakeApiBase, RecordedRequest } from '../../helpers/fake-api-base.js';
import { FakeBluesky } from '../../helpers/fake-bluesky.js';
import { FakeMastodon } from '../../helpers/fake-mastodon.js';
import { FakeReddit } from '../../helpers/fake-reddit.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { blueskySource, postsAt as skyPostsAt } from '../bluesky/setup.js';
import { mastodonSource, statusesAt } from '../mastodon/setup.js';
import { postsAt as redditPostsAt, redditSource } from '../reddit/setup.js';
import { enqueuedIds, TEST_AUTHOR_KEY } from '../twitter/setup.js';

let service: TestService | undefined;
let fake: FakeApiBase | undefined;
let poller: Worker | undefined;

afterEach(async () => {
  await poller?.close();
  await fake?.close();
  await service?.cleanup();
  poller = undefined;
  fake = undefined;
  service = undefined;
});

interface Case {
  readonly kind: string;
  /** Starts the fake with `n` items from a few minutes ago; `reads` are its list requests. */
  start(now: number, n: number): Promise<{ fake: FakeApiBase; reads: () => RecordedRequest[]; rejected: () => RecordedRequest[] }>;
  /** A handler with a good source `good` and one whose credentials are refused `bad` (both every 150 ms); or one `good` only. */
  handler(fake: FakeApiBase, withBad: boolean): PollHandler;
}

const deps = { authorKey: TEST_AUTHOR_KEY };
// The poll lock's lease is one interval: on this shared 2-core machine a first poll (a client's first
// request; the atproto agent compiles its lexicons) can hold the CPU for a few hundred ms, so an interval
// shorter than that would let the lease run out mid-poll and the rejected login be tried twice.
const fast = { pollInterval: '1s' };

const cases: Case[] = [
  {
    kind: 'mastodon',
    async start(now, n) {
      const f = await FakeMastodon.start();
      f.add(...statusesAt(now, 3, n));
      return { fake: f, reads: () => f.lists.filter((r) => r.token === 'TEST'), rejected: () => f.requests.filter((r) => r.token === 'REVOKED') };
    },
    handler(f, withBad) {
      return createMastodonPollHandler([mastodonSource(f.url, { name: 'good', ...fast }), ...(withBad ? [mastodonSource(f.url, { name: 'bad', accessToken: 'REVOKED', ...fast })] : [])], deps);
    },
  },
  {
    kind: 'bluesky',
    async start(now, n) {
      const f = await FakeBluesky.start();
      f.add(...skyPostsAt(now, 3, n));
      return { fake: f, reads: () => f.searches, rejected: () => f.logins.filter((r) => r.body.includes('wrong-password')) };
    },
    handler(f, withBad) {
      return createBlueskyPollHandler([blueskySource(f.url, { name: 'good', ...fast }), ...(withBad ? [blueskySource(f.url, { name: 'bad', appPassword: 'wrong-password', ...fast })] : [])], deps);
    },
  },
  {
    kind: 'reddit',
    async start(now, n) {
      const f = await FakeReddit.start();
      f.add(...redditPostsAt(now, 3, n));
      return { fake: f, reads: () => f.listings, rejected: () => f.requests.filter((r) => r.method === 'POST' && r.status === 401) };
    },
    handler(f, withBad) {
      return createRedditPollHandler([redditSource(f.url, { name: 'good', ...fast }), ...(withBad ? [redditSource(f.url, { name: 'bad', clientSecret: 'REVOKED', ...fast })] : [])], deps);
    },
  },
];

describe.each(cases)('$kind source on the poll worker', (c) => {
  it('a 429 makes the source wait: no request before the reset, then it catches up', async () => {
    service = await createTestService();
    const { ctx } = service;
    const started = await c.start(ctx.clock.now(), 3);
    fake = started.fake;
    fake.exhaustUntil(Date.now() + 2000);
    const reset = fake.rateLimitResetAt;
    const handler = c.handler(fake, false);
    await syncPollSchedulers(ctx, [handler]);
    poller = startPollWorker(ctx, [handler]);

    await waitFor(async () => (await enqueuedIds(ctx)).length === 3, 30_000, 'items enqueued after the reset');
    const reads = started.reads();
    expect(reads[0]?.status).toBe(429);
    expect(reads.filter((r) => r.time < reset)).toHaveLength(1); // only the one that learnt about the limit
    await waitFor(async () => (await ctx.sources.get('good'))?.state === 'ok');
    expect((await ctx.sources.get('good'))?.lastError).toMatch(/^rate limited until /);
  });

  it('a rejected credential stops only that source; the other keeps polling', async () => {
    service = await createTestService();
    const { ctx } = service;
    const started = await c.start(ctx.clock.now(), 2);
    fake = started.fake;
    const handler = c.handler(fake, true);
    await syncPollSchedulers(ctx, [handler]);
    poller = startPollWorker(ctx, [handler]);

    await waitFor(async () => (await ctx.sources.get('bad'))?.state === 'stopped', 30_000, 'the bad source stopped');
    const before = started.reads().length;
    await waitFor(() => started.reads().length >= before + 3, 30_000, 'the good source polls on');
    expect(started.rejected()).toHaveLength(1);
    const bad = await ctx.sources.get('bad');
    expect(bad?.lastError).toMatch(/rejected/);
    expect(bad?.lastError).not.toMatch(/REVOKED|wrong-password/);
    expect((await ctx.sources.get('good'))?.state).toBe('ok');
    expect(await enqueuedIds(ctx)).toHaveLength(2);
  });
});
