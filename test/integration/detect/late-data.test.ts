/**
 * Late data, on real Redis and SQLite / PostgreSQL with a pinned clock. Messages stored (through the
 * ingest transaction) for buckets the detector has already judged are counted late per source and mark
 * the series; the next tick restores an hourly checkpoint, judges those buckets and what follows again,
 * rewrites what the detector said, and an alert this produces says it came from late data. A polled
 * source that stops holds detection back for at most `detect.late.maxWait`; the hours of backlog it
 * brings when it comes back are judged — a burst inside them pages — not absorbed into the baseline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../../src/domain/message.js';
import type { Notification } from '../../../src/alerting/notification.js';
import { ManualClock } from '../../../src/platform/clock.js';
import type { ClassifiedMessage } from '../../../src/store/message-store.js';
import { createAlerting } from '../../../workers/alerting.js';
import { runDetectTick } from '../../../workers/detect.js';
import { startIngestWorker } from '../../../workers/ingest.js';
import { waitFor } from '../../helpers/wait.js';
import { admin, buildTestApp } from '../../helpers/api.js';
import { DAY, HOUR, MIN, seedSeries } from '../../helpers/detect-scenario.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';

const T0 = Date.UTC(2026, 2, 2, 0, 0);

/** `perMinute` login complaints from `source` in each minute of [from, to). */
function complaints(source: string, from: number, to: number, perMinute: number): ClassifiedMessage[] {
  const out: ClassifiedMessage[] = [];
  for (let t = from; t < to; t += MIN) {
    for (let i = 0; i < perMinute; i++) {
      const message: Message = { id: `twitter:${source}-${t}-${i}`, channel: 'twitter', source, author: null, text: 'cannot login', lang: 'en', createdAt: new Date(t + i * 100).toISOString(), link: null };
      out.push({ message, classification: { complaint: true, score: 0.9, categories: [{ name: 'login', score: 0.9, terms: ['login'] }], lang: 'en' } });
    }
  }
  return out;
}

