/**
 * Pulling from a real Prometheus (the Debian binary, started by the test) filled with two weeks of
 * history by promtool: the backfill lands every bucket with the value Prometheus gives for it, split
 * under Prometheus' 11,000-points limit; later polls continue from the cursor; one query becomes
 * several radar series by label, capped; re-fetching overwrites and never adds; a pulled series can be
 * the traffic reference of complaint rates.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusPollHandler } from '../../../src/sources/prometheus/index.js';
import { metricCursorName } from '../../../src/sources/metric-pull/cursor.js';
import { lastCompleteBucket } from '../../../src/sources/metric-pull/pull-range.js';
import { judgingEnd } from '../../../workers/detect.js';
import { metricBackfillPending } from '../../../workers/metric-backfill.js';
import { admin, buildTestApp } from '../../helpers/api.js';
import { directQuery, startPrometheus, type HistorySample, type TestPrometheus } from '../../helpers/prometheus.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';
import { cursorOf, differences, MINUTE, pollContext, promSource, stored } from './setup.js';

const DAY = 86_400_000;
/** The value of the history at time t (ms) for a service: distinct per minute and per service. */
const valueAt = (t: number, service: string) => ((t / MINUTE) % 1000) + (service === 'auth' ? 0 : 5000);

let prom: TestPrometheus;
let historyEnd: number;
let service: TestService | undefined;

beforeAll(async () => {
  const now = Date.now();
  historyEnd = Math.floor((now - 10 * MINUTE) / MINUTE) * MINUTE;
  const history: HistorySample[] = [];
  for (let t = historyEnd - 15 * DAY; t <= historyEnd; t += MINUTE) {
    for (const service of ['auth', 'mail']) history.push({ metric: 'radar_test_errors', labels: { service }, value: valueAt(t, service), t });
    history.push({ metric: 'radar_test_traffic', labels: {}, value: 2000, t });
  }
  prom = await startPrometheus({ history });
});

afterAll(async () => {
  await prom?.close();
});

afterEach(async () => {
  await service?.cleanup();
  service = undefined;
});

const dbs: DbKind[] = ['sqlite', 'postgres'];

describe.each(dbs)('prometheus backfill and polls (%s)', (db) => {
  it('backfills 14 days in requests under the 11,000-point limit, then continues from the cursor', async (t) => {
    if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
    service = await createTestService({ db });
    const { ctx } = service;
    const handler = createPrometheusPollHandler([promSource(prom.url)], { seriesStep: MINUTE });
    await ctx.sources.register('prom', 'prometheus');

    // First poll three hours ago (pinned `now`): the backfill.
    const first = Date.now() - 3 * 3_600_000;
    const r1 = await handler.pollOnce({ source: 'prom' }, pollContext(ctx, first));
    const last1 = lastCompleteBucket(first, MINUTE, MINUTE);
    const from = Math.floor((first - 14 * DAY) / MINUTE) * MINUTE;
    expect(r1.requests).toBe(2); // 20,160 buckets: one request would be refused by Prometheus
    expect(r1.series).toBe(2);
    expect((await cursorOf(ctx, 'prom', 'errors.{service}'))).toEqual({ last: new Date(last1).toISOString(), series: 2, overCap: 0 });
    for (const svc of ['auth', 'mail']) {
      const points = await stored(ctx, `errors.${svc}`);
      expect(points.size).toBe((last1 - from) / MINUTE + 1);
      // The value evaluated at the end of each bucket, i.e. the sample stamped at t + 1 minute.
      for (const bucket of [from, from + 777 * MINUTE, last1]) expect(points.get(bucket)).toBe(valueAt(bucket + MINUTE, svc));
      expect(Math.min(...points.keys())).toBe(from);
      expect(Math.max(...points.keys())).toBe(last1);
    }

    // The next poll (now): only the buckets after the cursor, in one request.
    const now = Date.now();
    const r2 = await handler.pollOnce({ source: 'prom' }, pollContext(ctx, now));
    expect(r2.requests).toBe(1);
    const last2 = lastCompleteBucket(now, MINUTE, MINUTE);
    expect((await cursorOf(ctx, 'prom', 'errors.{service}'))?.last).toBe(new Date(last2).toISOString());
    const direct = await directQuery(prom.url, 'radar_test_errors', from, last2, MINUTE, 'service');
    for (const svc of ['auth', 'mail']) {
      const points = await stored(ctx, `errors.${svc}`);
      // Exactly what Prometheus says for every bucket: no bucket lost between the polls, gaps (after the
      // history ends and its 5-minute look-back) left as gaps.
      expect(differences(points, direct.get(svc))).toEqual([]);
      expect(points.has(historyEnd + 10 * MINUTE)).toBe(false);
    }
    const status = await ctx.sources.get('prom');
    expect(status?.state).toBe('ok');
    expect(status?.fetched).toBeGreaterThan(40_000);
  });
});

