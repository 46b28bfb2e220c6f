/**
 * The service on a real three-master Redis Cluster (redis-server processes started by the test):
 * messages pushed through the API are ingested and stored, the detect tick's job scheduler fires, the
 * lock holds, and each queue's keys live in one slot of their own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceConfigSchema } from '../../../src/config/service.js';
import { silentLogger } from '../../../src/platform/log.js';
import { createCluster, scanKeys } from '../../../src/queues/connection.js';
import { QUEUE_NAMES } from '../../../src/queues/jobs.js';
import { RedisKeys } from '../../../src/queues/keys.js';
import { withLock } from '../../../src/queues/lock.js';
import { TICK_KEY } from '../../../src/store/tick-store.js';
import { runService, type RunningService } from '../../../workers/service.js';
import { startRedisCluster, type TestRedisCluster } from '../../helpers/redis-cluster.js';
import { uniqueName } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

const TOKEN = 'cluster-test-token-0123456789';

/** Which master serves `key` (its host:port), from the cluster's own slot map. */
async function masterOf(client: Cluster, key: string): Promise<string> {
  const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key));
  const owners = client.slots[slot];
  if (!owners?.[0]) throw new Error(`no owner of slot ${slot}`);
  return owners[0];
}

describe('on a three-master Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let client: Cluster;
  let service: RunningService;
  let dir: string;
  const prefix = uniqueName('cl');

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    client = createCluster({ url: 'redis://', cluster: cluster.nodes });
    dir = mkdtempSync(join(tmpdir(), 'radar-cluster-svc-'));
    const config = serviceConfigSchema.parse({
      dataDir: dir,
      server: { host: '127.0.0.1', port: 0 },
      redis: { url: 'redis://127.0.0.1:1', cluster: cluster.nodes, prefix },
      database: { url: `sqlite:${join(dir, 'radar.db')}` },
      auth: { tokens: [{ name: 'ci', token: TOKEN, role: 'admin' }], sessionSecret: 's'.repeat(40) },
      demo: { enabled: false },
      metrics: { port: null },
    });
    service = await runService({ config, log: silentLogger, workers: ['ingest', 'detect', 'notify', 'retention'], api: true, autoStartRedis: false });
  }, 120_000);

  afterAll(async () => {
    await service?.shutdown.close().catch(() => undefined);
    client?.disconnect();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a message pushed through the API is ingested and stored once', async () => {
    const messages = Array.from({ length: 50 }, (_, i) => ({ id: `cl-${i}`, channel: 'api', text: `the app crashes when I pay (${i})` }));
    const push = async () => {
      const res = await fetch(`${service.url}/api/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages }),
      });
      expect(res.status).toBe(202);
    };
    await push();
    await push(); // the same ids again: deduplicated by job id and primary key
    const count = async () => Number((await service.ctx.store.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    await waitFor(async () => (await count()) >= 50, 40_000, 'messages not stored');
    expect(await count()).toBe(50);
    const waiting = await service.ctx.queues.depths();
    await waitFor(async () => (await service.ctx.queues.depths()).ingest?.active === 0, 30_000, 'ingest jobs still active');
    expect(waiting.ingest?.failed ?? 0).toBe(0);
  });

  it('the detect tick scheduler fires on the cluster and the tick is committed', async () => {
    // The tick runs every 15 s (series.step 1m): the first one comes within one interval.
    await waitFor(async () => (await service.ctx.store.kv.get(TICK_KEY)) !== null, 50_000, 'no detect tick committed');
    const schedulers = await service.ctx.queues.get('detect').getJobSchedulers(0, -1);
    expect(schedulers.map((s) => s.key)).toContain('detect-tick');
  });

  it('each queue keeps its keys under its own hash tag; the queues spread over the masters', async () => {
    const keys = new RedisKeys(prefix, { slotPerQueue: true });
    const ingestKeys = await scanKeys(client, `${keys.bullPrefixFor('ingest')}:*`);
    expect(ingestKeys.length).toBeGreaterThan(0);
    expect(new Set(await Promise.all(ingestKeys.map((k) => masterOf(client, k)))).size).toBe(1);
    // With the default prefix, the five queues' tags fall on more than one master.
    const standard = new RedisKeys('radar', { slotPerQueue: true });
    const masters = new Set(await Promise.all(QUEUE_NAMES.map((q) => masterOf(client, `${standard.bullPrefixFor(q)}:${q}:wait`))));
    expect(masters.size).toBeGreaterThan(1);
    // On one Redis the layout is the one every release used: one tag for all queues.
    expect(new RedisKeys('radar').bullPrefixFor('ingest')).toBe('{radar}');
  });

  it('the lock: one holder at a time, released by its holder', async () => {
    const keys = new RedisKeys(prefix, { slotPerQueue: true });
    const key = keys.lock('cluster-test');
    const other = service.ctx.redis;
    let inner: { acquired: boolean } | null = null;
    const outer = await withLock(client, key, { leaseMs: 2_000 }, async () => {
      inner = await withLock(other, key, { leaseMs: 2_000 }, async () => 'second');
      return 'first';
    });
    expect(outer).toEqual({ acquired: true, value: 'first' });
    expect(inner).toEqual({ acquired: false });
    expect(await client.exists(key)).toBe(0);
    expect(await withLock(other, key, { leaseMs: 2_000 }, async () => 'again')).toEqual({ acquired: true, value: 'again' });
  });
});
