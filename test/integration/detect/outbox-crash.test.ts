/**
 * The outbox under kill -9, with real processes on real Redis and SQLite / PostgreSQL: a detector
 * process runs the ticks through an incident and is killed (SIGKILL, via RADAR_FAILPOINT) at each step
 * between detection and page — before the tick commits, after it commits but before the relay, after
 * the relay enqueued but before it marked the intent sent, after it marked it — then restarted. Nothing
 * is lost (the incident is paged) and every intent is exactly one notify job.
 */
import { fork } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/platform/clock.js';
import { createAlerting } from '../../../workers/alerting.js';
import { runDetectTick } from '../../../workers/detect.js';
import { notifyJobId } from '../../../workers/outbox-relay.js';
import { DAY, MIN, seedSeries } from '../../helpers/detect-scenario.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';

const T0 = Date.UTC(2026, 2, 2, 0, 0);
const FAILPOINTS = ['tick.before-commit', 'tick.after-commit', 'relay.after-enqueue', 'relay.after-mark'] as const;

/** Runs the detector child over [from, to]; resolves with how it ended. */
function runChild(service: TestService, from: number, to: number, failpoint: string | null): Promise<'done' | 'killed'> {
  const child = fork(new URL('../../helpers/detect-child.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      RADAR_TEST_CONFIG: JSON.stringify(service.config),
      RADAR_TEST_FROM: String(from),
      RADAR_TEST_TO: String(to),
      ...(failpoint ? { RADAR_FAILPOINT: failpoint } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let done = false;
    child.on('message', () => (done = true));
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0 && done) resolve('done');
      else reject(new Error(`detector child exited with ${code ?? signal}`));
    });
  });
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`outbox under kill -9 (${db})`, () => {
    let service: TestService | undefined;
    afterEach(async () => {
      await service?.cleanup();
      service = undefined;
    });

    it.each(FAILPOINTS)('killed at %s, restarted: the incident is paged, each intent is exactly one notify job', async (failpoint) => {
      if (db === 'postgres' && !(await postgresAvailable())) return;
      const clock = new ManualClock(T0);
      service = await createTestService({ db, clock });
      const { ctx } = service;
      const burst = { from: T0 + 2 * DAY + 30 * MIN, to: T0 + 2 * DAY + 45 * MIN, perMinute: 30 };
      await seedSeries(ctx, T0, burst.to + 30 * MIN, [burst]);
      // Up to just before the incident, in this process.
      const alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
      for (let t = T0 + 2 * DAY; t < burst.from + MIN; t += MIN) {
        clock.set(t);
        await alerting.onTick(await runDetectTick(ctx, t));
      }
      expect(await ctx.store.outbox.all()).toHaveLength(0);

      // The incident, in a detector process killed at the failpoint, then restarted.
      const from = burst.from + MIN;
      const to = burst.from + 6 * MIN;
      expect(await runChild(service, from, to, failpoint)).toBe('killed');
      expect(await runChild(service, from, to, null)).toBe('done');

      const outbox = await ctx.store.outbox.all();
      expect(outbox.length).toBeGreaterThan(0);
      expect(outbox.every((e) => e.sent)).toBe(true);
      expect(outbox.filter((e) => e.key.includes('-firing-'))).toHaveLength(1); // paged once: one firing intent (one notifier)
      const jobs = await ctx.queues.get('notify').getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
      expect(jobs.map((j) => j.id).sort()).toEqual(outbox.map((e) => notifyJobId(e.key)).sort());
      const fired = (await ctx.store.alerts.list()).filter((a) => a.firingAt !== null);
      expect(fired).toHaveLength(1);
    }, 120_000);
  });
}
