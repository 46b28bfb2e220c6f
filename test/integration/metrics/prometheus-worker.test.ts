/**
 * Metric pulls on the real BullMQ poll worker and job scheduler against a real Prometheus: a timeout
 * and a 5xx lose no bucket (the next poll re-fetches from the cursor), a malformed answer is a clear
 * error in the source status and the worker goes on, auth headers are sent (bearer through a checking
 * proxy, basic auth checked by Prometheus itself), a rejected credential stops only that source, and a
 * live-scraping Prometheus restarted mid-way, and a poller restarted mid-way, leave exactly the buckets
 * Prometheus has — none lost, none doubled.
 */
import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SourceAuthError } from '../../../src/sources/poll.js';
import { createPrometheusPollHandler } from '../../../src/sources/prometheus/index.js';
import { lastCompleteBucket } from '../../../src/sources/metric-pull/pull-range.js';
import { startPollWorker, syncPollSchedulers } from '../../../workers/poll.js';
import {
  directQuery,
  PROMETHEUS_PASSWORD,
  PROMETHEUS_USER,
  startExporter,
  startFaultProxy,
  startPrometheus,
  type FaultProxy,
  type HistorySample,
  type TestExporter,
  type TestPrometheus,
} from '../../helpers/prometheus.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { cursorOf, differences, MINUTE, pollContext, promSource, stored } from './setup.js';

const DAY = 86_400_000;
let prom: TestPrometheus;
let historyEnd: number;
let service: TestService | undefined;
let poller: Worker | undefined;
let proxy: FaultProxy | undefined;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  historyEnd = Math.floor((Date.now() - 10 * MINUTE) / MINUTE) * MINUTE;
  const history: HistorySample[] = [];
  for (let t = historyEnd - 15 * DAY; t <= historyEnd; t += MINUTE) {
    for (const service of ['auth', 'mail']) history.push({ metric: 'radar_test_errors', labels: { service }, value: ((t / MINUTE) % 997) + (service === 'auth' ? 0 : 3000), t });
  }
  prom = await startPrometheus({ history });
});

afterAll(async () => {
  await prom?.close();
});

afterEach(async () => {
  await poller?.close();
  await proxy?.close();
  for (const c of cleanups.splice(0)) await c();
  await service?.cleanup();
  poller = undefined;
  proxy = undefined;
  service = undefined;
});

async function run(sources: ReturnType<typeof promSource>[]) {
  const { ctx } = service as TestService;
  const handler = createPrometheusPollHandler(sources, { seriesStep: ctx.config.series.step });
  await syncPollSchedulers(ctx, [handler]);
  poller = startPollWorker(ctx, [handler]);
  return handler;
}

