/**
 * The scheduler watchdog on real Redis: what `syncSchedulers` declared is re-created when Redis no
 * longer has it — on a check, and on a reconnect alone (a Redis that restarted empty) — and nothing
 * that was not declared is created.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/platform/log.js';
import { createRedis } from '../../../src/queues/connection.js';
import { RedisKeys } from '../../../src/queues/keys.js';
import { restoreSchedulers, syncSchedulers, watchSchedulers, type SchedulerWatchdog } from '../../../src/queues/schedulers.js';
import { REDIS_URL, requireRedis, uniqueName } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

let redis: Redis;
let keys: RedisKeys;
let polls: Queue;
let ticks: Queue;
let other: Queue;
let watchdog: SchedulerWatchdog | undefined;

const ids = async (queue: Queue) => (await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort();

async function deletePrefix(): Promise<void> {
  const found = await redis.keys(`*${keys.prefix}*`);
  if (found.length > 0) await redis.del(...found);
}

beforeEach(async () => {
  await requireRedis();
  redis = createRedis(REDIS_URL);
  keys = new RedisKeys(uniqueName('sched'));
  polls = new Queue('poll', { connection: redis, prefix: keys.bullPrefixFor('poll') });
  ticks = new Queue('detect', { connection: redis, prefix: keys.bullPrefixFor('detect') });
  other = new Queue('notify', { connection: redis, prefix: keys.bullPrefixFor('notify') });
});

afterEach(async () => {
  watchdog?.stop();
  watchdog = undefined;
  await deletePrefix();
  await Promise.all([polls.close(), ticks.close(), other.close()]);
  redis.disconnect();
});

describe('scheduler watchdog', () => {
  it('re-creates exactly the declared schedulers Redis lost, with their interval and data', async () => {
    await syncSchedulers(polls, [
      { id: 'twitter|brand', everyMs: 60_000, name: 'poll', data: { source: 'brand', kind: 'twitter' } },
      { id: 'imap|support|INBOX', everyMs: 30_000, name: 'poll', data: { source: 'support', kind: 'imap', mailbox: 'INBOX' } },
    ]);
    await syncSchedulers(ticks, [{ id: 'detect-tick', everyMs: 15_000, name: 'tick', data: { tick: true } }]);
    await other.upsertJobScheduler('not-declared', { every: 1_000 }, { name: 'x', data: {} });
    expect(await restoreSchedulers(polls)).toEqual([]); // nothing missing yet

    await deletePrefix();
    expect(await ids(polls)).toEqual([]);
    watchdog = watchSchedulers({ redis, queues: () => [polls, ticks, other], everyMs: 3_600_000, log: silentLogger });
    expect((await watchdog.check()).sort()).toEqual(['detect/detect-tick', 'poll/imap|support|INBOX', 'poll/twitter|brand']);
    expect(await ids(polls)).toEqual(['imap|support|INBOX', 'twitter|brand']);
    expect(await ids(ticks)).toEqual(['detect-tick']);
    expect(await ids(other)).toEqual([]); // only what this process declared
    const brand = await polls.getJobScheduler('twitter|brand');
    expect(brand?.every).toBe(60_000);
    expect(brand?.template?.data).toEqual({ source: 'brand', kind: 'twitter' });
    expect(await watchdog.check()).toEqual([]); // idempotent
  });

  it('a reconnect alone (no timer) re-creates them: a Redis that came back empty', async () => {
    await syncSchedulers(ticks, [{ id: 'detect-tick', everyMs: 15_000, name: 'tick', data: { tick: true } }]);
    const restored: string[] = [];
    watchdog = watchSchedulers({ redis, queues: () => [ticks], everyMs: 3_600_000, log: silentLogger, onRestored: (r) => restored.push(...r) });
    await deletePrefix();
    redis.disconnect(true); // drop the connection and reconnect, as after a Redis restart
    await waitFor(() => restored.length > 0, 10_000, 'restored on reconnect');
    expect(restored).toEqual(['detect/detect-tick']);
    expect(await ids(ticks)).toEqual(['detect-tick']);
  });

  it('a periodic check catches a flush that sent no event', async () => {
    await syncSchedulers(ticks, [{ id: 'detect-tick', everyMs: 15_000, name: 'tick', data: { tick: true } }]);
    watchdog = watchSchedulers({ redis, queues: () => [ticks], everyMs: 100, log: silentLogger });
    await deletePrefix();
    await waitFor(async () => (await ids(ticks)).length === 1, 10_000, 'restored by the timer');
    expect(await ids(ticks)).toEqual(['detect-tick']);
  });
});
