/**
 * Detectors kept in memory between ticks (workers/detect.ts `DetectorCache`) and states restored from
 * their base (fed the buckets since again): the verdicts must be the ones a process that reads every
 * state each tick would give. Here one process keeps its detectors while another (the whole-tick path)
 * judges the same series for a while in between: the kept detectors are then out of date, their stamp
 * no longer the saved one, and must not be used.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isPackedState, unpackState, type PackedState } from '../../../src/detect/state-packing.js';
import { ManualClock } from '../../../src/platform/clock.js';
import { commitDetectTick, DetectorCache, judgingEnd, runDetectTick, watchedSeries } from '../../../workers/detect.js';
import { runGroupJob } from '../../../workers/detect-groups.js';
import { DAY, MIN, seedSeries } from '../../helpers/detect-scenario.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';
import type { ServiceContext } from '../../../workers/context.js';

const T0 = Date.UTC(2026, 2, 2);
const FROM = T0 + 3 * DAY;
const TO = FROM + 50 * MIN;
/** Judged by the other process (the whole-tick path) in between. */
const OTHER = [FROM + 20 * MIN, FROM + 30 * MIN];
const config = { detect: { series: [{ key: 'complaints.*' }, { key: 'svc.*' }] } };

/** Complaints and traffic, and two continuous metrics with a daily wave (their detectors keep the seasonal median). */
async function seed(ctx: ServiceContext): Promise<void> {
  await seedSeries(ctx, T0, TO + 10 * MIN, [{ from: FROM + 35 * MIN, to: FROM + 45 * MIN, perMinute: 30 }]);
  for (const [i, key] of ['svc.a', 'svc.b'].entries()) {
    const points = [];
    for (let t = T0; t < TO + 10 * MIN; t += MIN) points.push({ t, v: 100 + 30 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + ((t / MIN + i * 3) % 7) });
    await ctx.store.series.set(key, points);
  }
}

async function verdicts(ctx: ServiceContext) {
  const keys = (await watchedSeries(ctx)).map((s) => s.key);
  return { keys, points: [...(await ctx.store.detectorPoints.readMany(keys, FROM - DAY, TO + DAY))].sort((a, b) => (a[0] < b[0] ? -1 : 1)) };
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`detectors kept between ticks (${db})`, () => {
    const services: TestService[] = [];
    afterEach(async () => {
      for (const s of services.splice(0)) await s.cleanup();
    });

    async function service(): Promise<{ ctx: ServiceContext; clock: ManualClock }> {
      const clock = new ManualClock(T0);
      const s = await createTestService({ db, clock, config });
      services.push(s);
      await seed(s.ctx);
      return { ctx: s.ctx, clock };
    }

    it('are used only while the saved state carries their stamp: the verdicts equal reading every state each tick', async () => {
      if (db === 'postgres' && !(await postgresAvailable())) return;
      const reference = await service();
      for (let t = FROM; t <= TO; t += MIN) {
        reference.clock.set(t);
        await commitDetectTick(reference.ctx, await runDetectTick(reference.ctx, t));
      }
      const expected = await verdicts(reference.ctx);

      const { ctx, clock } = await service();
      const cache = new DetectorCache();
      const series = (await watchedSeries(ctx)).map((s) => s.key);
      let kept = 0;
      for (let t = FROM; t <= TO; t += MIN) {
        clock.set(t);
        if (t >= (OTHER[0] as number) && t < (OTHER[1] as number)) {
          await commitDetectTick(ctx, await runDetectTick(ctx, t));
          continue;
        }
        const { end } = await judgingEnd(ctx, t);
        await ctx.store.late.raiseHorizon(end, t);
        const run = await runGroupJob(ctx, { group: 0, groups: 1, end, now: t, series }, undefined, cache);
        expect(run.stale).toBe(false);
        kept = Math.max(kept, cache.size);
      }
      expect(kept).toBe(expected.keys.length);
      const got = await verdicts(ctx);
      expect(got.points.length).toBeGreaterThan(0);
      expect(got).toEqual(expected);
      // The burst was judged from kept detectors, after the other process's part.
      expect(got.points.some(([key, rows]) => key === 'complaints.login' && rows.some((r) => r.alert))).toBe(true);
    }, 180_000);

    it('restore bases saved before packing (the plain JSON state) to the same verdicts', async () => {
      if (db === 'postgres' && !(await postgresAvailable())) return;
      const reference = await service();
      const { ctx, clock } = await service();
      const switchAt = FROM + 20 * MIN;
      for (let t = FROM; t <= TO; t += MIN) {
        for (const s of [reference, { ctx, clock }]) {
          s.clock.set(t);
          await commitDetectTick(s.ctx, await runDetectTick(s.ctx, t));
        }
        if (t !== switchAt) continue;
        // As an earlier version wrote them: every base's state as plain JSON.
        const rows = await ctx.store.db.selectFrom('kv').select(['key', 'value']).where('key', 'like', 'detect.base.%').execute();
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) {
          const base = JSON.parse(row.value) as { t: number; state: PackedState };
          expect(isPackedState(base.state)).toBe(true);
          await ctx.store.kv.set(row.key, { t: base.t, state: unpackState(base.state) }, t);
        }
      }
      const expected = await verdicts(reference.ctx);
      expect(expected.points.length).toBeGreaterThan(0);
      expect(await verdicts(ctx)).toEqual(expected);
    }, 180_000);
  });
}
