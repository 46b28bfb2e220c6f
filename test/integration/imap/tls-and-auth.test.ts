import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Worker } from 'bullmq';
import { SourceAuthError } from '../../../src/sources/poll.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { mail, startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { waitFor } from '../../helpers/wait.js';
import { startPollWorker, syncPollSchedulers } from '../../../workers/poll.js';
import { startIngestWorker } from '../../../workers/ingest.js';
import { handlerFor, pollContext, sourceConfig, startProxy } from './harness.js';

let tlsDovecot: Dovecot;
let plainDovecot: Dovecot;
let service: TestService;

beforeAll(async () => {
  [tlsDovecot, plainDovecot] = await Promise.all([startDovecot({ tls: true }), startDovecot()]);
  await tlsDovecot.append([mail({ subject: 'Over TLS', messageId: 'tls-1@x' })]);
});
afterAll(async () => {
  await Promise.all([tlsDovecot?.stop(), plainDovecot?.stop()]);
});
beforeEach(async () => {
  service = await createTestService();
});
afterEach(async () => {
  await service.cleanup();
});

const loginsOf = (d: Dovecot) => (d.log().match(/Login: user=<test>/g) ?? []).length;

describe('IMAP TLS', () => {
  it.each([
    ['implicit TLS', 'implicit', () => tlsDovecot.tlsPort],
    ['STARTTLS', 'starttls', () => tlsDovecot.port],
  ] as const)('%s with the server certificate trusted', async (_name, tls, port) => {
    const config = sourceConfig(tlsDovecot, { host: '127.0.0.1', port: port() ?? 0, tls, tlsCaFile: tlsDovecot.caFile ?? undefined });
    const rec = pollContext(service);
    const before = loginsOf(tlsDovecot);
    await handlerFor(service, [config]).poll({ source: 'support', mailbox: 'INBOX' }, rec.ctx);
    expect(rec.enqueued.map((m) => m.text)).toEqual(['Over TLS\n\nMy order never arrived.']);
    await waitFor(() => loginsOf(tlsDovecot) === before + 1, 5000, 'login logged');
    expect(tlsDovecot.log()).toMatch(/Login: user=<test>, method=PLAIN, rip=127\.0\.0\.1, lip=127\.0\.0\.1, mpid=\d+, TLS/);
  });

  it('a server stalling mid-fetch over implicit TLS hits the idle timeout (retryable)', async () => {
    const proxy = await startProxy(tlsDovecot.tlsPort ?? 0);
    try {
      await tlsDovecot.append([mail({ subject: 'Long', messageId: 'long-1@x', body: 'slow app '.repeat(40_000) })], 'TlsStall');
      const config = sourceConfig(tlsDovecot, { port: proxy.port, tls: 'implicit', tlsCaFile: tlsDovecot.caFile ?? undefined, mailboxes: ['TlsStall'], idleTimeout: '1s' });
      proxy.onBytes(100_000, 'stall');
      await expect(handlerFor(service, [config]).poll({ source: 'support', mailbox: 'TlsStall' }, pollContext(service).ctx)).rejects.toMatchObject({
        code: 'ERR_SOURCE',
        retryable: true,
      });
    } finally {
      await proxy.close();
    }
  });

  it('an untrusted certificate stops the source (no login attempted)', async () => {
    const before = loginsOf(tlsDovecot);
    const config = sourceConfig(tlsDovecot, { port: tlsDovecot.tlsPort ?? 0, tls: 'implicit' });
    const error = await handlerFor(service, [config]).poll({ source: 'support' }, pollContext(service).ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toMatch(/TLS certificate not trusted/);
    expect(loginsOf(tlsDovecot)).toBe(before);
  });

  it('STARTTLS required but not offered: refuses to send the password in clear', async () => {
    const config = sourceConfig(plainDovecot, { tls: 'starttls' });
    const error = await handlerFor(service, [config]).poll({ source: 'support' }, pollContext(service).ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toMatch(/does not offer STARTTLS/);
    expect(plainDovecot.log()).not.toMatch(/auth failed|Login: user=<test>/);
  });

  it('config refuses tls: none for a non-loopback host', async () => {
    const { imapSourceSchema } = await import('../../../src/config/imap.js');
    const result = imapSourceSchema.safeParse({ name: 'x', host: 'imap.example.com', tls: 'none', user: 'u', password: 'p' });
    expect(result.success).toBe(false);
  });
});

describe('IMAP credentials', () => {
  it('a wrong password stops only that source; another source still polls, end to end into the store', async () => {
    await plainDovecot.append([mail({ subject: 'Cannot login', body: 'I cannot login, password reset is broken', messageId: 'e2e-1@x' })], 'E2E');
    const good = sourceConfig(plainDovecot, { name: 'good', mailboxes: ['E2E'], pollInterval: '200ms' });
    const bad = sourceConfig(plainDovecot, { name: 'bad', password: 'wrong', mailboxes: ['E2E'], pollInterval: '200ms' });
    const handler = handlerFor(service, [good, bad]);
    const { ctx } = service;
    await syncPollSchedulers(ctx, [handler]);
    const poll: Worker = startPollWorker(ctx, [handler]);
    const ingest = startIngestWorker(ctx);
    try {
      await waitFor(async () => (await ctx.sources.get('bad'))?.state === 'stopped', 20_000, 'bad source stopped');
      await waitFor(async () => (await ctx.store.messages.count({ source: 'good' })) === 1, 20_000, 'good source message stored');
      await waitFor(async () => (await ctx.sources.get('good'))?.state === 'ok', 20_000, 'good source ok');
    } finally {
      await poll.close();
      await ingest.close();
    }
    const bad_ = await ctx.sources.get('bad');
    expect(bad_).toMatchObject({ kind: 'imap', state: 'stopped', fetched: 0 });
    expect(bad_?.lastError).toMatch(/IMAP login rejected for test at 127\.0\.0\.1/);
    expect(bad_?.lastError).not.toContain('wrong');
    const stored = await ctx.store.messages.list({ source: 'good' }, 10);
    expect(stored.items[0]).toMatchObject({ channel: 'email', text: 'Cannot login\n\nI cannot login, password reset is broken' });
    expect(stored.items[0]?.classification.complaint).toBe(true);
  });

  it('a missing mailbox is a clear, non-retryable error', async () => {
    const config = sourceConfig(plainDovecot, { mailboxes: ['Nope'] });
    await expect(handlerFor(service, [config]).poll({ source: 'support', mailbox: 'Nope' }, pollContext(service).ctx)).rejects.toMatchObject({
      code: 'ERR_SOURCE',
      retryable: false,
      message: 'mailbox "Nope" does not exist',
    });
  });
});
