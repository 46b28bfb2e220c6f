/**
 * Redis is a cache of schedules, not their only home: every key of the service's prefix is deleted
 * while polls, ingest and the detect tick run (what a Redis that restarts empty looks like). The
 * scheduler watchdog re-creates the poll and detect schedulers, the poll resumes from the cursor in
 * the database (no 15-minute look-back), the detector ticks again, and no message is lost or doubled.
 */
import type { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../../src/queues/jobs.js';
import { watchSchedulers, type SchedulerWatchdog } from '../../../src/queues/schedulers.js';
import { createTwitterPollHandler } from '../../../src/sources/twitter/index.js';
import { commitJudged, startDetectWorker, type DetectWorker } from '../../../workers/detect-groups.js';
import { startIngestWorker, type IngestWorker } from '../../../workers/ingest.js';
import { startPollWorker, syncPollSchedulers } from '../../../workers/poll.js';
import { silentLogger } from '../../../src/platform/log.js';
import { serviceConfigSchema } from '../../../src/config/service.js';
import { runService } from '../../../workers/service.js';
import { buildTestApp } from '../../helpers/api.js';
import { FakeXServer } from '../../helpers/fake-x-server.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { TEST_AUTHOR_KEY, tweetsAt } from '../twitter/setup.js';

async function deletePrefix(service: TestService): Promise<number> {
  const keys = await service.ctx.redis.keys(`*${service.prefix}*`);
  if (keys.length > 0) await service.ctx.redis.del(...keys);
  return keys.length;
}

const schedulerIds = async (service: TestService, queue: 'poll' | 'detect') =>
  (await service.ctx.queues.get(queue).getJobSchedulers(0, -1)).map((s) => s.key).sort();

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`a Redis that loses every key while the service runs (${db})`, () => {
    let service: TestService | undefined;
    let fake: FakeXServer | undefined;
    let poller: Worker | undefined;
    let ingest: IngestWorker | undefined;
    let detect: DetectWorker | undefined;
    let watchdog: SchedulerWatchdog | undefined;
    afterEach(async () => {
      watchdog?.stop();
      await poller?.close();
      await detect?.close();
      await ingest?.close();
      await fake?.close();
      await service?.cleanup();
      poller = undefined;
      detect = undefined;
      ingest = undefined;
      service = undefined;
    });

    it('schedulers come back, the poll resumes from the database cursor, the detector ticks again, nothing lost or doubled', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      fake = await FakeXServer.start();
      fake.addUsers({ id: '11', username: 'alice' }, { id: '12', username: 'bob' });
      const before = tweetsAt(Date.now(), 5, 4);
      fake.addTweets(...before);
      service = await createTestService({
        db,
        config: { sources: { twitter: [{ name: 'brand', query: 'mail down', bearerToken: 'TEST', apiBase: fake.url, pollInterval: 300, requestTimeout: '5s' }] } },
      });
      const { ctx } = service;
      const handler = createTwitterPollHandler(ctx.config.sources.twitter, { authorKey: TEST_AUTHOR_KEY });
      ingest = startIngestWorker(ctx);
      await syncPollSchedulers(ctx, [handler]);
      poller = startPollWorker(ctx, [handler]);
      detect = await startDetectWorker(ctx, commitJudged(ctx), { everyMs: 300 });
      watchdog = watchSchedulers({ redis: ctx.redis, queues: () => QUEUE_NAMES.map((n) => ctx.queues.get(n)), everyMs: 200, log: ctx.log });

      await waitFor(async () => (await ctx.store.messages.count()) === before.length, 30_000, 'first tweets stored');
      await waitFor(async () => (await ctx.sources.getCursor('brand')) !== null, 30_000, 'cursor saved');
      await waitFor(async () => (await ctx.store.kv.get('detect.tick')) !== null, 30_000, 'detector ticked');
      const cursor = await ctx.sources.getCursor<{ sinceId: string }>('brand');
      expect(cursor).toEqual({ sinceId: before.at(-1)?.id });
      const pollSchedulers = await schedulerIds(service, 'poll');
      expect(pollSchedulers).toEqual(['twitter|brand']);
      expect(await schedulerIds(service, 'detect')).toEqual(['detect-tick']);

      // Redis forgets everything of this service: schedulers, jobs, locks.
      const searchesBefore = fake.searches.length;
      expect(await deletePrefix(service)).toBeGreaterThan(0);
      const flushedAt = Date.now();
      const after = tweetsAt(Date.now(), 1, 3, { seq: 1 });
      fake.addTweets(...after);

      await waitFor(async () => (await ctx.store.messages.count()) === before.length + after.length, 30_000, 'tweets after the flush stored');
      // A poll that was running at the flush may store the new tweets before the watchdog's next check.
      const current = service;
      await waitFor(async () => JSON.stringify(await schedulerIds(current, 'poll')) === JSON.stringify(pollSchedulers), 30_000, 'poll scheduler re-created');
      await waitFor(async () => JSON.stringify(await schedulerIds(current, 'detect')) === JSON.stringify(['detect-tick']), 30_000, 'detect scheduler re-created');
      const resumed = fake.searches.slice(searchesBefore).filter((r) => r.status === 200);
      expect(resumed.length).toBeGreaterThan(0);
      expect(resumed[0]?.query.since_id).toBe(cursor?.sinceId);
      expect(resumed.every((r) => r.query.start_time === undefined)).toBe(true); // never the look-back
      await waitFor(async () => ((await ctx.store.kv.get<{ at: number }>('detect.tick'))?.at ?? 0) > flushedAt, 30_000, 'detector ticks again');

      // Nothing doubled: each tweet stored and counted once.
      expect(await ctx.store.messages.count()).toBe(before.length + after.length);
      const stored = (await ctx.store.messages.list({}, 100)).items.map((m) => m.id).sort();
      expect(stored).toEqual([...before, ...after].map((tw) => `twitter:${tw.id}`).sort());
      expect(await ctx.store.series.total('messages', Date.now() - 3_600_000, Date.now() + 60_000)).toBe(before.length + after.length);

      // /health is fine again: the source was polled and the detector ticked within their intervals.
      const app = await buildTestApp(ctx);
      const health = await app.inject({ url: '/health' });
      await app.close();
      expect(health.json()).toMatchObject({ status: 'ok', checks: { sources: 'ok', detector: 'ok' } });
      expect(health.statusCode).toBe(200);
    });
  });
}

