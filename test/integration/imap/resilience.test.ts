import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RadarError } from '../../../src/platform/errors.js';
import { imapCursorName, type ImapCursor } from '../../../src/sources/imap/poll-handler.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { mail, startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { handlerFor, pollContext, queuedIds, sourceConfig, startProxy, type Proxy } from './harness.js';

let dovecot: Dovecot;
let proxy: Proxy;
let service: TestService;

beforeAll(async () => {
  dovecot = await startDovecot();
  proxy = await startProxy(dovecot.port);
});
afterAll(async () => {
  await proxy?.close();
  await dovecot?.stop();
});
beforeEach(async () => {
  proxy.clear();
  service = await createTestService();
});
afterEach(async () => {
  await service.cleanup();
});

const body = (i: number) => `Message number ${i}. ${'The app is slow and the order is late. '.repeat(40)}`;
const numbered = (prefix: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => mail({ subject: `${prefix} ${from + k}`, messageId: `${prefix}-${from + k}@x`, body: body(from + k) }));

describe('IMAP poll: volume and failures', () => {
  it('a 1,000-message backlog arrives complete, in batches, exactly once', async () => {
    const mailbox = 'Backlog';
    await dovecot.append(numbered('backlog', 1, 1000), mailbox);
    const batches: number[] = [];
    const rec = pollContext(service, { beforeEnqueue: async (b) => void batches.push(b.length) });
    await handlerFor(service, [sourceConfig(dovecot, { mailboxes: [mailbox] })]).poll({ source: 'support', mailbox }, rec.ctx);
    expect(batches).toEqual([200, 200, 200, 200, 200]);
    const ids = await queuedIds(service);
    expect(new Set(ids).size).toBe(1000);
    expect(new Set(rec.enqueued.map((m) => m.meta?.messageId)).size).toBe(1000);
    expect(await service.ctx.sources.getCursor<ImapCursor>(imapCursorName('support', mailbox))).toMatchObject({ lastUid: 1000 });
  });

  it('Dovecot killed mid-fetch: the poll fails retryably; after a restart every message arrives exactly once', async () => {
    const mailbox = 'Killed';
    await dovecot.append(numbered('killed', 1, 300), mailbox);
    const config = sourceConfig(dovecot, { port: proxy.port, mailboxes: [mailbox], batchSize: 100 });
    // ~1.9 KB per message: the cut falls inside the second batch's FETCH response.
    proxy.onBytes(300_000, () => dovecot.kill());
    const rec = pollContext(service);
    const error = await handlerFor(service, [config]).poll({ source: 'support', mailbox }, rec.ctx).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(RadarError);
    expect((error as RadarError).retryable).toBe(true);
    const saved = await service.ctx.sources.getCursor<ImapCursor>(imapCursorName('support', mailbox));
    expect(saved?.lastUid).toBe(100); // only the batch that was queued
    expect(rec.enqueued).toHaveLength(100);

    await dovecot.restart();
    proxy.clear();
    await handlerFor(service, [config]).poll({ source: 'support', mailbox }, rec.ctx);
    const ids = await queuedIds(service);
    expect(ids).toHaveLength(300);
    expect(new Set(ids).size).toBe(300);
    expect(rec.enqueued.map((m) => m.meta?.messageId)).toEqual(Array.from({ length: 300 }, (_, i) => `<killed-${i + 1}@x>`));
  });

  it('a connection dropped in the middle of a batch is retried from the cursor: nothing lost, nothing doubled', async () => {
    const mailbox = 'Dropped';
    await dovecot.append(numbered('dropped', 1, 250), mailbox);
    const config = sourceConfig(dovecot, { port: proxy.port, mailboxes: [mailbox], batchSize: 100 });
    proxy.onBytes(proxy.relayed + 250_000, 'cut');
    const rec = pollContext(service);
    await expect(handlerFor(service, [config]).poll({ source: 'support', mailbox }, rec.ctx)).rejects.toMatchObject({ code: 'ERR_SOURCE', retryable: true });
    proxy.clear();
    await handlerFor(service, [config]).poll({ source: 'support', mailbox }, rec.ctx);
    expect(rec.enqueued.map((m) => m.meta?.messageId)).toEqual(Array.from({ length: 250 }, (_, i) => `<dropped-${i + 1}@x>`));
    expect(new Set(await queuedIds(service)).size).toBe(250);
  });

  it('a server that stalls mid-fetch hits the idle timeout and is retried', async () => {
    const mailbox = 'Stalled';
    await dovecot.append(numbered('stalled', 1, 50), mailbox);
    const config = sourceConfig(dovecot, { port: proxy.port, mailboxes: [mailbox], idleTimeout: '1s' });
    proxy.onBytes(proxy.relayed + 40_000, 'stall');
    const rec = pollContext(service);
    await expect(handlerFor(service, [config]).poll({ source: 'support', mailbox }, rec.ctx)).rejects.toMatchObject({ code: 'ERR_SOURCE', retryable: true });
    proxy.clear();
    await handlerFor(service, [config]).poll({ source: 'support', mailbox }, rec.ctx);
    expect(rec.enqueued).toHaveLength(50);
  });

  it('a 20 MB attachment is streamed: noted by name and size, memory stays bounded', async () => {
    const mailbox = 'Big';
    const attachment = 20 * 1024 * 1024;
    {
      const b64 = Buffer.alloc(attachment, 7).toString('base64').replace(/(.{76})/g, '$1\r\n');
      const raw = [
        'From: Big <big@example.com>',
        'Subject: Crash log attached',
        'Date: Mon, 02 Mar 2026 10:00:00 +0000',
        'Message-ID: <big-1@x>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="B"',
        '',
        '--B',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'The app crashes, log attached.',
        '--B',
        'Content-Type: application/octet-stream; name="crash.bin"',
        'Content-Disposition: attachment; filename="crash.bin"',
        'Content-Transfer-Encoding: base64',
        '',
        b64,
        '--B--',
        '',
      ].join('\r\n');
      await dovecot.append([Buffer.from(raw, 'latin1')], mailbox);
    }
    await dovecot.append([mail({ subject: 'After the big one', messageId: 'after-big@x' })], mailbox);

    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const baseline = used();
    const relayedBefore = proxy.relayed;
    let peak = baseline;
    // Live memory only: collect garbage before each sample (unread socket chunks are garbage, not held).
    const sampler = setInterval(() => {
      gc();
      peak = Math.max(peak, used());
    }, 100);
    const rec = pollContext(service);
    try {
      await handlerFor(service, [sourceConfig(dovecot, { port: proxy.port, mailboxes: [mailbox] })]).poll({ source: 'support', mailbox }, rec.ctx);
    } finally {
      clearInterval(sampler);
    }
    expect(rec.enqueued.map((m) => m.text)).toEqual(['Crash log attached\n\nThe app crashes, log attached.', 'After the big one\n\nMy order never arrived.']);
    const attachments = rec.enqueued[0]?.meta?.attachments as Array<{ name: string; size: number; type: string }>;
    expect(attachments).toMatchObject([{ name: 'crash.bin', type: 'application/octet-stream' }]);
    expect(Math.abs((attachments[0]?.size ?? 0) - attachment)).toBeLessThan(attachment / 1000); // estimated from the encoded size
    // The attachment was never downloaded: the whole poll moved less than 1 MB from the server.
    expect(proxy.relayed - relayedBefore).toBeLessThan(1024 * 1024);
    // Buffering the message would hold the 27 MB base64 source (and the 20 MB decoded file) at once.
    process.stderr.write(`imap 20 MB attachment: peak heap+buffers growth ${((peak - baseline) / 1048576).toFixed(1)} MB\n`);
    expect(peak - baseline).toBeLessThan(attachment / 2);
  });
});
