/**
 * A source stopped on a rejected credential stays stopped across restarts while its config entry is
 * unchanged (no login known to fail is tried again: counted at the fake X server), a changed entry
 * un-stops it, and `POST /api/sources/:name/retry` (auth + CSRF, recorded with who and how) un-stops it
 * and polls at once. A GET changes nothing. Real BullMQ poll worker and schedulers, real Redis, SQLite
 * and PostgreSQL.
 */
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { TwitterSourceInput } from '../../../src/config/twitter.js';
import { createTwitterPollHandler } from '../../../src/sources/twitter/index.js';
import { startPollWorker, syncPollSchedulers } from '../../../workers/poll.js';
import { admin, buildTestApp, PASSWORD, viewer } from '../../helpers/api.js';
import { FakeXServer } from '../../helpers/fake-x-server.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { source, TEST_AUTHOR_KEY } from '../twitter/setup.js';

let service: TestService | undefined;
let fake: FakeXServer | undefined;
let poller: Worker | undefined;
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  await poller?.close();
  await fake?.close();
  await service?.cleanup();
  app = undefined;
  poller = undefined;
  fake = undefined;
  service = undefined;
});

/** Starts (or restarts) the poll side as a process does: sync the schedulers, run a worker; counts finished poll jobs. */
async function startPolling(s: TestService, entry: Partial<TwitterSourceInput> & { name: string }): Promise<{ finished: () => number }> {
  await poller?.close();
  const handler = createTwitterPollHandler([source((fake as FakeXServer).url, entry)], { authorKey: TEST_AUTHOR_KEY });
  await syncPollSchedulers(s.ctx, [handler]);
  let finished = 0;
  poller = startPollWorker(s.ctx, [handler]);
  poller.on('completed', () => finished++);
  poller.on('failed', () => finished++);
  return { finished: () => finished };
}

const searchesWith = (token: string) => (fake as FakeXServer).searches.filter((r) => r.token === token).length;

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`a stopped source on ${db}`, () => {
    it('stays stopped across restarts with the same config (no login tried), and a changed config un-stops it', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      fake = await FakeXServer.start({ tokens: ['GOOD'] });
      service = await createTestService({ db });
      const entry = { name: 'brand', bearerToken: 'REVOKED', pollInterval: '100ms' };

      await startPolling(service, entry);
      await waitFor(async () => (await service?.ctx.sources.get('brand'))?.state === 'stopped', 30_000, 'stopped on the rejected token');
      expect(searchesWith('REVOKED')).toBe(1);

      // Restart with the very same entry (a new handler, a new worker): scheduled polls run and are skipped.
      const restarted = await startPolling(service, { ...entry });
      await waitFor(() => restarted.finished() >= 4, 30_000, 'four scheduled polls handled after the restart');
      expect(searchesWith('REVOKED')).toBe(1);
      expect(await service.ctx.sources.get('brand')).toMatchObject({ state: 'stopped', lastError: expect.stringMatching(/rejected the bearer token/) });

      // A different entry (a new token in the environment) un-stops it at the next start.
      await startPolling(service, { ...entry, bearerToken: 'GOOD' });
      await waitFor(async () => (await service?.ctx.sources.get('brand'))?.state === 'ok', 30_000, 'polling again with the new token');
      expect(searchesWith('GOOD')).toBeGreaterThan(0);
      expect(searchesWith('REVOKED')).toBe(1);
    });

    it('a retry from the API un-stops it and polls at once, recorded with who and how; a GET changes nothing', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      fake = await FakeXServer.start({ tokens: ['GOOD'] });
      // An hour between scheduled polls: a second request within the test can only come from the retry.
      const entry = { name: 'brand', bearerToken: 'REVOKED', pollInterval: '1h' };
      service = await createTestService({ db, config: { sources: { twitter: [{ query: 'mail down', apiBase: fake.url, ...entry }] } } });
      app = await buildTestApp(service.ctx);
      await startPolling(service, entry);
      await waitFor(async () => (await service?.ctx.sources.get('brand'))?.state === 'stopped', 30_000, 'stopped on the rejected token');

      const listed = await app.inject({ method: 'GET', url: '/api/sources', headers: viewer });
      expect(listed.json().items).toEqual([expect.objectContaining({ name: 'brand', state: 'stopped', lastRetry: null })]);
      expect((await app.inject({ method: 'GET', url: '/api/sources/brand/retry', headers: admin })).statusCode).toBe(404); // no GET route
      expect((await service.ctx.sources.get('brand'))?.state).toBe('stopped');

      expect((await app.inject({ method: 'POST', url: '/api/sources/brand/retry', headers: viewer })).statusCode).toBe(403);
      expect((await app.inject({ method: 'POST', url: '/api/sources/nope/retry', headers: admin })).json()).toMatchObject({ error: 'ERR_NOT_FOUND' });
      const login = await app.inject({ method: 'POST', url: '/api/session', payload: { name: 'ops', password: PASSWORD } });
      const cookies = { radar_session: login.cookies.find((c) => c.name === 'radar_session')?.value ?? '' };
      const noCsrf = await app.inject({ method: 'POST', url: '/api/sources/brand/retry', cookies });
      expect(noCsrf.json()).toMatchObject({ error: 'ERR_CSRF' });
      expect((await service.ctx.sources.get('brand'))?.state).toBe('stopped');
      expect(searchesWith('REVOKED')).toBe(1);

      // Still rejected: the retry's poll tries once and the source stops again (the retry stays recorded).
      const retried = await app.inject({ method: 'POST', url: '/api/sources/brand/retry', cookies, headers: { 'x-csrf-token': login.json().csrf } });
      expect(retried.statusCode).toBe(200);
      expect(retried.json()).toMatchObject({ name: 'brand', pollsQueued: 1, lastRetry: { by: 'ops', via: 'dashboard' } });
      await waitFor(() => searchesWith('REVOKED') === 2, 30_000, 'the retry polled');
      await waitFor(async () => (await service?.ctx.sources.get('brand'))?.state === 'stopped', 30_000, 'stopped again');

      // The account is fixed on the server's side: a retry by token polls and succeeds.
      fake.tokens.add('REVOKED');
      const again = await app.inject({ method: 'POST', url: '/api/sources/brand/retry', headers: admin });
      expect(again.json()).toMatchObject({ state: 'idle', lastRetry: { by: 'ci-admin', via: 'api' } });
      await waitFor(async () => (await service?.ctx.sources.get('brand'))?.state === 'ok', 30_000, 'polled after the retry');
      expect(searchesWith('REVOKED')).toBe(3);
      const conflict = await app.inject({ method: 'POST', url: '/api/sources/brand/retry', headers: admin });
      expect(conflict.statusCode).toBe(409);
      expect(conflict.json()).toMatchObject({ error: 'ERR_SOURCE_STATE' });
    });
  });
}
