/**
 * One incident seen in a metric and in complaints, end to end on real Redis and SQLite / PostgreSQL with
 * a pinned clock: pushed series (traffic, `errors.auth`, `logins`) and complaint counts go through the
 * real detector tick and alerting; the error rate moves first, then the login complaints and the logins.
 * One page, whose evidence names `errors.auth`; the other alerts join its incident (events in both
 * histories), take its owner and page nobody; their stored evidence says what moved with them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/alerting/notification.js';
import type { Evidence } from '../../../src/alerting/evidence.js';
import { ManualClock } from '../../../src/platform/clock.js';
import { createAlerting } from '../../../workers/alerting.js';
import { runDetectTick } from '../../../workers/detect.js';
import { DAY, MIN, seedSeries } from '../../helpers/detect-scenario.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';

const T0 = Date.UTC(2026, 2, 2, 0, 0);
/** A fixed 10-minute pattern around 20 errors and 500 logins a minute (traffic is 1000 a minute). */
const ERRORS = [18, 22, 20, 19, 23, 21, 17, 20, 22, 18];
const LOGINS = [496, 510, 502, 489, 505, 499, 515, 493, 501, 507];

describe.each<DbKind>(['sqlite', 'postgres'])('an incident in errors.auth and login complaints (%s)', (db) => {
  let service: TestService | undefined;
  afterEach(async () => {
    await service?.cleanup();
    service = undefined;
  });

  it('pages once, names the metric that moved first, and the other alerts join that incident', async (context) => {
    if (db === 'postgres' && !(await postgresAvailable())) return context.skip();
    const clock = new ManualClock(T0);
    service = await createTestService({
      db,
      clock,
      config: { alerting: { oncall: { people: [{ id: 'anna', name: 'Anna' }] } } },
    });
    const { ctx } = service;
    const start = T0 + 2 * DAY;
    // errors.auth ×9 from :30 to :55; the login complaints 20 a minute (normally ~3) and logins halved from :34.
    const errorsFrom = start + 30 * MIN;
    const usersFrom = start + 34 * MIN;
    const until = start + 55 * MIN;
    await seedSeries(ctx, T0, start + 90 * MIN, [{ from: usersFrom, to: until, perMinute: 20 }]);
    const minutes = (from: number, to: number, f: (t: number, i: number) => number) => {
      const out: Array<{ t: number; v: number }> = [];
      for (let t = from; t < to; t += MIN) out.push({ t, v: f(t, Math.floor(t / MIN) % 10) });
      return out;
    };
    await ctx.store.series.set('errors.auth', minutes(T0, start + 90 * MIN, (t, i) => (ERRORS[i] ?? 20) * (t >= errorsFrom && t < until ? 9 : 1)));
    await ctx.store.series.set('logins', minutes(T0, start + 90 * MIN, (t, i) => Math.round((LOGINS[i] ?? 500) * (t >= usersFrom && t < until ? 0.5 : 1))));

    const alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
    for (let t = start; t < start + 85 * MIN; t += MIN) {
      clock.set(t + 2 * MIN);
      await alerting.onTick(await runDetectTick(ctx, clock.now()));
    }

    const fired = (await ctx.store.alerts.list()).filter((a) => a.firingAt !== null);
    const seriesOf = (a: { members: readonly { series: string }[] }) => a.members.map((m) => m.series);
    const errorsAlert = fired.find((a) => seriesOf(a).includes('errors.auth'));
    const loginAlert = fired.find((a) => seriesOf(a).includes('complaints.login'));
    expect(errorsAlert).toBeDefined();
    expect(loginAlert).toBeDefined();
    // The error rate moved first and fired first: it is the incident; the complaints joined it.
    expect(errorsAlert?.attachedTo ?? null).toBeNull();
    expect(loginAlert?.attachedTo).toBe(errorsAlert?.id);
    expect(loginAlert?.owner).toBe('anna');
    for (const a of fired) if (a.id !== errorsAlert?.id) expect(a.attachedTo).toBe(errorsAlert?.id);

    // One page: every notification is about the incident's alert.
    const jobs = await ctx.queues.get('notify').getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
    const sent = jobs.map((j) => (j.data as { notification: Notification }).notification);
    const firing = sent.filter((n) => n.kind === 'firing');
    expect(firing.map((n) => n.alert.id)).toEqual([errorsAlert?.id]);
    expect(new Set(sent.map((n) => n.alert.id))).toEqual(new Set([errorsAlert?.id]));
    expect(firing[0]?.evidence?.series).toBe('errors.auth');

    // Both histories say so, in the database.
    const parentEvents = await ctx.store.alerts.events(errorsAlert?.id ?? '');
    expect(parentEvents).toContainEqual(expect.objectContaining({ type: 'correlated', related: loginAlert?.id, series: 'complaints.login' }));
    const childEvents = await ctx.store.alerts.events(loginAlert?.id ?? '');
    expect(childEvents).toContainEqual(expect.objectContaining({ type: 'attached', related: errorsAlert?.id }));

    // The complaint alert's evidence (stored when it joined) names errors.auth, which started minutes earlier, ×9.
    const child = await ctx.store.alerts.get(loginAlert?.id ?? '');
    const ev = child?.evidence as Evidence | null;
    const errorsMove = ev?.correlated?.find((c) => c.series === 'errors.auth');
    expect(errorsMove?.leadMs).toBeLessThan(0);
    expect(errorsMove?.leadMs).toBeGreaterThanOrEqual(-15 * MIN);
    expect(errorsMove?.size).toMatch(/^×(8|9|10)/);
    expect(ev?.correlated?.find((c) => c.series === 'logins')?.size).toMatch(/^−(4|5|6)\d%$/);

    // The incident resolves once; what joined it closed with it (or before), paging nobody.
    const closed = await ctx.store.alerts.get(errorsAlert?.id ?? '');
    const childClosed = await ctx.store.alerts.get(loginAlert?.id ?? '');
    expect(closed?.state).toBe('resolved');
    expect(childClosed?.state).toBe('resolved');
    expect(childClosed?.endedAt ?? Infinity).toBeLessThanOrEqual(closed?.endedAt ?? 0);
    expect(sent.filter((n) => n.kind === 'resolved')).toHaveLength(1);
  }, 240_000);
  it('an incident still under way absorbs complaints that rise half an hour later, naming the errors with their true lead', async (context) => {
    if (db === 'postgres' && !(await postgresAvailable())) return context.skip();
    const clock = new ManualClock(T0);
    service = await createTestService({ db, clock, config: { alerting: { oncall: { people: [{ id: 'anna', name: 'Anna' }] } } } });
    const { ctx } = service;
    const start = T0 + 2 * DAY;
    // errors.auth ×9 from :30 to :95; the login complaints 20 a minute (normally ~3) from :60, 30 min later.
    const errorsFrom = start + 30 * MIN;
    const usersFrom = start + 60 * MIN;
    const until = start + 95 * MIN;
    await seedSeries(ctx, T0, start + 130 * MIN, [{ from: usersFrom, to: until, perMinute: 20 }]);
    const points: Array<{ t: number; v: number }> = [];
    for (let t = T0; t < start + 130 * MIN; t += MIN) points.push({ t, v: (ERRORS[Math.floor(t / MIN) % 10] ?? 20) * (t >= errorsFrom && t < until ? 9 : 1) });
    await ctx.store.series.set('errors.auth', points);

    const alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
    for (let t = start; t < start + 125 * MIN; t += MIN) {
      clock.set(t + 2 * MIN);
      await alerting.onTick(await runDetectTick(ctx, clock.now()));
    }
    const fired = (await ctx.store.alerts.list()).filter((a) => a.firingAt !== null);
    const errorsAlert = fired.find((a) => a.members.some((m) => m.series === 'errors.auth'));
    const loginAlert = fired.find((a) => a.members.some((m) => m.series === 'complaints.login'));
    expect(errorsAlert?.attachedTo ?? null).toBeNull();
    expect(loginAlert?.attachedTo).toBe(errorsAlert?.id);
    expect((loginAlert?.startsAt ?? 0) - errorsFrom).toBeGreaterThanOrEqual(25 * MIN);

    const jobs = await ctx.queues.get('notify').getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
    const firing = jobs.map((j) => (j.data as { notification: Notification }).notification).filter((n) => n.kind === 'firing');
    expect(firing.map((n) => n.alert.id)).toEqual([errorsAlert?.id]);

    const child = await ctx.store.alerts.get(loginAlert?.id ?? '');
    const errorsMove = (child?.evidence as Evidence | null)?.correlated?.find((c) => c.series === 'errors.auth');
    expect(errorsMove?.leadMs).toBeLessThanOrEqual(-25 * MIN);
    expect(errorsMove?.leadMs).toBeGreaterThanOrEqual(-35 * MIN);
  }, 240_000);
});
