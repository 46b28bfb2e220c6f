/**
 * A poller killed with SIGKILL in the middle of a poll (a real child process, its X request hanging)
 * leaves its lock behind: `/api/sources` shows the source `blocked` until the lock's lease runs out —
 * at most one poll interval after the kill — with the real cursor from the database; then the source
 * is polled again from that cursor (no look-back), and nothing is lost or doubled.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createTwitterPollHandler } from '../../../src/sources/twitter/index.js';
import { startPollWorker } from '../../../workers/poll.js';
import { buildTestApp, viewer } from '../../helpers/api.js';
import { FakeXServer } from '../../helpers/fake-x-server.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { enqueuedIds, TEST_AUTHOR_KEY, tweetsAt, twitterIds } from '../twitter/setup.js';

const INTERVAL_MS = 2_000;

function startChild(service: TestService): Promise<ChildProcess> {
  const child = fork(new URL('../../helpers/poll-child.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, RADAR_TEST_CONFIG: JSON.stringify(service.config), RADAR_TEST_AUTHOR_KEY: TEST_AUTHOR_KEY },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`poll child exited with ${code}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

interface SourceItem {
  name: string;
  state: string;
  lastState: string;
  blockedUntil: string | null;
  cursor: unknown;
  locks: Array<{ mailbox: string | null; heldUntil: string; renewed: boolean }>;
}

async function sourceItem(app: FastifyInstance): Promise<SourceItem | undefined> {
  const res = await app.inject({ url: '/api/sources', headers: viewer });
  return (res.json() as { items: SourceItem[] }).items.find((i) => i.name === 'brand');
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`kill -9 during a poll (${db})`, () => {
    let service: TestService | undefined;
    let fake: FakeXServer | undefined;
    let app: FastifyInstance | undefined;
    let poller: Worker | undefined;
    const children: ChildProcess[] = [];
    afterEach(async () => {
      for (const c of children.splice(0)) await killed(c);
      await poller?.close();
      await app?.close();
      await fake?.close();
      await service?.cleanup();
      poller = undefined;
      app = undefined;
      service = undefined;
    });

    it('blocks the source at most one poll interval, shows it blocked with its cursor, then resumes from the cursor', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      fake = await FakeXServer.start();
      fake.addUsers({ id: '11', username: 'alice' }, { id: '12', username: 'bob' });
      const before = tweetsAt(Date.now(), 5, 3);
      fake.addTweets(...before);
      service = await createTestService({
        db,
        config: {
          sources: { twitter: [{ name: 'brand', query: 'mail down', bearerToken: 'TEST', apiBase: fake.url, pollInterval: INTERVAL_MS, requestTimeout: '60s' }] },
        },
      });
      const { ctx } = service;
      app = await buildTestApp(ctx);

      const child = await startChild(service);
      children.push(child);
      const newestBefore = before.at(-1)?.id;
      await waitFor(async () => ((await ctx.sources.getCursor<{ sinceId?: string }>('brand'))?.sinceId ?? null) === newestBefore, 30_000, 'first poll saved its cursor');
      expect(await enqueuedIds(ctx)).toEqual(twitterIds(before));

      // The next search hangs: the child is mid-poll, holding (and renewing) the source's lock.
      const hangsFrom = fake.searches.length;
      fake.failNext({ kind: 'hang' });
      const after = tweetsAt(Date.now(), 1, 3, { seq: 1 });
      fake.addTweets(...after);
      await waitFor(() => fake!.searches.slice(hangsFrom).some((r) => r.status === 0), 30_000, 'a poll is hanging');
      const cursorAtKill = await ctx.sources.getCursor<{ sinceId: string }>('brand');
      expect(cursorAtKill).toEqual({ sinceId: newestBefore });
      const polling = await sourceItem(app);
      expect(polling?.state === 'polling' || polling?.state === 'blocked').toBe(true);

      const killedAt = Date.now();
      await killed(child);

      // Nobody renews the lock now: the source shows blocked, until at most one interval after the kill.
      let blocked: SourceItem | undefined;
      await waitFor(async () => {
        blocked = await sourceItem(app!);
        return blocked?.state === 'blocked';
      }, 10_000, 'source shown blocked');
      expect(blocked?.lastState).toBe('ok');
      expect(blocked?.cursor).toEqual(cursorAtKill);
      expect(blocked?.locks).toHaveLength(1);
      expect(blocked?.locks[0]?.renewed).toBe(false);
      const blockedUntil = Date.parse(blocked?.blockedUntil ?? '');
      expect(blockedUntil).toBeGreaterThan(killedAt - 50);
      expect(blockedUntil).toBeLessThanOrEqual(killedAt + INTERVAL_MS + 50);

      // The lock runs out by itself; another poller (this process) takes the source over from its cursor.
      const searchesBeforeResume = fake.searches.length;
      const handler = createTwitterPollHandler(ctx.config.sources.twitter, { authorKey: TEST_AUTHOR_KEY });
      poller = startPollWorker(ctx, [handler]);
      await waitFor(async () => (await enqueuedIds(ctx)).length === before.length + after.length, 30_000, 'new tweets polled after the crash');
      expect(await enqueuedIds(ctx)).toEqual(twitterIds([...before, ...after]));
      const resumed = fake.searches.slice(searchesBeforeResume).find((r) => r.status === 200);
      expect(resumed?.query.since_id).toBe(cursorAtKill?.sinceId);
      expect(resumed?.query.start_time).toBeUndefined();
      // The resumed poll ran once the dead poller's lease was over.
      expect(resumed?.time ?? 0).toBeGreaterThanOrEqual(blockedUntil - 50);
      await waitFor(async () => ((await ctx.sources.getCursor<{ sinceId?: string }>('brand'))?.sinceId ?? null) === after.at(-1)?.id, 10_000, 'cursor moved');
      const done = await sourceItem(app);
      expect(done?.blockedUntil).toBeNull();
    });
  });
}