describe('prometheus series by label', () => {
  it('caps the series one query makes, in name order, and says how many it left out', async () => {
    service = await createTestService();
    const { ctx } = service;
    const handler = createPrometheusPollHandler([promSource(prom.url, { backfill: '1h', series: [{ name: 'errors.{service}', query: 'radar_test_errors', maxSeries: 1 }] })], {
      seriesStep: MINUTE,
    });
    await ctx.sources.register('prom', 'prometheus');
    const now = historyEnd + 2 * MINUTE;
    const result = await handler.pollOnce({ source: 'prom' }, pollContext(ctx, now));
    expect(result).toMatchObject({ series: 1, overCap: 1 });
    expect(await ctx.store.series.keys('errors.')).toEqual(['errors.auth']);
    expect((await cursorOf(ctx, 'prom', 'errors.{service}'))).toMatchObject({ series: 1, overCap: 1 });
    expect((await ctx.sources.get('prom'))?.skipped).toBe(1);
  });

  it('a query whose series the template cannot tell apart keeps one and reports the others', async () => {
    service = await createTestService();
    const { ctx } = service;
    const handler = createPrometheusPollHandler([promSource(prom.url, { backfill: '1h', series: [{ name: 'errors.all', query: 'radar_test_errors' }] })], { seriesStep: MINUTE });
    const result = await handler.pollOnce({ source: 'prom' }, pollContext(ctx, historyEnd + 2 * MINUTE));
    expect(result).toMatchObject({ series: 1, overCap: 1 });
    expect(await ctx.store.series.keys('errors.')).toEqual(['errors.all']);
  });

  it('re-fetching the same buckets overwrites them: nothing is added twice', async () => {
    service = await createTestService();
    const { ctx } = service;
    const handler = createPrometheusPollHandler([promSource(prom.url, { backfill: '2h' })], { seriesStep: MINUTE });
    const now = historyEnd + 2 * MINUTE;
    await handler.pollOnce({ source: 'prom' }, pollContext(ctx, now));
    const before = await stored(ctx, 'errors.auth');
    await ctx.sources.clearCursor(metricCursorName('prom', 'errors.{service}')); // as if the cursor had been lost: the same range is pulled again
    const again = await handler.pollOnce({ source: 'prom' }, pollContext(ctx, now));
    expect(again.points).toBe(before.size * 2);
    expect(await stored(ctx, 'errors.auth')).toEqual(before);
  });
});

describe('a pulled series as the traffic reference', () => {
  it('complaint rates divide by traffic pulled from Prometheus, and detection waits for the pull', async () => {
    service = await createTestService({
      config: { sources: { prometheus: [{ name: 'prom', url: prom.url, delay: '5m', backfill: '1h', series: [{ name: 'traffic', query: 'radar_test_traffic' }] }] } },
    });
    const { ctx } = service;
    const handler = createPrometheusPollHandler(ctx.config.sources.prometheus, { seriesStep: MINUTE });
    await ctx.sources.register('prom', 'prometheus');
    const now = historyEnd + MINUTE;
    const to = lastCompleteBucket(now, 5 * MINUTE, MINUTE);
    await handler.pollOnce({ source: 'prom' }, pollContext(ctx, now));
    expect((await stored(ctx, 'traffic')).get(to)).toBe(2000);
    await ctx.store.series.add([
      { key: 'complaints', t: to - MINUTE, v: 4 },
      { key: 'complaints', t: to, v: 6 },
    ]);
    const app = await buildTestApp(ctx);
    try {
      const res = await app.inject({ method: 'GET', url: `/api/series/complaints?rate=true&from=${to - MINUTE}&to=${to + MINUTE}&step=1m`, headers: admin });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ rate: { reference: 'traffic' }, points: [{ t: to - MINUTE, v: 2000 }, { t: to, v: 3000 }] });
      const sources = (await app.inject({ method: 'GET', url: '/api/sources', headers: admin })).json() as { items: Array<Record<string, unknown>> };
      expect(sources.items.find((s) => s.name === 'prom')).toMatchObject({ kind: 'prometheus', state: 'ok', cursor: { queries: { traffic: { last: new Date(to).toISOString() } } } });
    } finally {
      await app.close();
    }
    // The detector judges no bucket the pull has not reached: its end is the end of the last pulled bucket.
    const judging = await judgingEnd(ctx, now);
    expect(judging.end).toBe(to + MINUTE);
    expect(judging.waitingFor).toEqual(['prom']);
  });
});

describe('the detector waits for the first pull', () => {
  it('holds detection until a metric source has pulled its history once, and not for a stopped or long-failing source', async () => {
    service = await createTestService({
      config: { sources: { prometheus: [{ name: 'prom', url: prom.url, backfill: '1h', series: [{ name: 'traffic', query: 'radar_test_traffic' }] }] } },
    });
    const { ctx } = service;
    const now = Date.now();
    expect(await metricBackfillPending(ctx, now, now)).toEqual(['prom']); // no poll process has registered it yet
    expect(await metricBackfillPending(ctx, now + 11 * MINUTE, now)).toEqual([]); // …for at most detect.late.maxWait
    await ctx.sources.register('prom', 'prometheus');
    expect(await metricBackfillPending(ctx, now, now)).toEqual(['prom']);
    expect(await metricBackfillPending(ctx, now + 11 * MINUTE, now)).toEqual([]); // failing for longer than maxWait: no longer waited for
    await ctx.sources.recordError('prom', { now, message: 'rejected', stopped: true });
    expect(await metricBackfillPending(ctx, now, now)).toEqual([]);
    await ctx.sources.reset('prom');
    const handler = createPrometheusPollHandler(ctx.config.sources.prometheus, { seriesStep: MINUTE });
    await handler.pollOnce({ source: 'prom' }, pollContext(ctx, historyEnd + MINUTE));
    expect(await metricBackfillPending(ctx, now, now)).toEqual([]);
  });
});
