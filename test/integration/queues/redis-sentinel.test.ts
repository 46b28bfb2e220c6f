/**
 * The service on a Redis primary named by Sentinels (real redis-server processes started by the test):
 * messages are ingested before and after the primary is killed and the sentinels promote its replica.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceConfigSchema } from '../../../src/config/service.js';
import type { Message } from '../../../src/domain/message.js';
import { silentLogger } from '../../../src/platform/log.js';
import { runService, type RunningService } from '../../../workers/service.js';
import { startRedisSentinel, type TestRedisSentinel } from '../../helpers/redis-sentinel.js';
import { uniqueName } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

const message = (id: string): Message => ({
  id: `api:${id}`,
  channel: 'api',
  source: 'api',
  author: null,
  text: `the app crashes when I pay (${id})`,
  lang: 'en',
  createdAt: new Date().toISOString(),
  link: null,
});

describe('on a Redis primary named by Sentinels', () => {
  let sentinel: TestRedisSentinel;
  let service: RunningService;
  let dir: string;

  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    dir = mkdtempSync(join(tmpdir(), 'radar-sentinel-svc-'));
    const config = serviceConfigSchema.parse({
      dataDir: dir,
      redis: { url: 'redis://127.0.0.1:1', sentinels: sentinel.sentinels, sentinelName: sentinel.name, prefix: uniqueName('sn') },
      database: { url: `sqlite:${join(dir, 'radar.db')}` },
      demo: { enabled: false },
      metrics: { port: null },
    });
    service = await runService({ config, log: silentLogger, workers: ['ingest'], api: false, autoStartRedis: false });
  }, 120_000);

  afterAll(async () => {
    await service?.shutdown.close().catch(() => undefined);
    await sentinel?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ingests before and after a failover, each message once', async () => {
    const count = async () => Number((await service.ctx.store.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    await service.ctx.queues.enqueueMessages(Array.from({ length: 20 }, (_, i) => message(`before-${i}`)));
    await waitFor(async () => (await count()) === 20, 30_000, 'messages before the failover not stored');

    expect(await sentinel.primaryNow()).toBe(sentinel.primaryPort);
    await sentinel.killPrimary();
    await waitFor(async () => (await sentinel.primaryNow()) === sentinel.replicaPort, 60_000, 'the sentinels did not promote the replica');

    // Enqueued while the client finds the new primary: ioredis asks the sentinels and reconnects.
    await service.ctx.queues.enqueueMessages(Array.from({ length: 20 }, (_, i) => message(`after-${i}`)));
    await service.ctx.queues.enqueueMessages([message('before-0')]); // already stored: stays one row
    await waitFor(async () => (await count()) === 40, 60_000, 'messages after the failover not stored');
    expect(await count()).toBe(40);
  });
});
