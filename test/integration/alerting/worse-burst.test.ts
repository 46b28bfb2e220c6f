/**
 * The cold-start story, end to end on real Redis and SQLite with a pinned clock: an alert
 * opened on a modest rise, then a real burst inside it. The burst moves the alert's peak and pages
 * again (`worse`) with fresh evidence, through the same tick, outbox and notify queue as every page.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/platform/clock.js';
import type { Notification } from '../../../src/alerting/notification.js';
import { createAlerting } from '../../../workers/alerting.js';
import { runDetectTick } from '../../../workers/detect.js';
import { DAY, MIN, seedSeries } from '../../helpers/detect-scenario.js';
import { createTestService, type TestService } from '../../helpers/services.js';

const T0 = Date.UTC(2026, 2, 2, 0, 0);

describe('a burst inside an open alert', () => {
  let service: TestService | undefined;
  afterEach(async () => {
    await service?.cleanup();
    service = undefined;
  });

  it('moves the peak and pages again with fresh evidence when it is twice as far from normal', async () => {
    const clock = new ManualClock(T0);
    service = await createTestService({ clock });
    const { ctx } = service;
    const start = T0 + 2 * DAY;
    // A modest rise (9 a minute against about 3) from :30, and inside it a burst of 30 a minute from :40.
    const burst = { from: start + 40 * MIN, to: start + 52 * MIN, perMinute: 30 };
    const rise = { from: start + 30 * MIN, to: start + 60 * MIN, perMinute: 9 };
    await seedSeries(ctx, T0, start + 80 * MIN, [burst, rise]);
    const alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
    for (let t = start; t < start + 70 * MIN; t += MIN) {
      clock.set(t + 2 * MIN);
      await alerting.onTick(await runDetectTick(ctx, clock.now()));
    }

    const fired = (await ctx.store.alerts.list()).filter((a) => a.firingAt !== null);
    expect(fired).toHaveLength(1);
    const alert = fired[0];
    if (!alert) throw new Error('no alert');
    // Opened by the rise, before the burst.
    expect(alert.firingAt).toBeLessThan(burst.from + 2 * MIN);
    const login = alert.members.find((m) => m.series === 'complaints.login');
    expect(login?.worst?.value).toBe(30);
    expect(login?.worst?.t).toBeGreaterThanOrEqual(burst.from);

    const events = await ctx.store.alerts.events(alert.id);
    const worse = events.filter((e) => e.type === 'worse');
    expect(worse.length).toBeGreaterThanOrEqual(1);
    // The category names the page (the total rose as much, but it is the less specific series).
    expect(worse[0]).toMatchObject({ series: 'complaints.login', peak: { value: 30 } });

    const jobs = await ctx.queues.get('notify').getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    const sent = jobs.map((j) => (j.data as { notification: Notification }).notification);
    const firing = sent.find((n) => n.kind === 'firing');
    const again = sent.find((n) => n.kind === 'worse');
    expect(firing).toBeTruthy();
    expect(again).toBeTruthy();
    expect(again?.key).toBe(`${alert.id}-worse-1`);
    expect(again?.title).toMatch(/^\[FIRING, WORSE\] /);
    expect(again?.summary).toMatch(/worse: Login complaints peaked at 30 at \d\d:\d\d \(expected [\d.]+\), [\d.]+× further from normal than the 9 /);
    // The evidence was gathered again for this page: more complaints in its window than in the first page's.
    expect(again?.evidence?.count ?? 0).toBeGreaterThan(firing?.evidence?.count ?? Number.POSITIVE_INFINITY);
    // Exactly one page per kind and key: the outbox relays with deterministic job ids.
    expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
  });
});
