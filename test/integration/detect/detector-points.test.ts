/**
 * "What the detector said" is stored (detector_points), on real Redis and SQLite / PostgreSQL with a
 * pinned clock: each tick writes its verdicts; the API band and the alert are those rows; no request
 * replays the detector and a too wide range is a 400 naming the limit. "No page without history": a
 * series younger than `detect.learning` is stored and listed as learning and pages nobody.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/platform/clock.js';
import { withLock } from '../../../src/queues/lock.js';
import { createAlerting } from '../../../workers/alerting.js';
import { runDetectTick } from '../../../workers/detect.js';
import { buildTestApp, viewer } from '../../helpers/api.js';
import { DAY, HOUR, MIN, seedSeries } from '../../helpers/detect-scenario.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';

const T0 = Date.UTC(2026, 2, 2, 0, 0);

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`detector points (${db})`, () => {
    let service: TestService | undefined;
    afterEach(async () => {
      await service?.cleanup();
      service = undefined;
    });

    /** Ticks minute by minute over [from, to): each bucket judged a minute after it closed (series.settle). */
    async function tickThrough(clock: ManualClock, s: TestService, from: number, to: number): Promise<void> {
      const alerting = createAlerting(s.ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
      for (let t = from; t < to; t += MIN) {
        clock.set(t + 2 * MIN);
        await alerting.onTick(await runDetectTick(s.ctx, clock.now()));
      }
    }

    it('the band the API returns and the alert that fired are the rows the tick wrote; from=0 is a 400 naming the limit', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      const clock = new ManualClock(T0);
      service = await createTestService({ db, clock });
      const { ctx } = service;
      const burst = { from: T0 + 2 * DAY + 30 * MIN, to: T0 + 2 * DAY + 45 * MIN, perMinute: 30 };
      await seedSeries(ctx, T0, burst.to + 30 * MIN, [burst]);
      await tickThrough(clock, service, T0 + 2 * DAY, burst.to + 20 * MIN);

      const alerts = await ctx.store.alerts.list();
      const fired = alerts.filter((a) => a.firingAt !== null);
      expect(fired).toHaveLength(1);
      const member = fired[0]?.members.find((m) => m.series === 'complaints.login');
      const onset = member?.onset;
      expect(onset).toBeTruthy();
      // The anomaly that opened the alert is the stored row of its bucket: same value, expected, band, score.
      const [row] = await ctx.store.detectorPoints.read('complaints.login', onset?.t ?? 0, (onset?.t ?? 0) + MIN);
      expect(row).toMatchObject({ alert: true, learning: false, late: false, value: onset?.value, expected: onset?.expected, lower: onset?.lower, upper: onset?.upper, score: onset?.score });
      expect(row?.t).toBeGreaterThanOrEqual(burst.from);

      const app = await buildTestApp(ctx);
      try {
        const from = burst.from - 30 * MIN;
        const to = burst.to + 15 * MIN;
        const res = await app.inject({ url: `/api/series/complaints.login?with=band&from=${from}&to=${to}&step=1m`, headers: viewer });
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json() as { band: Array<Record<string, unknown> & { t: number; judged: boolean }> };
        const stored = await ctx.store.detectorPoints.read('complaints.login', from, to);
        expect(stored).toHaveLength((to - from) / MIN);
        expect(body.band.map(({ judged: _j, ...b }) => b)).toEqual(stored.map(({ series: _s, ...p }) => p));
        expect(body.band.some((b) => b.alert === true)).toBe(true);

        // Coarser steps aggregate the same rows in the database: sums, max score, any alert.
        const coarse = await app.inject({ url: `/api/series/complaints.login?with=band&from=${from}&to=${to}&step=15m`, headers: viewer });
        const first = (coarse.json() as { band: Array<{ t: number; expected: number; score: number }> }).band[0];
        const firstRows = stored.filter((p) => p.t < from + 15 * MIN);
        expect(first?.expected).toBeCloseTo(firstRows.reduce((a, p) => a + (p.expected ?? 0), 0), 6);
        expect(first?.score).toBe(Math.max(...firstRows.map((p) => p.score)));

        // Every range is bounded: a 400 naming the limit, nothing replayed or read.
        const wide = await app.inject({ url: '/api/series/complaints.login?from=0&with=band', headers: viewer });
        expect(wide.statusCode).toBe(400);
        expect(wide.json()).toMatchObject({ field: 'query.from' });
        expect(wide.json().message).toContain('series.maxRange (90d)');
        const dense = await app.inject({ url: `/api/series/complaints.login?from=${T0}&to=${T0 + 30 * DAY}&step=1m`, headers: viewer });
        expect(dense.statusCode).toBe(400);
        expect(dense.json().message).toContain('series.maxPoints = 5000');
      } finally {
        await app.close();
      }
      // The tick recorded how far it judged (read by /health).
      expect(await ctx.store.kv.get('detect.tick')).toEqual({ at: clock.now(), judgedUntil: burst.to + 19 * MIN });
    }, 60_000);

    it('a tick that lost its lease commits nothing: no detector rows, no state, no tick record', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      const clock = new ManualClock(T0 + 2 * DAY);
      service = await createTestService({ db, clock });
      const { ctx } = service;
      await seedSeries(ctx, T0, T0 + 2 * DAY);
      const alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
      const key = ctx.keys.lock('detect-tick');
      const run = withLock(ctx.redis, key, { leaseMs: 90 }, async (lease) => {
        const result = await runDetectTick(ctx, clock.now());
        expect(result.writes.points.length).toBeGreaterThan(0);
        await ctx.redis.del(key); // another holder's world now: the next renewal finds no lock
        while (!lease.lost) await new Promise((r) => setTimeout(r, 10));
        await alerting.onTick(result, lease);
      });
      await expect(run).rejects.toMatchObject({ code: 'ERR_LOCK_LOST' });
      expect(await ctx.store.detectorPoints.read('complaints.login', T0, T0 + 2 * DAY)).toHaveLength(0);
      expect(await ctx.store.kv.get('detect.tick')).toBeNull();
      expect(await ctx.store.kv.get('detect.state.complaints.login')).toBeNull();
    }, 60_000);

    it('a series with less than detect.learning of history is learning: stored and listed as such, never paged, even in a burst', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      const clock = new ManualClock(T0);
      service = await createTestService({ db, clock });
      const { ctx } = service;
      // A fresh install: the first complaint 3 hours ago, a burst under way at start-up.
      const start = T0 + 3 * HOUR;
      const burst = { from: start - 10 * MIN, to: start + 20 * MIN, perMinute: 40 };
      await seedSeries(ctx, T0, start + 30 * MIN, [burst]);
      await tickThrough(clock, service, start, start + 25 * MIN);
      expect(await ctx.store.alerts.list()).toHaveLength(0);
      expect(await ctx.store.outbox.all()).toHaveLength(0);
      const rows = await ctx.store.detectorPoints.read('complaints.login', T0, start + 30 * MIN);
      expect(rows.length).toBeGreaterThan(100);
      expect(rows.every((r) => r.learning)).toBe(true);
      const app = await buildTestApp(ctx);
      try {
        const list = (await app.inject({ url: '/api/series', headers: viewer })).json() as { series: Array<{ key: string; state: string; judgedUntil: number | null }> };
        expect(list.series).toContainEqual(expect.objectContaining({ key: 'complaints.login', state: 'learning' }));
        // Each key's newest judged bucket (one statement for all keys).
        const latest = await ctx.store.detectorPoints.latest(list.series.map((s) => s.key));
        for (const s of list.series) {
          const newest = (await ctx.store.detectorPoints.read(s.key, 0, start + 30 * MIN)).at(-1)?.t ?? null;
          expect(s.judgedUntil, s.key).toBe(newest);
          expect(latest.get(s.key)?.t ?? null, s.key).toBe(newest);
        }
        expect(list.series.filter((s) => s.judgedUntil !== null).length).toBeGreaterThan(1);
        expect(list.series).toContainEqual(expect.objectContaining({ key: 'traffic', state: 'unwatched' }));
        const one = (await app.inject({ url: `/api/series/complaints.login?with=band&from=${start - HOUR}&to=${start}`, headers: viewer })).json() as { learning: boolean };
        expect(one.learning).toBe(true);
      } finally {
        await app.close();
      }
    }, 60_000);

    it('an incident under way at start-up is paged when the series has enough history', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      const clock = new ManualClock(T0);
      service = await createTestService({ db, clock });
      const { ctx } = service;
      const start = T0 + 2 * DAY;
      const burst = { from: start - 10 * MIN, to: start + 20 * MIN, perMinute: 40 };
      await seedSeries(ctx, T0, start + 30 * MIN, [burst]);
      await tickThrough(clock, service, start, start + 10 * MIN);
      const fired = (await ctx.store.alerts.list()).filter((a) => a.firingAt !== null);
      expect(fired).toHaveLength(1);
      expect((await ctx.store.outbox.all()).length).toBeGreaterThan(0);
      const rows = await ctx.store.detectorPoints.read('complaints.login', start - 2 * HOUR, start);
      expect(rows.every((r) => !r.learning)).toBe(true);
    }, 60_000);
  });
}
