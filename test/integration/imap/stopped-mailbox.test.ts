/**
 * A mail source stopped on a rejected password, against a real Dovecot: a restart with the same config
 * makes no login at all (connections counted by a relay in front of Dovecot, rejections in Dovecot's
 * log), a new password un-stops it at the next start. Two mailboxes share the one stop. SQLite and
 * PostgreSQL.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ImapSourceInput } from '../../../src/config/imap.js';
import { startPollWorker, syncPollSchedulers } from '../../../workers/poll.js';
import { mail, startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { handlerFor, sourceConfig } from './harness.js';

let dovecot: Dovecot;
let relay: { server: Server; port: number; connections: number; sockets: Set<Socket> };
let service: TestService | undefined;
let poller: Worker | undefined;

beforeAll(async () => {
  dovecot = await startDovecot();
  await dovecot.append([mail({ subject: 'Where is my parcel', messageId: 'stop-1@x' })], 'StopA');
  await dovecot.append([mail({ subject: 'Refund please', messageId: 'stop-2@x' })], 'StopB');
  // Every poll opens one connection: counted here when it is made, before any log is written.
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    relay.connections++;
    const upstream = connect(dovecot.port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay = { server, port: (server.address() as { port: number }).port, connections: 0, sockets };
});
afterAll(async () => {
  for (const s of relay?.sockets ?? []) s.destroy();
  await new Promise((resolve) => (relay ? relay.server.close(resolve) : resolve(undefined)));
  await dovecot?.stop();
});
afterEach(async () => {
  await poller?.close();
  await service?.cleanup();
  poller = undefined;
  service = undefined;
});

/** Failed and successful logins of the test user in Dovecot's log so far. */
const failedLogins = () => (dovecot.log().match(/auth failed/g) ?? []).length;
const logins = () => (dovecot.log().match(/Login: user=<test>/g) ?? []).length;

/** Starts (or restarts) the poll side as a process does; counts the poll jobs handled and those failed (a rejected login). */
async function startPolling(s: TestService, overrides: Partial<ImapSourceInput>): Promise<{ handled: () => number; failed: () => number }> {
  await poller?.close(); // waits for polls in flight
  const handler = handlerFor(s, [sourceConfig(dovecot, { port: relay.port, mailboxes: ['StopA', 'StopB'], pollInterval: '100ms', ...overrides })]);
  await syncPollSchedulers(s.ctx, [handler]);
  let handled = 0;
  let failed = 0;
  poller = startPollWorker(s.ctx, [handler]);
  poller.on('completed', () => handled++);
  poller.on('failed', () => {
    handled++;
    failed++;
  });
  return { handled: () => handled, failed: () => failed };
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  it(`${db}: a restart with the same password logs in no more; a new password un-stops the source`, async (t) => {
    if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
    service = await createTestService({ db });
    const before = failedLogins();
    const connectionsBefore = relay.connections;
    const first = await startPolling(service, { password: 'wrong-password' });
    await waitFor(async () => (await service?.ctx.sources.get('support'))?.state === 'stopped', 20_000, 'stopped on the rejected password');
    await poller?.close(); // the polls in flight finish
    // Only the two mailboxes' polls in flight when the stop landed can have tried, one connection each.
    const afterStop = relay.connections;
    expect(afterStop - connectionsBefore).toBeGreaterThanOrEqual(1);
    expect(afterStop - connectionsBefore).toBeLessThanOrEqual(2);
    await waitFor(() => failedLogins() > before, 5000, 'the rejection logged by Dovecot');
    expect(first.failed()).toBeGreaterThanOrEqual(1);

    const restarted = await startPolling(service, { password: 'wrong-password' });
    await waitFor(() => restarted.handled() >= 6, 20_000, 'scheduled polls of both mailboxes handled after the restart');
    expect(relay.connections).toBe(afterStop);
    expect(restarted.failed()).toBe(0);
    expect((await service.ctx.sources.get('support'))?.state).toBe('stopped');

    const loginsBefore = logins();
    await startPolling(service, { password: dovecot.password });
    await waitFor(async () => (await service?.ctx.sources.get('support'))?.state === 'ok', 20_000, 'polling again with the new password');
    expect(relay.connections).toBeGreaterThan(afterStop);
    await waitFor(() => logins() > loginsBefore, 5000, 'a successful login logged by Dovecot');
  });
}
