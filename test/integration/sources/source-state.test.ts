/**
 * Cursors and source status live in the database (migration 0007), on SQLite and PostgreSQL: they
 * survive a Redis that loses everything, counters add up, a restart un-stops only a stopped source,
 * cursors an older version kept in Redis are copied once, and a poll whose lease is lost writes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isRadarError } from '../../../src/platform/errors.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';

async function flushPrefix(service: TestService): Promise<void> {
  const keys = await service.ctx.redis.keys(`*${service.prefix}*`);
  if (keys.length > 0) await service.ctx.redis.del(...keys);
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`source state in the database (${db})`, () => {
    let service: TestService | undefined;
    afterEach(async () => {
      await service?.cleanup();
      service = undefined;
    });

    const open = async (t: { skip: () => void }): Promise<TestService | null> => {
      if (db === 'postgres' && !(await postgresAvailable())) {
        t.skip();
        return null;
      }
      service = await createTestService({ db });
      return service;
    };

    it('cursor, status, counters and rate limit survive a Redis that lost every key', async (t) => {
      const s = await open(t);
      if (!s) return;
      const { sources } = s.ctx;
      await sources.register('support', 'imap');
      await sources.setCursor('support|INBOX', { uidvalidity: 7, lastUid: 42 });
      await sources.setCursor('support', { mailboxes: { INBOX: { uidvalidity: 7, lastUid: 42 } } });
      await sources.recordSuccess('support', { now: 1_000, fetched: 3, skipped: 1 });
      await sources.addCounts('support', { fetched: 2, deadLettered: 1 });
      await sources.recordError('support', { now: 2_000, message: 'rate limited', rateLimit: { limit: 450, remaining: 0, resetAt: 9_000 } });
      await flushPrefix(s);

      expect(await sources.getCursor('support|INBOX')).toEqual({ uidvalidity: 7, lastUid: 42 });
      expect(await sources.get('support')).toEqual({
        name: 'support',
        kind: 'imap',
        state: 'error',
        lastPollAt: new Date(2_000).toISOString(),
        lastSuccessAt: new Date(1_000).toISOString(),
        lastError: 'rate limited',
        lastErrorAt: new Date(2_000).toISOString(),
        cursor: { mailboxes: { INBOX: { uidvalidity: 7, lastUid: 42 } } },
        fetched: 5,
        skipped: 1,
        deadLettered: 1,
        rateLimit: { limit: 450, remaining: 0, resetAt: 9_000 },
        lastRetry: null,
      });
      expect((await sources.list()).map((x) => x.name)).toEqual(['support']);
    });

    it('registering again keeps state and counters; a restart un-stops only a stopped source', async (t) => {
      const s = await open(t);
      if (!s) return;
      const { sources } = s.ctx;
      await sources.register('a', 'twitter');
      await sources.register('b', 'twitter');
      await sources.recordSuccess('a', { now: 5, fetched: 4 });
      await sources.recordError('b', { now: 6, message: 'ERR_SOURCE_AUTH: bad token', stopped: true });
      await sources.register('a', 'twitter');
      await sources.register('b', 'twitter');
      expect(await sources.get('a')).toMatchObject({ state: 'ok', fetched: 4 });
      expect(await sources.get('b')).toMatchObject({ state: 'stopped' });
      await sources.reset('a');
      await sources.reset('b');
      expect((await sources.get('a'))?.state).toBe('ok');
      expect(await sources.get('b')).toMatchObject({ state: 'idle', lastError: 'ERR_SOURCE_AUTH: bad token' });
    });

    it('concurrent counter updates all land (added in SQL, not read-modify-write)', async (t) => {
      const s = await open(t);
      if (!s) return;
      const { sources } = s.ctx;
      await Promise.all(Array.from({ length: 20 }, () => sources.addCounts('busy', { fetched: 1, skipped: 2 })));
      expect(await sources.get('busy')).toMatchObject({ fetched: 20, skipped: 40, kind: 'api', state: 'idle' });
    });

    it('copies cursors and status an older version kept in Redis, never over what the database has, then drops the Redis copies', async (t) => {
      const s = await open(t);
      if (!s) return;
      const { ctx } = s;
      const { redis, keys, sources } = ctx;
      // What an older version left in Redis.
      await redis.set(keys.cursor('brand'), JSON.stringify({ sinceId: '1234567890123456789' }));
      await redis.set(keys.cursor('support|INBOX'), JSON.stringify({ uidvalidity: 3, lastUid: 900 }));
      await redis.set(keys.cursor('known'), JSON.stringify({ sinceId: '1' }));
      await redis.sadd(keys.sources, 'brand', 'stuck');
      await redis.hset(keys.sourceStatus('brand'), { kind: 'twitter', state: 'ok', lastPollAt: '100', lastSuccessAt: '100', fetched: '77' });
      await redis.hset(keys.sourceStatus('stuck'), { kind: 'imap', state: 'stopped', lastError: 'ERR_IMAP_AUTH', lastErrorAt: '50' });
      // The database already has a newer cursor for `known`.
      await sources.setCursor('known', { sinceId: '2' });

      expect((await sources.importFromRedis()).sort()).toEqual(['brand', 'support|INBOX']);
      expect(await sources.getCursor('brand')).toEqual({ sinceId: '1234567890123456789' });
      expect(await sources.getCursor('support|INBOX')).toEqual({ uidvalidity: 3, lastUid: 900 });
      expect(await sources.getCursor('known')).toEqual({ sinceId: '2' });
      expect(await sources.get('brand')).toMatchObject({ kind: 'twitter', state: 'ok', fetched: 77, lastSuccessAt: new Date(100).toISOString() });
      expect(await sources.get('stuck')).toMatchObject({ kind: 'imap', state: 'stopped', lastError: 'ERR_IMAP_AUTH' });
      expect(await redis.keys(`${keys.prefix}:cursor:*`)).toEqual([]);
      expect(await redis.exists(keys.sources, keys.sourceStatus('brand'), keys.sourceStatus('stuck'))).toBe(0);
      // A second start finds nothing more to copy.
      expect(await sources.importFromRedis()).toEqual([]);
    });

    it('a fenced view refuses every write once the lease is lost; reads go on', async (t) => {
      const s = await open(t);
      if (!s) return;
      const { sources } = s.ctx;
      const lease = { lost: false };
      const fenced = sources.fenced(lease);
      await fenced.setCursor('brand', { sinceId: '10' });
      lease.lost = true;
      const refused = await fenced.setCursor('brand', { sinceId: '20' }).catch((e: unknown) => e);
      expect(isRadarError(refused, 'ERR_LOCK_LOST')).toBe(true);
      await expect(fenced.recordSuccess('brand', { now: 1, fetched: 1 })).rejects.toThrow(/lease lost/);
      await expect(fenced.addCounts('brand', { fetched: 1 })).rejects.toThrow(/lease lost/);
      expect(await fenced.getCursor('brand')).toEqual({ sinceId: '10' });
      expect((await sources.get('brand'))?.fetched ?? 0).toBe(0);
    });
  });
}
