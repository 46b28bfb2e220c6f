/**
 * `/health` turns 503, naming the reason, when a configured source has not been polled or the
 * detector has not ticked within 3 of their intervals (the clock is pinned and moved); `/api/sources`
 * tells a poll in progress (a renewed lock) from a source blocked by a lock nobody renews.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/platform/clock.js';
import { createRedis } from '../../../src/queues/connection.js';
import { SourceState } from '../../../src/sources/source-state.js';
import { pollLockName } from '../../../src/sources/poll.js';
import { buildTestApp, viewer } from '../../helpers/api.js';
import { createTestService, type TestService } from '../../helpers/services.js';

const T0 = Date.UTC(2026, 2, 2, 10, 0);
const POLL_MS = 60_000;
const TICK_MS = 15_000; // min(series.step 1m, 15 s)

describe('/health freshness and blocked sources', () => {
  const clock = new ManualClock(T0);
  let service: TestService;
  let app: FastifyInstance;

  beforeAll(async () => {
    service = await createTestService({
      clock,
      config: { sources: { twitter: [{ name: 'brand', query: 'mail down', bearerToken: 'TEST', apiBase: 'http://127.0.0.1:9', pollInterval: POLL_MS }] } },
    });
    await service.ctx.sources.register('brand', 'twitter');
    app = await buildTestApp(service.ctx);
  });
  afterAll(async () => {
    await app.close();
    await service.cleanup();
  });

  const health = async () => {
    const res = await app.inject({ url: '/health' });
    return { status: res.statusCode, body: res.json() as { status: string; reasons: string[]; checks: Record<string, string> } };
  };
  const tick = (at: number) => service.ctx.store.kv.set('detect.tick', { at, judgedUntil: at - 120_000 }, at);

  it('a fresh start is healthy before anything had a chance to run', async () => {
    expect(await health()).toMatchObject({ status: 200, body: { status: 'ok', reasons: [], checks: { sources: 'ok', detector: 'ok' } } });
  });

  it('a source not polled for 3 intervals and a detector that stopped ticking make it 503, each with its reason', async () => {
    clock.set(T0 + 3 * POLL_MS + 1);
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body.checks).toMatchObject({ sources: 'stale', detector: 'stale', redis: 'ok', database: 'ok' });
    expect(body.reasons).toEqual([
      expect.stringMatching(/^brand: not polled for 3 intervals \(180 s; last poll never\)$/),
      expect.stringMatching(/^detect: detector has not ticked for 3 intervals \(45 s; last tick never\)$/),
    ]);
  });

  it('a poll and a tick make it healthy again; a detector falling behind alone is 503', async () => {
    const now = clock.now();
    await service.ctx.sources.recordPoll('brand', now);
    await tick(now);
    expect((await health()).status).toBe(200);

    clock.set(now + 3 * TICK_MS - 1);
    expect((await health()).status).toBe(200);
    clock.set(now + 3 * TICK_MS + 1);
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body.checks).toMatchObject({ sources: 'ok', detector: 'stale' });
    expect(body.reasons).toEqual([expect.stringContaining(`last tick ${new Date(now).toISOString()}`)]);
  });

  it('while the demo history backfill runs the detector waits on purpose: not unhealthy', async () => {
    const lock = service.ctx.keys.lock('backfill');
    await service.ctx.redis.set(lock, 'x', 'PX', 60_000);
    const { status, body } = await health();
    await service.ctx.redis.del(lock);
    expect(status).toBe(200);
    expect(body.checks.detector).toBe('waiting');
  });

  it('a source stopped on bad credentials is 503 with its error', async () => {
    const now = clock.now();
    await tick(now);
    await service.ctx.sources.recordError('brand', { now, message: 'ERR_SOURCE_AUTH: 401 Unauthorized', stopped: true });
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body.reasons).toEqual([expect.stringContaining('brand: stopped until its config changes or an operator retries it: ERR_SOURCE_AUTH: 401 Unauthorized')]);
    await service.ctx.sources.reset('brand');
    await service.ctx.sources.recordPoll('brand', now);
    expect((await health()).status).toBe(200);
  });

  it('/api/sources: a renewed lock is a poll in progress; a lock below half its lease that nobody renews blocks the source until it expires', async () => {
    const key = service.ctx.keys.lock(pollLockName({ kind: 'twitter', source: 'brand' }));
    const lease = 30_000; // min(30 s, the 60 s interval)
    const source = async () => {
      const res = await app.inject({ url: '/api/sources', headers: viewer });
      return (res.json() as { items: Array<Record<string, unknown>> }).items.find((i) => i.name === 'brand');
    };
    expect(await source()).toMatchObject({ state: 'idle', blockedUntil: null, locks: [] });

    await service.ctx.redis.set(key, 'live-holder', 'PX', lease - 1_000);
    expect(await source()).toMatchObject({ state: 'polling', lastState: 'idle', blockedUntil: null, locks: [{ mailbox: null, renewed: true }] });

    await service.ctx.redis.set(key, 'dead-holder', 'PX', 10_000);
    const blocked = await source();
    expect(blocked).toMatchObject({ state: 'blocked', lastState: 'idle', locks: [{ mailbox: null, renewed: false }] });
    const until = Date.parse(String(blocked?.blockedUntil));
    expect(until).toBeGreaterThan(clock.now() + 9_000);
    expect(until).toBeLessThanOrEqual(clock.now() + 10_000);
    await service.ctx.redis.del(key);
    expect(await source()).toMatchObject({ state: 'idle', blockedUntil: null });
  });

  it('while Redis does not answer, /api/sources still answers from the database (locks unknown) and /health says why it is 503', async () => {
    const dead = createRedis('redis://127.0.0.1:1', { retryStrategy: () => 5_000 });
    dead.on('error', () => undefined);
    const sources = new SourceState(dead, service.ctx.keys, service.ctx.store.sources, clock);
    const offline = await buildTestApp(service.ctx, { redis: dead, sources });
    try {
      const res = await offline.inject({ url: '/api/sources', headers: viewer });
      expect(res.statusCode).toBe(200);
      expect((res.json() as { items: unknown[] }).items).toEqual([expect.objectContaining({ name: 'brand', state: 'idle', locksKnown: false, locks: [] })]);
      const health = await offline.inject({ url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({ checks: { redis: 'unavailable', database: 'ok' }, reasons: expect.arrayContaining(['Redis does not answer']) });
    } finally {
      await offline.close();
      dead.disconnect();
    }
  });
});
