/**
 * Detection split over series groups (workers/detect-groups.ts) with two real detect processes on real
 * Redis and SQLite / PostgreSQL: the parent runs the ticks (enqueues one job per group, then the
 * alerting step) and two child processes run the group jobs. The groups are shared by both processes,
 * every series is judged exactly once per bucket, and the alerts and pages are the ones the whole-tick
 * path decides on the same data. A process killed (SIGKILL) inside a group job, before or after its
 * commit, has its job redone by the other without a doubled alert or page.
 * (series-groups.sqlite.test.ts and series-groups.postgres.test.ts run it.)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/platform/clock.js';
import { withLock } from '../../../src/queues/lock.js';
import { seriesGroup } from '../../../src/series/group.js';
import { createAlerting } from '../../../workers/alerting.js';
import { runDetectTick, watchedSeries } from '../../../workers/detect.js';
import { alertingStep, groupStates, runTick, type GroupRun, type JudgedHandler } from '../../../workers/detect-groups.js';
import { baseline, DAY, MIN, type Burst } from '../../helpers/detect-scenario.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import type { ServiceContext } from '../../../workers/context.js';

const T0 = Date.UTC(2026, 2, 2, 0, 0);
const GROUPS = 4;
const CATEGORIES = Array.from({ length: 10 }, (_, i) => `c${i}`);
const BURSTS: Record<string, Burst> = {
  c3: { from: T0 + 2 * DAY + 30 * MIN, to: T0 + 2 * DAY + 45 * MIN, perMinute: 30 },
  c7: { from: T0 + 2 * DAY + 31 * MIN, to: T0 + 2 * DAY + 44 * MIN, perMinute: 25 },
};
const SPLIT_FROM = T0 + 2 * DAY + 25 * MIN;
const SPLIT_TO = T0 + 2 * DAY + 60 * MIN;
const config = { detect: { groups: GROUPS } };

/** Ten categories, their total and traffic over [from, to); two categories burst. */
async function seed(ctx: ServiceContext, from: number, to: number): Promise<void> {
  const adds: Array<{ key: string; t: number; v: number }> = [];
  const traffic: Array<{ t: number; v: number }> = [];
  for (let t = from; t < to; t += MIN) {
    let total = 0;
    for (const [i, c] of CATEGORIES.entries()) {
      const burst = BURSTS[c];
      const v = burst && t >= burst.from && t < burst.to ? burst.perMinute : baseline(t + i * MIN);
      adds.push({ key: `complaints.${c}`, t, v });
      total += v;
    }
    adds.push({ key: 'complaints', t, v: total });
    traffic.push({ t, v: 1000 });
  }
  await ctx.store.series.add(adds);
  await ctx.store.series.set('traffic', traffic);
}

/** Forks a group-job process (kept in `children` for the clean-up); resolves when it says it is ready. */
function startChild(service: TestService, failpoint: string | null, children: ChildProcess[]): Promise<{ child: ChildProcess; exited: Promise<string> }> {
  const child = fork(new URL('../../helpers/detect-group-child.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, RADAR_TEST_CONFIG: JSON.stringify(service.config), ...(failpoint ? { RADAR_FAILPOINT: failpoint } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve({ child, exited }));
    child.once('exit', (code, signal) => reject(new Error(`detect child exited before ready: ${code ?? signal}`)));
  });
}

/** What the alerts and pages came to: comparable between the two paths. */
async function outcome(ctx: ServiceContext) {
  const alerts = (await ctx.store.alerts.list()).map((a) => ({ id: a.id, state: a.state, firingAt: a.firingAt, members: a.members.map((m) => m.series).sort() }));
  const outbox = (await ctx.store.outbox.all()).map((e) => e.key).sort();
  return { alerts: alerts.sort((a, b) => (a.id < b.id ? -1 : 1)), outbox };
}