describe('prometheus source on the poll worker', () => {
  it('a timeout and a 5xx lose no bucket: the next polls re-fetch from the cursor', async () => {
    service = await createTestService();
    const { ctx } = service;
    proxy = await startFaultProxy(prom.url);
    proxy.failAt([0], 'hang'); // the first request (backfill part 1) times out
    proxy.failAt([2], { status: 503, body: '{"status":"error","errorType":"unavailable","error":"injected"}' }); // part 2 fails once part 1 is stored
    // A timeout well above a loaded machine's answer time: only the hung request may time out (at 3 s a
    // legit answer timed out once in the full suite on 2 cores, after the 503, and became the last error).
    await run([promSource(proxy.url, { pollInterval: '200ms', requestTimeout: '10s' })]);

    await waitFor(async () => (await ctx.sources.get('prom'))?.state === 'ok', 60_000, 'source recovers');
    const status = await ctx.sources.get('prom');
    expect(status?.lastError).toMatch(/HTTP 503: unavailable: injected/);
    expect(proxy.requests.slice(0, 4).map((r) => r.status)).toEqual([0, 200, 503, 200]);
    const last = Date.parse((await cursorOf(ctx, 'prom', 'errors.{service}'))?.last ?? '');
    const from = Math.floor((Date.parse(status?.lastSuccessAt ?? '') - 14 * DAY) / MINUTE) * MINUTE;
    const direct = await directQuery(prom.url, 'radar_test_errors', from - 5 * MINUTE, last, MINUTE, 'service');
    for (const svc of ['auth', 'mail']) {
      const points = await stored(ctx, `errors.${svc}`);
      const first = Math.min(...points.keys());
      const expected = new Map([...(direct.get(svc) ?? new Map<number, number>())].filter(([t]) => t >= first));
      expect(first - from).toBeLessThanOrEqual(MINUTE); // the backfill start (the first poll's clock)
      expect(differences(points, expected)).toEqual([]);
    }
  });

  it('a malformed answer is a clear error in the source status; the worker goes on and the source recovers', async () => {
    service = await createTestService();
    const { ctx } = service;
    proxy = await startFaultProxy(prom.url);
    proxy.failAt([0], { status: 200, body: '<html><body>Please log in</body></html>' });
    await run([promSource(proxy.url, { name: 'behind-proxy', pollInterval: '200ms', backfill: '1h' }), promSource(prom.url, { name: 'direct', pollInterval: '200ms', backfill: '1h' })]);

    await waitFor(async () => (await ctx.sources.get('behind-proxy'))?.lastError != null, 30_000, 'error recorded');
    expect((await ctx.sources.get('behind-proxy'))?.lastError).toMatch(/^ERR_SOURCE: errors\.\{service\}: POST \/api\/v1\/query_range: response is not JSON: <html><body>Please log in/);
    await waitFor(async () => (await ctx.sources.get('behind-proxy'))?.state === 'ok', 30_000, 'source recovers');
    await waitFor(async () => (await ctx.sources.get('direct'))?.state === 'ok', 30_000, 'the other source polls');
    expect(await stored(ctx, 'errors.auth')).not.toEqual(new Map());
  });

  it('a well-formed answer of the wrong shape names what is wrong', async () => {
    service = await createTestService();
    const { ctx } = service;
    proxy = await startFaultProxy(prom.url);
    proxy.fail(1, { status: 200, body: '{"status":"success","data":{"resultType":"vector","result":[]}}' });
    const handler = createPrometheusPollHandler([promSource(proxy.url, { backfill: '1h' })], { seriesStep: MINUTE });
    await expect(handler.pollOnce({ source: 'prom' }, pollContext(ctx))).rejects.toThrow(/unexpected query_range response: data\.resultType: Invalid literal value, expected "matrix"/);
    expect(await cursorOf(ctx, 'prom', 'errors.{service}')).toBeNull();
  });

  it('a bad PromQL expression stops the source with Prometheus\' own reason', async () => {
    service = await createTestService();
    const { ctx } = service;
    await run([promSource(prom.url, { pollInterval: '200ms', backfill: '1h', series: [{ name: 'bad', query: 'sum(rate(' }] })]);
    await waitFor(async () => (await ctx.sources.get('prom'))?.state === 'stopped', 30_000, 'source stopped');
    expect((await ctx.sources.get('prom'))?.lastError).toMatch(/^ERR_SOURCE: bad: POST \/api\/v1\/query_range: HTTP 400: bad_data: .*parse error/);
    expect(await cursorOf(ctx, 'prom', 'bad')).toBeNull();
  });

  it('sends the bearer token; a rejected one stops only its source', async () => {
    service = await createTestService();
    const { ctx } = service;
    proxy = await startFaultProxy(prom.url);
    proxy.requireBearer('prom-test-token-1');
    await run([
      promSource(proxy.url, { name: 'good', bearerToken: 'prom-test-token-1', pollInterval: '200ms', backfill: '1h' }),
      promSource(proxy.url, { name: 'revoked', bearerToken: 'prom-test-token-0', pollInterval: '200ms', backfill: '1h', series: [{ name: 'other.{service}', query: 'radar_test_errors' }] }),
    ]);
    await waitFor(async () => (await ctx.sources.get('revoked'))?.state === 'stopped', 30_000, 'revoked source stopped');
    await waitFor(async () => (await ctx.sources.get('good'))?.state === 'ok', 30_000, 'good source polls');
    expect((await ctx.sources.get('revoked'))?.lastError).toMatch(/credentials rejected \(HTTP 401\)/);
    expect(proxy.requests.filter((r) => r.authorization === 'Bearer prom-test-token-0')).toHaveLength(1);
    expect(proxy.requests.filter((r) => r.status === 200).every((r) => r.authorization === 'Bearer prom-test-token-1')).toBe(true);
    expect(await ctx.store.series.keys('errors.')).toEqual(['errors.auth', 'errors.mail']);
    expect(await ctx.store.series.keys('other.')).toEqual([]);
  });

  it('basic auth is checked by Prometheus itself', async () => {
    service = await createTestService();
    const { ctx } = service;
    const secured = await startPrometheus({ basicAuth: true, history: [{ metric: 'radar_test_errors', labels: { service: 'auth' }, value: 7, t: historyEnd }] });
    cleanups.push(() => secured.close());
    const good = createPrometheusPollHandler([promSource(secured.url, { backfill: '1h', basicAuth: { user: PROMETHEUS_USER, password: PROMETHEUS_PASSWORD } })], { seriesStep: MINUTE });
    await good.pollOnce({ source: 'prom' }, pollContext(ctx, historyEnd + 2 * MINUTE));
    expect((await stored(ctx, 'errors.auth')).get(historyEnd - MINUTE)).toBe(7);
    const bad = createPrometheusPollHandler([promSource(secured.url, { name: 'bad', backfill: '1h', basicAuth: { user: PROMETHEUS_USER, password: 'wrong' } })], { seriesStep: MINUTE });
    await expect(bad.pollOnce({ source: 'bad' }, pollContext(ctx, historyEnd + 2 * MINUTE))).rejects.toBeInstanceOf(SourceAuthError);
  });
});

