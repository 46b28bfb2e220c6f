/**
 * Pulling from Graphite's render API (a local server answering like graphite-web): the 14-day backfill
 * in bounded requests, one target becoming a series per path node, basic auth sent, a 5xx or garbage
 * answer losing no bucket and landing in the source status, finer datapoints aggregated per bucket.
 */
import type { Worker } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGraphitePollHandler } from '../../../src/sources/graphite/index.js';
import { lastCompleteBucket } from '../../../src/sources/metric-pull/pull-range.js';
import { startPollWorker, syncPollSchedulers } from '../../../workers/poll.js';
import { startFakeGraphite, type FakeGraphite } from '../../helpers/fake-graphite.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { cursorOf, graphiteSource, MINUTE, pollContext, stored } from './setup.js';

const DAY = 86_400_000;
let graphite: FakeGraphite;
let service: TestService | undefined;
let poller: Worker | undefined;

beforeEach(async () => {
  graphite = await startFakeGraphite();
});

afterEach(async () => {
  await poller?.close();
  await graphite.close();
  await service?.cleanup();
  poller = undefined;
  service = undefined;
});

/** Minute datapoints of app.<host>.logins over [from, to): value = minute number + host offset. */
function fill(from: number, to: number) {
  for (let t = Math.floor(from / MINUTE) * MINUTE; t < to; t += MINUTE) {
    graphite.add('app.web1.logins', t / 1000, (t / MINUTE) % 500);
    graphite.add('app.web2.logins', t / 1000, ((t / MINUTE) % 500) + 1000);
  }
}

describe('graphite source', () => {
  it('backfills 14 days in bounded requests, one series per path node, and continues from the cursor', async () => {
    service = await createTestService();
    const { ctx } = service;
    const now = Date.now();
    fill(now - 15 * DAY, now);
    const handler = createGraphitePollHandler([graphiteSource(graphite.url)], { seriesStep: MINUTE });
    await ctx.sources.register('graphite', 'graphite');

    const first = now - 3_600_000;
    const r1 = await handler.pollOnce({ source: 'graphite' }, pollContext(ctx, first));
    expect(r1.requests).toBe(2);
    const from = Math.floor((first - 14 * DAY) / MINUTE) * MINUTE;
    const last1 = lastCompleteBucket(first, MINUTE, MINUTE);
    for (const [host, offset] of [['web1', 0], ['web2', 1000]] as const) {
      const points = await stored(ctx, `logins.${host}`);
      expect(points.size).toBe((last1 - from) / MINUTE + 1);
      for (const t of [from, from + 12_345 * MINUTE, last1]) expect(points.get(t)).toBe(((t / MINUTE) % 500) + offset);
    }
    const r2 = await handler.pollOnce({ source: 'graphite' }, pollContext(ctx, now));
    expect(r2.requests).toBe(1);
    const last2 = lastCompleteBucket(now, MINUTE, MINUTE);
    expect((await cursorOf(ctx, 'graphite', 'logins.{1}'))).toEqual({ last: new Date(last2).toISOString(), series: 2, overCap: 0 });
    expect((await stored(ctx, 'logins.web1')).size).toBe((last2 - from) / MINUTE + 1);
    expect((await ctx.sources.get('graphite'))?.state).toBe('ok');
  });

  it('gaps stay gaps, and datapoints finer than the step are aggregated per bucket', async () => {
    service = await createTestService();
    const { ctx } = service;
    const now = Date.now();
    const base = Math.floor((now - 30 * MINUTE) / MINUTE) * MINUTE;
    for (let s = 0; s < 6; s++) graphite.add('app.web1.sent', base / 1000 + s * 10, s + 1, 10); // 1..6 in one minute
    graphite.add('app.web1.sent', base / 1000 + 120, 4, 10); // two minutes later; the minute between is empty
    const handler = createGraphitePollHandler([graphiteSource(graphite.url, { backfill: '1h', series: [{ name: 'sent', target: 'app.web1.sent', aggregate: 'sum' }] })], { seriesStep: MINUTE });
    await handler.pollOnce({ source: 'graphite' }, pollContext(ctx, now));
    expect([...(await stored(ctx, 'sent'))]).toEqual([
      [base, 21],
      [base + 2 * MINUTE, 4],
    ]);
  });

  it('sends basic auth, survives a 5xx and a garbage answer without losing a bucket, with the reason in the status', async () => {
    service = await createTestService();
    const { ctx } = service;
    const now = Date.now();
    fill(now - DAY, now + DAY);
    graphite.requireBasic('radar', 'graphite-test-password');
    graphite.fail(1, { status: 502, body: '<html>Bad Gateway</html>' });
    graphite.fail(1, { status: 200, body: '{"not": "a list"}' });
    const handler = createGraphitePollHandler(
      [graphiteSource(graphite.url, { backfill: '6h', pollInterval: '200ms', basicAuth: { user: 'radar', password: 'graphite-test-password' } })],
      { seriesStep: MINUTE },
    );
    await syncPollSchedulers(ctx, [handler]);
    const errors = new Set<string>();
    poller = startPollWorker(ctx, [handler]);
    await waitFor(async () => {
      const s = await ctx.sources.get('graphite');
      if (s?.lastError) errors.add(s.lastError);
      return s?.state === 'ok';
    }, 30_000, 'graphite source recovers');
    expect(graphite.requests.slice(0, 3).map((r) => r.status)).toEqual([502, 200, 200]);
    expect(graphite.requests.every((r) => r.authorization === `Basic ${Buffer.from('radar:graphite-test-password').toString('base64')}`)).toBe(true);
    expect((await ctx.sources.get('graphite'))?.lastError).toMatch(/unexpected render response: \(root\): Expected array, received object/);
    const points = await stored(ctx, 'logins.web1');
    const last = Date.parse((await cursorOf(ctx, 'graphite', 'logins.{1}'))?.last ?? '');
    const first = Math.min(...points.keys());
    expect(points.size).toBe((last - first) / MINUTE + 1); // no bucket missing between the first and the cursor
    expect(last - first).toBeGreaterThanOrEqual(6 * 3_600_000 - 3 * MINUTE);
  });

  it('a rejected password stops the source', async () => {
    service = await createTestService();
    const { ctx } = service;
    graphite.requireBasic('radar', 'right');
    const handler = createGraphitePollHandler([graphiteSource(graphite.url, { pollInterval: '200ms', basicAuth: { user: 'radar', password: 'wrong' } })], { seriesStep: MINUTE });
    await syncPollSchedulers(ctx, [handler]);
    poller = startPollWorker(ctx, [handler]);
    await waitFor(async () => (await ctx.sources.get('graphite'))?.state === 'stopped', 30_000, 'source stopped');
    expect((await ctx.sources.get('graphite'))?.lastError).toMatch(/credentials rejected \(HTTP 401\)/);
    expect(graphite.requests).toHaveLength(1);
  });
});
