/**
 * End to end on real Redis and SQLite with a pinned clock: demo traffic and messages go through the
 * real classifier, store and counters; the detector tick and the alerting state machine run minute by
 * minute through a demo incident; notifications go through the notify worker to a webhook receiver.
 * One incident → exactly one alert, to the person on call, with the evidence; unacknowledged it
 * escalates; it resolves once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileKeywords } from '../../../src/classify/keyword-model.js';
import { createClassifier } from '../../../src/classify/classifier.js';
import { loadKeywords } from '../../../src/config/keywords.js';
import { ManualClock } from '../../../src/platform/clock.js';
import { createDemoGenerator, type DemoIncident } from '../../../src/sources/demo/index.js';
import { createAlerting, startNotifyWorker, type AlertingEngine, type NotifyWorker } from '../../../workers/alerting.js';
import { runDetectTick } from '../../../workers/detect.js';
import { createDemoReplay } from '../../../workers/demo.js';
import { startFakeReceiver, type FakeReceiver } from '../../helpers/fake-receivers.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

const MIN = 60_000;
const DAY = 1440 * MIN;

describe('a demo incident, end to end', () => {
  let service: TestService;
  let receiver: FakeReceiver;
  let notify: NotifyWorker;
  let alerting: AlertingEngine;
  let incident: DemoIncident;
  const clock = new ManualClock(0);
  const demo = { seed: 11, peakTrafficPerMinute: 60_000, complaintsPerMillionVisits: 100, incidentEveryMs: 40 * MIN, incidentLengthMs: 20 * MIN, stepMs: MIN };
  const generator = createDemoGenerator(demo);
  const body = (i: number) => receiver.requests[i]?.json as { kind: string; owner: { id: string } | null; alert: { id: string; groupKey: string }; evidence: Record<string, unknown> | null; summary: string };

  beforeAll(async () => {
    receiver = await startFakeReceiver();
    // A big daytime incident, at least four days into the stream (history to learn from).
    const start = Date.UTC(2026, 2, 2, 0, 0);
    incident = generator
      .incidentsBetween(start + 4 * DAY, start + 12 * DAY)
      .find((i) => i.factor >= 6 && i.end - i.start >= 15 * MIN && new Date(i.start).getUTCHours() >= 7 && new Date(i.start).getUTCHours() <= 15) as DemoIncident;
    expect(incident).toBeDefined();
    clock.set(incident.start - 3 * DAY);
    service = await createTestService({
      clock,
      config: {
        alerting: {
          oncall: {
            timezone: 'UTC',
            people: [{ id: 'anna', name: 'Anna' }, { id: 'boris', name: 'Boris' }],
            // Anna's shift covers the incident: it started at 00:00 on the day before.
            rotation: { people: ['anna', 'boris'], start: new Date(incident.start - DAY).toISOString().slice(0, 10), handover: '00:00', shiftDays: 7 },
            escalation: { after: '10m' },
          },
          notifiers: [{ type: 'webhook', url: receiver.url }],
        },
      },
    });
    const { ctx } = service;
    const classifier = createClassifier({ keywords: compileKeywords(loadKeywords('config/keywords.yaml')) });
    const feed = createDemoReplay(ctx, generator, classifier);
    // Three days of history before the clock starts moving.
    await feed(incident.start - 3 * DAY, incident.start - 30 * MIN);
    alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
    notify = startNotifyWorker(ctx);
    // Then minute by minute: the minute's messages arrive, the clock moves, the detector ticks.
    for (let t = incident.start - 30 * MIN; t < incident.end + 45 * MIN; t += MIN) {
      await feed(t, t + MIN);
      clock.set(t + 2 * MIN + 5_000); // the bucket closed and settled (series.settle = 1m)
      await alerting.onTick(await runDetectTick(ctx, clock.now()));
    }
    await waitFor(async () => (await ctx.queues.get('notify').getJobCounts('waiting', 'active', 'delayed')).waiting === 0, 30_000);
    await waitFor(async () => {
      const c = await ctx.queues.get('notify').getJobCounts('waiting', 'active', 'delayed');
      return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0;
    });
  }, 240_000);

  afterAll(async () => {
    await notify?.close();
    await service?.cleanup();
    await receiver?.close();
  });

  it('fires exactly one alert for the incident, owned by the person on call', async () => {
    const alerts = (await service.ctx.store.alerts.list()).filter((a) => a.firingAt !== null && a.startsAt >= incident.start - 5 * MIN && a.startsAt <= incident.end);
    const mine = alerts.filter((a) => a.groupKey.includes(incident.category));
    expect(mine).toHaveLength(1);
    // Anna was on call when it fired; unacknowledged, it passed to Boris.
    expect(mine[0]?.escalations[0]).toMatchObject({ from: 'anna', to: 'boris' });
    expect(mine[0]?.owner).toBe('boris');
    expect(mine[0]?.firingAt).toBeLessThan(incident.end);
  });

  it('the firing notification carries the evidence: rate against expected, channels, rising terms, masked examples', () => {
    const firing = receiver.requests.map((_, i) => body(i)).filter((b) => b.kind === 'firing' && b.alert.groupKey.includes(incident.category));
    expect(firing).toHaveLength(1);
    const ev = firing[0]?.evidence as { count: number; expected: number; ratio: number; channels: unknown[]; examples: Array<{ text: string }>; risingTerms: unknown[] };
    expect(firing[0]?.owner?.id).toBe('anna');
    expect(ev.count).toBeGreaterThan(ev.expected);
    expect(ev.ratio).toBeGreaterThan(1.5);
    expect(ev.channels.length).toBeGreaterThan(0);
    expect(ev.examples.length).toBeGreaterThan(0);
    expect(ev.risingTerms.length).toBeGreaterThan(0);
    for (const e of ev.examples) expect(e.text).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
    expect(firing[0]?.summary).toMatch(/Anna/);
  });

  it('unacknowledged, it escalates to the next person; it resolves exactly once', () => {
    const mine = receiver.requests.map((_, i) => body(i)).filter((b) => b.alert.groupKey.includes(incident.category));
    const escalated = mine.filter((b) => b.kind === 'escalated');
    expect(escalated.length).toBeGreaterThanOrEqual(1);
    expect(escalated[0]?.owner?.id).toBe('boris');
    expect(mine.filter((b) => b.kind === 'resolved')).toHaveLength(1);
  });
});