/** The same data through the whole-tick path, one tick a minute: what the split path must match. */
async function reference(db: DbKind) {
  const clock = new ManualClock(T0);
  const service = await createTestService({ db, clock, config });
  try {
    await seed(service.ctx, T0, SPLIT_TO + 30 * MIN);
    const alerting = createAlerting(service.ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
    for (let t = T0 + 2 * DAY; t <= SPLIT_TO; t += MIN) {
      clock.set(t);
      await alerting.onTick(await runDetectTick(service.ctx, t));
    }
    return await outcome(service.ctx);
  } finally {
    await service.cleanup();
  }
}

/** The suite for one database; one test file per database, so the two run on separate workers. */
export function describeSeriesGroups(db: DbKind): void {
  describe(`detection split over series groups, two processes (${db})`, () => {
    let service: TestService | undefined;
    const children: ChildProcess[] = [];
    // The whole-tick outcome depends only on the data and the database kind: computed once per file,
    // on its own service, by the first test that needs it (all three compare against the same result).
    let expectedOutcome: ReturnType<typeof reference> | undefined;
    const expected = () => (expectedOutcome ??= reference(db));
    afterEach(async () => {
      for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
      await service?.cleanup();
      service = undefined;
    });

    /** Runs [SPLIT_FROM, SPLIT_TO] split over the children; the first part in this process. */
    async function run(failpoint: string | null) {
      const clock = new ManualClock(T0);
      service = await createTestService({ db, clock, config });
      const { ctx } = service;
      // The children start while this process seeds and runs the first part: they take no job before
      // the split part enqueues one.
      const started = Promise.all([startChild(service, failpoint, children), startChild(service, null, children)]);
      started.catch(() => undefined); // awaited below
      await seed(ctx, T0, SPLIT_TO + 30 * MIN);
      const alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
      for (let t = T0 + 2 * DAY; t < SPLIT_FROM; t += MIN) {
        clock.set(t);
        await alerting.onTick(await runDetectTick(ctx, t));
      }
      const [first] = await started;
      const onJudged: JudgedHandler = (tick, taken, lease) => alerting.onJudged(tick, taken, lease);
      const watched = (await watchedSeries(ctx)).map((s) => s.key);
      for (let t = SPLIT_FROM; t <= SPLIT_TO; t += MIN) {
        clock.set(t);
        const end = t - MIN; // settle 1 minute: the buckets before the one that just closed
        // A long lease: the reference runs in this process at the same time and can hold its event loop
        // for seconds on a loaded machine, so a 10 s lease was once lost before a renewal (nothing else
        // here takes this lock; lease loss has tests of its own in test/integration/queues).
        await withLock(ctx.redis, ctx.keys.lock('detect-tick'), { leaseMs: 60_000 }, async (lease) => {
          const planned = await runTick(ctx, onJudged, t, lease);
          expect(planned.enqueued).toBe(GROUPS);
          await waitFor(async () => (await groupStates(ctx, GROUPS)).every((s) => s !== null && s.judgedUntil >= end - MIN), 60_000, `groups judged ${t}`);
          await alertingStep(ctx, onJudged, t, watched, lease);
        });
      }
      // A job is marked completed just after its commit: wait for the last ones (a killed job never completes).
      const queue = ctx.queues.get('detect-group');
      const ticks = (SPLIT_TO - SPLIT_FROM) / MIN + 1;
      if (failpoint === null) await waitFor(async () => (await queue.getJobCountByTypes('completed')) >= GROUPS * ticks, 30_000, 'group jobs completed');
      const runs = (await queue.getJobs(['completed'])).map((j) => j.returnvalue as GroupRun);
      return { ctx, runs, watched, exited: first.exited };
    }

    it('both processes judge groups; every series is judged exactly once per bucket; alerts and pages as the whole-tick path', async () => {
      if (db === 'postgres' && !(await postgresAvailable())) return;
      // The reference runs in this process while the children judge the split run.
      const [{ ctx, runs, watched }, want] = await Promise.all([run(null), expected()]);
      expect(new Set(runs.map((r) => r.pid)).size).toBe(2);
      expect(runs).toHaveLength(GROUPS * ((SPLIT_TO - SPLIT_FROM) / MIN + 1));
      const ranges = new Map<string, Array<readonly [number, number]>>();
      for (const r of runs) {
        expect(r.stale).toBe(false);
        for (const [key, from, to] of r.judged) {
          expect(seriesGroup(key, GROUPS)).toBe(r.group);
          ranges.set(key, [...(ranges.get(key) ?? []), [from, to]]);
        }
      }
      // Every watched series with data (the default config also watches `logins` and `letters.sent`, empty here).
      expect([...ranges.keys()].sort()).toEqual(watched.filter((k) => k.startsWith('complaints')));
      for (const [key, list] of ranges) {
        const sorted = [...list].sort((a, b) => a[0] - b[0]);
        // Contiguous, never overlapping: bucket by bucket from where the first part stopped to the last end.
        let next = SPLIT_FROM - 2 * MIN;
        for (const [from, to] of sorted) {
          expect({ key, from }).toEqual({ key, from: next });
          next = to + MIN;
        }
        expect(next).toBe(SPLIT_TO - MIN);
      }
      const got = await outcome(ctx);
      expect(got.alerts.filter((a) => a.firingAt !== null).length).toBeGreaterThan(0);
      expect(got).toEqual(want);
    }, 240_000);

    it.each(['group.before-commit', 'group.after-commit'])('a process killed at %s: its job is redone by the other, no alert or page doubled', async (failpoint) => {
      if (db === 'postgres' && !(await postgresAvailable())) return;
      const [{ ctx, exited }, want] = await Promise.all([run(failpoint), expected()]);
      expect(await exited).toBe('SIGKILL');
      const got = await outcome(ctx);
      expect(got.outbox.filter((k) => k.includes('-firing-')).length).toBeGreaterThan(0);
      expect(got).toEqual(want);
      expect(new Set(got.outbox).size).toBe(got.outbox.length);
    }, 240_000);
  });
}