async function storeLate(s: TestService, items: readonly ClassifiedMessage[], now: number): Promise<Map<string, number>> {
  const late = new Map<string, number>();
  await s.ctx.store.ingest(items, now, MIN, (perSource) => {
    for (const [k, n] of perSource) late.set(k, (late.get(k) ?? 0) + n);
  });
  return late;
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`late data (${db})`, () => {
    let service: TestService | undefined;
    afterEach(async () => {
      await service?.cleanup();
      service = undefined;
    });

    it('late complaints for judged buckets are counted, re-judged within one tick, and page as late', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      const clock = new ManualClock(T0);
      service = await createTestService({ db, clock });
      const { ctx } = service;
      const start = T0 + 2 * DAY;
      await seedSeries(ctx, T0, start + 2 * HOUR);
      const alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
      for (let now = start; now <= start + 60 * MIN; now += 5 * MIN) {
        clock.set(now);
        await alerting.onTick(await runDetectTick(ctx, now));
      }
      expect(await ctx.store.alerts.list()).toHaveLength(0);
      const before = await ctx.store.detectorPoints.read('complaints.login', start + 20 * MIN, start + 30 * MIN);
      expect(before.every((p) => !p.late && !p.alert)).toBe(true);

      // Mail delayed in transit: 30 complaints a minute, written 20–30 minutes ago, arrive now.
      const now = start + 62 * MIN;
      clock.set(now);
      const late = await storeLate(service, complaints('mail', start + 20 * MIN, start + 30 * MIN, 30), now);
      expect(late).toEqual(new Map([['mail', 300]]));
      expect((await ctx.store.late.marks()).get('complaints.login')?.t).toBe(start + 20 * MIN);

      await alerting.onTick(await runDetectTick(ctx, now));
      const after = await ctx.store.detectorPoints.read('complaints.login', start + 20 * MIN, start + 30 * MIN);
      expect(after.map((p) => p.value)).toEqual(before.map((p) => (p.value ?? 0) + 30));
      expect(after.every((p) => p.late)).toBe(true);
      expect(after.some((p) => p.alert)).toBe(true);
      expect((await ctx.store.late.marks()).size).toBe(0);

      const alerts = (await ctx.store.alerts.list()).filter((a) => a.firingAt !== null);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]?.late).toBe(true);
      expect(alerts[0]?.startsAt).toBeGreaterThanOrEqual(start + 20 * MIN);
      const job = (await ctx.queues.get('notify').getJobs(['waiting'])).map((j) => j.data as { notification: Notification }).find((d) => d.notification.kind === 'firing');
      expect(job?.notification.alert.late).toBe(true);
      expect(job?.notification.evidence?.late).toBe(true);
      expect(job?.notification.title).toContain('(late data)');
    }, 90_000);

    it('traffic pushed late for judged buckets re-judges the series it is the reference of', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      const start = T0 + 2 * DAY;
      const clock = new ManualClock(start);
      service = await createTestService({ db, clock });
      const { ctx } = service;
      await seedSeries(ctx, start - 3 * HOUR, start);
      const alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
      await alerting.onTick(await runDetectTick(ctx, start));
      const app = await buildTestApp(ctx);
      try {
        const points = [0, 1, 2, 3, 4].map((i) => ({ t: start - 30 * MIN + i * MIN, v: 100 }));
        expect((await app.inject({ method: 'POST', url: '/api/series/traffic', headers: admin, payload: points })).statusCode).toBe(202);
      } finally {
        await app.close();
      }
      expect((await ctx.store.late.marks()).get('traffic')?.t).toBe(start - 30 * MIN);
      clock.set(start + MIN);
      await alerting.onTick(await runDetectTick(ctx, start + MIN));
      const rows = await ctx.store.detectorPoints.read('complaints.login', start - 40 * MIN, start - MIN);
      expect(rows.filter((r) => r.late).map((r) => r.t)[0]).toBe(start - 30 * MIN);
      expect(rows.filter((r) => r.t < start - 30 * MIN).every((r) => !r.late)).toBe(true);
      expect((await ctx.store.late.marks()).size).toBe(0);
    }, 60_000);

    it('the ingest worker counts late messages per source in radar_late_messages_total', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      const start = T0 + 2 * DAY;
      const clock = new ManualClock(start);
      service = await createTestService({ db, clock });
      const { ctx } = service;
      await seedSeries(ctx, start - 3 * HOUR, start);
      const alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
      await alerting.onTick(await runDetectTick(ctx, start)); // judged up to start - 2m
      const ingest = startIngestWorker(ctx, { concurrency: 4 });
      try {
        const at = (t: number, i: number, source: string): Message => ({ id: `api:${source}-${i}`, channel: 'api', source, author: null, text: 'cannot login', lang: 'en', createdAt: new Date(t).toISOString(), link: null });
        await ctx.queues.enqueueMessages([
          ...[0, 1, 2, 3, 4].map((i) => at(start - 30 * MIN, i, 'late-src')), // a judged bucket
          at(start - MIN, 9, 'late-src'), // not judged yet: on time
          at(start - 10 * MIN, 0, 'other-src'),
        ]);
        await waitFor(async () => (await ctx.store.messages.count()) >= 7, 20_000, 'messages stored');
      } finally {
        await ingest.close();
      }
      const text = await ctx.metrics.registry.metrics();
      expect(text).toContain('radar_late_messages_total{source="late-src"} 5');
      expect(text).toContain('radar_late_messages_total{source="other-src"} 1');
    }, 60_000);

    it('a stopped source holds detection back at most detect.late.maxWait; its backlog of hours is judged and a burst in it pages', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      const clock = new ManualClock(T0);
      service = await createTestService({
        db,
        clock,
        config: { sources: { twitter: [{ name: 'x', query: 'mail.ru', bearerToken: 'abcdefghijklmnopqrstuvwxyz0123456789' }] }, detect: { late: { maxWait: '10m' } } },
      });
      const { ctx } = service;
      const stop = T0 + 2 * DAY;
      // Other sources go on (the seeded counts); source x polled fine until `stop`, then stopped.
      await seedSeries(ctx, T0, stop + 4 * HOUR);
      await ctx.sources.register('x', 'twitter');
      await ctx.sources.recordSuccess('x', { now: stop, fetched: 0 });
      const alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
      const judged = async (now: number) => {
        clock.set(now);
        await alerting.onTick(await runDetectTick(ctx, now));
        return (await ctx.store.kv.get<{ judgedUntil: number }>('detect.tick'))?.judgedUntil;
      };
      // While x may still be catching up, detection waits for its watermark…
      expect(await judged(stop + 5 * MIN)).toBe(stop - MIN);
      expect(await judged(stop + 9 * MIN)).toBe(stop - MIN);
      // …but not longer than maxWait: then x is left out and its data, when it comes, is late.
      expect(await judged(stop + 12 * MIN)).toBe(stop + 10 * MIN);
      for (let now = stop + 15 * MIN; now <= stop + 3 * HOUR; now += 15 * MIN) await judged(now);
      expect(await ctx.store.alerts.list()).toHaveLength(0);

      // x comes back with three hours of backlog: a little each minute, and a burst an hour in.
      const back = stop + 3 * HOUR + 2 * MIN;
      clock.set(back);
      const backlog = [
        ...complaints('x', stop, stop + 3 * HOUR, 1),
        ...complaints('x', stop + HOUR, stop + HOUR + 15 * MIN, 25).map((c) => ({ ...c, message: { ...c.message, id: `${c.message.id}-burst` } })),
      ];
      const late = await storeLate(service, backlog, back);
      // Every message before the last judged bucket's end is late; the newest minute was not judged yet.
      const horizon = stop + 3 * HOUR - MIN;
      expect(late.get('x')).toBe(backlog.filter((c) => Date.parse(c.message.createdAt) < horizon).length);
      await ctx.sources.recordSuccess('x', { now: back, fetched: backlog.length });
      expect(await judged(back)).toBe(back - 2 * MIN);

      const burst = await ctx.store.detectorPoints.read('complaints.login', stop + HOUR, stop + HOUR + 15 * MIN);
      expect(burst).toHaveLength(15);
      expect(burst.every((p) => p.late)).toBe(true);
      const onset = burst.find((p) => p.alert);
      expect(onset).toBeDefined();
      // Judged against the normal before it, not absorbed into it.
      expect(onset?.expected ?? Infinity).toBeLessThan((onset?.value ?? 0) / 3);
      const alerts = (await ctx.store.alerts.list()).filter((a) => a.firingAt !== null);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ late: true });
      expect(alerts[0]?.startsAt).toBeGreaterThanOrEqual(stop + HOUR);
      expect((await ctx.store.outbox.all()).some((e) => e.key.includes('-firing-'))).toBe(true);
    }, 120_000);
  });
}
