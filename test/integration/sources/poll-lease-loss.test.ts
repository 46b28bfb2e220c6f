/**
 * A poll that loses its lock lease (here: another holder took the lock while an X answer was slow)
 * stops writing: the cursor and the source status stay where they were, and the other holder's lock is
 * left alone. The next poll, once the lock is free, moves the cursor on from where it was.
 */
import type { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createTwitterPollHandler } from '../../../src/sources/twitter/index.js';
import { pollLockName } from '../../../src/sources/poll.js';
import { startPollWorker, syncPollSchedulers } from '../../../workers/poll.js';
import { FakeXServer } from '../../helpers/fake-x-server.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { TEST_AUTHOR_KEY, tweetsAt } from '../twitter/setup.js';

describe('a poll whose lease is lost', () => {
  let service: TestService | undefined;
  let fake: FakeXServer | undefined;
  let poller: Worker | undefined;
  afterEach(async () => {
    await poller?.close();
    await fake?.close();
    await service?.cleanup();
  });

  it('writes no cursor and no status, and never deletes the new holder’s lock', async () => {
    fake = await FakeXServer.start();
    fake.addUsers({ id: '11', username: 'alice' }, { id: '12', username: 'bob' });
    const before = tweetsAt(Date.now(), 5, 2);
    fake.addTweets(...before);
    service = await createTestService({
      config: { sources: { twitter: [{ name: 'brand', query: 'mail down', bearerToken: 'TEST', apiBase: fake.url, pollInterval: 600, requestTimeout: '10s' }] } },
    });
    const { ctx } = service;
    const handler = createTwitterPollHandler(ctx.config.sources.twitter, { authorKey: TEST_AUTHOR_KEY });
    await syncPollSchedulers(ctx, [handler]);
    poller = startPollWorker(ctx, [handler], { concurrency: 1 });
    await waitFor(async () => (await ctx.sources.getCursor('brand')) !== null, 30_000, 'first cursor');
    const cursor = await ctx.sources.getCursor('brand');
    const status = await ctx.sources.get('brand');

    // The next answer is slow; meanwhile another process takes the lock (our lease expired, say).
    const after = tweetsAt(Date.now(), 1, 2, { seq: 1 });
    fake.addTweets(...after);
    fake.latencyMs = 1_500;
    const slowFrom = fake.searches.length;
    await waitFor(() => fake!.searches.length > slowFrom, 10_000, 'a slow search started');
    const slow = fake.searches[slowFrom];
    const lock = ctx.keys.lock(pollLockName({ kind: 'twitter', source: 'brand' }));
    await ctx.redis.set(lock, 'another-holder', 'PX', 60_000);
    await waitFor(() => slow?.status !== 0 && slow?.status !== undefined, 10_000, 'the slow search answered');
    // Let the aborted poll finish whatever it would still do.
    await new Promise((r) => setTimeout(r, 500));

    expect(await ctx.sources.getCursor('brand')).toEqual(cursor);
    expect((await ctx.sources.get('brand'))?.lastSuccessAt).toBe(status?.lastSuccessAt);
    expect(await ctx.redis.get(lock)).toBe('another-holder');

    // The other holder is done: polls go on from the cursor left in place.
    fake.latencyMs = 0;
    await ctx.redis.del(lock);
    await waitFor(async () => ((await ctx.sources.getCursor<{ sinceId?: string }>('brand'))?.sinceId ?? null) === after.at(-1)?.id, 30_000, 'cursor moved on');
  });
});
