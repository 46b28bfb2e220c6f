import { fork, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../../src/domain/message.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

const N = 10_000;
const T0 = Date.UTC(2026, 0, 5, 0, 0);

function startChild(service: TestService): Promise<ChildProcess> {
  const child = fork(new URL('../../helpers/ingest-child.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, RADAR_TEST_CONFIG: JSON.stringify({ ...service.config, ingest: { ...service.config.ingest, backoff: 50, batchWait: 20 } }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`ingest child exited with ${code}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`crash and restart during ingest (${db})`, () => {
    let service: TestService | undefined;
    const children: ChildProcess[] = [];
    afterEach(async () => {
      for (const c of children) await killed(c);
      await service?.cleanup();
    });

    it(`kill -9 the worker in the middle of ${N} messages: after a restart each is stored and counted exactly once`, async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      service = await createTestService({ db });
      const { ctx } = service;
      const messages: Message[] = Array.from({ length: N }, (_, i) => ({
        id: `api:crash-${i}`,
        channel: 'api',
        source: 'crash-test',
        author: null,
        text: i % 4 === 0 ? 'cannot login, password rejected' : 'all fine here',
        lang: 'en',
        createdAt: new Date(T0 + (i % 600) * 1000).toISOString(),
        link: null,
      }));
      await ctx.queues.enqueueMessages(messages);

      const first = await startChild(service);
      children.push(first);
      await waitFor(async () => (await ctx.store.messages.count()) >= N / 5, 60_000, 'first worker made progress');
      await killed(first);
      const afterCrash = await ctx.store.messages.count();
      expect(afterCrash).toBeLessThan(N); // it really died mid-way

      // Messages re-delivered after the crash (a poller re-reading) must not double either.
      await ctx.queues.enqueueMessages(messages.slice(0, 500));
      const second = await startChild(service);
      children.push(second);
      await waitFor(async () => {
        const counts = await ctx.queues.get('ingest').getJobCounts('waiting', 'active', 'delayed');
        return (await ctx.store.messages.count()) === N && (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) === 0;
      }, 120_000, 'all messages stored after restart');

      expect(await ctx.store.messages.count()).toBe(N);
      expect(await ctx.store.series.total('messages', T0, T0 + 3_600_000)).toBe(N);
      expect(await ctx.store.series.total('complaints', T0, T0 + 3_600_000)).toBe(N / 4);
      expect(await ctx.store.deadLetters.count()).toBe(0);
    });
  });
}