describe('the service wires the scheduler watchdog', () => {
  let service: TestService | undefined;
  afterEach(async () => {
    await service?.cleanup();
    service = undefined;
  });

  it('radar start (detect and retention workers): their schedulers come back after Redis lost them, within redis.scheduleCheck', async () => {
    service = await createTestService();
    const config = serviceConfigSchema.parse({ ...service.config, redis: { ...service.config.redis, scheduleCheck: 200 } });
    const running = await runService({ config, log: silentLogger, workers: ['detect', 'retention'], api: false, autoStartRedis: false });
    try {
      const detectIds = async () => (await service!.ctx.queues.get('detect').getJobSchedulers(0, -1)).map((x) => x.key);
      const retentionIds = async () => (await service!.ctx.queues.get('retention').getJobSchedulers(0, -1)).map((x) => x.key);
      expect(await detectIds()).toEqual(['detect-tick']);
      const retention = await retentionIds();
      expect(retention).toEqual(['retention']);
      await deletePrefix(service);
      expect(await detectIds()).toEqual([]);
      await waitFor(async () => (await detectIds()).length === 1 && (await retentionIds()).length === retention.length, 10_000, 'schedulers re-created');
      expect(await detectIds()).toEqual(['detect-tick']);
      expect(await retentionIds()).toEqual(retention);
    } finally {
      await running.shutdown.close();
    }
  });
});