describe('live scraping, restarts', () => {
  let exporter: TestExporter;
  let live: TestPrometheus;

  beforeAll(async () => {
    exporter = await startExporter();
    exporter.set('radar_test_live', { service: 'auth' }, 5);
    exporter.set('radar_test_live', { service: 'mail' }, 9);
    live = await startPrometheus({ scrape: [exporter.target] });
  });

  afterAll(async () => {
    await live?.close();
    await exporter?.close();
  });

  it('a Prometheus restart and a poller restart lose and double no bucket', async () => {
    service = await createTestService({ config: { series: { step: '1s' } } });
    const { ctx } = service;
    const config = promSource(live.url, { pollInterval: '250ms', requestTimeout: '1s', delay: '2s', backfill: '20s', series: [{ name: 'live.{service}', query: 'radar_test_live' }] });
    const lastOf = async () => Date.parse((await cursorOf(ctx, 'prom', 'live.{service}'))?.last ?? '0');
    await run([config]);
    await waitFor(async () => (await stored(ctx, 'live.auth')).size >= 5, 60_000, 'live buckets pulled');

    // Prometheus goes away: polls fail, the cursor stays; it comes back with its data and the pull catches up.
    await live.stop();
    await waitFor(async () => (await ctx.sources.get('prom'))?.state === 'error', 30_000, 'poll fails while Prometheus is down');
    const stuckAt = await lastOf();
    exporter.set('radar_test_live', { service: 'auth' }, 6);
    await live.start();
    await waitFor(async () => (await lastOf()) >= stuckAt + 5000 && (await ctx.sources.get('prom'))?.state === 'ok', 60_000, 'pull catches up after the restart');

    // The poller goes away and a new one (new handler, new worker) takes over from the stored cursor.
    await poller?.close();
    const pausedAt = await lastOf();
    exporter.set('radar_test_live', { service: 'mail' }, 10);
    await run([config]);
    await waitFor(async () => (await lastOf()) >= pausedAt + 5000, 60_000, 'new poller continues');
    await poller?.close();
    poller = undefined;

    const last = await lastOf();
    for (const svc of ['auth', 'mail']) {
      const points = await stored(ctx, `live.${svc}`);
      const first = Math.min(...points.keys());
      const direct = (await directQuery(live.url, 'radar_test_live', first, last, 1000, 'service')).get(svc);
      // Every bucket Prometheus has a value for is stored with that value, and nothing else.
      expect(differences(points, direct)).toEqual([]);
      expect(new Set(points.values())).toEqual(new Set(svc === 'auth' ? [5, 6] : [9, 10]));
    }
    expect(last).toBeLessThanOrEqual(lastCompleteBucket(Date.now(), 2000, 1000));
  });
});
