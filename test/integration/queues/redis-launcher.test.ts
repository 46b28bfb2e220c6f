import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/platform/log.js';
import { isRadarError } from '../../../src/platform/errors.js';
import { createRedis, pingRedis } from '../../../src/queues/connection.js';
import { ensureRedis } from '../../../src/queues/redis-launcher.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe('ensureRedis', () => {
  it('uses a Redis that answers, starting nothing', async () => {
    const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const ensured = await ensureRedis(url, { autoStart: true, dataDir: tmpdir(), log: silentLogger });
    expect(ensured.child).toBeNull();
  });

  it('when nothing answers, starts a private redis-server with appendonly under dataDir, and stops it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'radar-redis-'));
    const url = `redis://127.0.0.1:${await freePort()}`;
    expect(await pingRedis(url)).toBe(false);
    const ensured = await ensureRedis(url, { autoStart: true, dataDir: dir, log: silentLogger });
    try {
      expect(ensured.child).not.toBeNull();
      const client = createRedis(url);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      await client.set('k', 'v');
      client.disconnect();
      expect(readdirSync(join(dir, 'redis')).length).toBeGreaterThan(0);
    } finally {
      await ensured.stop();
    }
    expect(await pingRedis(url)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('with auto-start off, fails with one clear line', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const error = await ensureRedis(url, { autoStart: false, dataDir: tmpdir(), log: silentLogger }).catch((e: unknown) => e);
    expect(isRadarError(error, 'ERR_REDIS_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/^nothing answers at 127\.0\.0\.1:\d+: start Redis 6\.2\+ .* or set REDIS_URL$/);
  });
});
