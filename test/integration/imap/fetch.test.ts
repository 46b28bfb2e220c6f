import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { imapCursorName, type ImapCursor } from '../../../src/sources/imap/poll-handler.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { mail, startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { handlerFor, pollContext, queuedIds, queuedMessages, sourceConfig } from './harness.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/mail');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

let dovecot: Dovecot;
let service: TestService;

beforeAll(async () => {
  dovecot = await startDovecot();
});
afterAll(async () => {
  await dovecot?.stop();
});
beforeEach(async () => {
  service = await createTestService();
});
afterEach(async () => {
  await service.cleanup();
});

describe('IMAP poll against Dovecot', () => {
  it('fetches new mail once, then only what arrived since', async () => {
    const mailbox = 'New1';
    await dovecot.append([mail({ subject: 'First', messageId: 'n1@x' }), mail({ subject: 'Second', messageId: 'n2@x' })], mailbox);
    const config = sourceConfig(dovecot, { mailboxes: [mailbox] });
    const handler = handlerFor(service, [config]);
    const rec = pollContext(service);

    await handler.poll({ source: 'support', mailbox }, rec.ctx);
    await handler.poll({ source: 'support', mailbox }, rec.ctx); // nothing new: nothing enqueued again
    expect(rec.enqueued.map((m) => m.text)).toEqual(['First\n\nMy order never arrived.', 'Second\n\nMy order never arrived.']);

    await dovecot.append([mail({ subject: 'Third', messageId: 'n3@x' })], mailbox);
    await handler.poll({ source: 'support', mailbox }, rec.ctx);
    expect(rec.enqueued.map((m) => m.text.split('\n')[0])).toEqual(['First', 'Second', 'Third']);
    const ids = await queuedIds(service);
    expect(ids).toHaveLength(3);
    expect(ids[0]).toMatch(/^imap:support:New1:\d+:1$/);

    const cursor = await service.ctx.sources.getCursor<ImapCursor>(imapCursorName('support', mailbox));
    expect(cursor).toMatchObject({ lastUid: 3 });
    const status = await service.ctx.sources.get('support');
    expect(status).toMatchObject({ state: 'ok', fetched: 3, cursor: { mailboxes: { New1: { lastUid: 3 } } } });
  });

  it('a new handler instance resumes from the cursor in Redis (restart)', async () => {
    const mailbox = 'Restart';
    await dovecot.append([mail({ messageId: 'r1@x' }), mail({ messageId: 'r2@x' })], mailbox);
    const config = sourceConfig(dovecot, { mailboxes: [mailbox] });
    const first = pollContext(service);
    await handlerFor(service, [config]).poll({ source: 'support', mailbox }, first.ctx);
    await dovecot.append([mail({ messageId: 'r3@x' })], mailbox);

    const second = pollContext(service);
    await handlerFor(service, [config]).poll({ source: 'support', mailbox }, second.ctx);
    expect(first.enqueued).toHaveLength(2);
    expect(second.enqueued.map((m) => m.meta?.messageId)).toEqual(['<r3@x>']);
    expect(await queuedIds(service)).toHaveLength(3);
  });

  it('UIDVALIDITY change (mailbox recreated) re-scans without duplicates', async () => {
    const mailbox = 'Recreated';
    const before = [mail({ messageId: 'u1@x' }), mail({ messageId: 'u2@x' })];
    await dovecot.append(before, mailbox);
    const config = sourceConfig(dovecot, { mailboxes: [mailbox] });
    const rec = pollContext(service);
    await handlerFor(service, [config]).poll({ source: 'support', mailbox }, rec.ctx);
    const old = await service.ctx.sources.getCursor<ImapCursor>(imapCursorName('support', mailbox));

    await dovecot.deleteMailbox(mailbox);
    await dovecot.append([...before, mail({ messageId: 'u3@x', subject: 'After recreate' })], mailbox);
    await handlerFor(service, [config]).poll({ source: 'support', mailbox }, rec.ctx);

    const now = await service.ctx.sources.getCursor<ImapCursor>(imapCursorName('support', mailbox));
    expect(now?.uidvalidity).not.toBe(old?.uidvalidity);
    expect(now).toEqual({ uidvalidity: now?.uidvalidity, lastUid: 3 });
    expect(rec.enqueued.map((m) => m.meta?.messageId)).toEqual(['<u1@x>', '<u2@x>', '<u3@x>']);
    expect(await queuedIds(service)).toHaveLength(3);
    expect((await service.ctx.sources.get('support'))?.skipped).toBe(2);
  });

  it('decodes KOI8-R, windows-1251, base64, HTML-only; skips auto-replies and bounces; dead-letters malformed MIME and goes on', async () => {
    const mailbox = 'Charsets';
    await dovecot.append(
      ['koi8r.eml', 'cp1251-qp.eml', 'auto-reply.eml', 'malformed-no-boundary.eml', 'utf8-base64.eml', 'bounce.eml', 'html-only.eml'].map(fixture),
      mailbox,
    );
    const rec = pollContext(service);
    await handlerFor(service, [sourceConfig(dovecot, { mailboxes: [mailbox] })]).poll({ source: 'support', mailbox }, rec.ctx);

    const texts = (await queuedMessages(service)).map((m) => m.text.split('\n')[0]);
    expect(texts).toEqual(['Жалоба: заказ не пришёл', 'Ошибка оплаты', 'Refund not received', 'Checkout broken — again']);
    const koi = rec.enqueued[0];
    expect(koi?.text).toContain('Заказ 123 не пришёл, а деньги списали дважды.');
    expect(koi?.text).not.toContain('Ваш заказ отправлен'); // quoted reply stripped
    expect(koi?.text).not.toContain('Иван Петров'); // signature stripped

    const letters = await service.ctx.store.deadLetters.list();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ queue: 'poll', source: 'support', reason: 'malformed mail: multipart message without a boundary' });
    expect(letters[0]?.messageId).toMatch(/^imap:support:Charsets:\d+:4$/);
    expect(JSON.parse(letters[0]?.payload ?? '{}')).toMatchObject({ uid: 4, encoding: 'utf8', truncated: false });
    expect(JSON.parse(letters[0]?.payload ?? '{}').raw).toContain('this is not multipart at all');

    const status = await service.ctx.sources.get('support');
    expect(status).toMatchObject({ state: 'ok', fetched: 4, skipped: 2, deadLettered: 1 });
    expect(await service.ctx.sources.getCursor<ImapCursor>(imapCursorName('support', mailbox))).toMatchObject({ lastUid: 7 });
  });

  it('backfill: the first poll reads only recent mail; later polls read everything new', async () => {
    const mailbox = 'Backfill';
    await dovecot.append([mail({ subject: 'Old 1', messageId: 'old1@x' }), mail({ subject: 'Old 2', messageId: 'old2@x' })], mailbox, { internalDate: new Date('2020-01-01T00:00:00Z') });
    await dovecot.append([mail({ subject: 'Recent', messageId: 'recent1@x' })], mailbox);
    const empty = 'BackfillEmpty';
    await dovecot.append([mail({ subject: 'Old 3', messageId: 'old3@x' })], empty, { internalDate: new Date('2020-01-01T00:00:00Z') });
    const config = sourceConfig(dovecot, { mailboxes: [mailbox, empty], backfill: '14d' });
    const handler = handlerFor(service, [config]);
    const rec = pollContext(service);
    await handler.poll({ source: 'support', mailbox }, rec.ctx);
    await handler.poll({ source: 'support', mailbox: empty }, rec.ctx);
    expect(rec.enqueued.map((m) => m.text.split('\n')[0])).toEqual(['Recent']);
    expect(await service.ctx.sources.getCursor<ImapCursor>(imapCursorName('support', empty))).toMatchObject({ lastUid: 1 });

    await dovecot.append([mail({ subject: 'New', messageId: 'new1@x' })], empty);
    await handler.poll({ source: 'support', mailbox: empty }, rec.ctx);
    expect(rec.enqueued.map((m) => m.text.split('\n')[0])).toEqual(['Recent', 'New']);
  });

  it.each([
    ['read-only by default: \\Seen is not set', 'ReadOnly', false, [1]],
    ['markSeen: true sets \\Seen', 'MarkSeen', true, []],
  ] as const)('%s', async (_name, mailbox, markSeen, expectedUnseen) => {
    await dovecot.append([mail({ messageId: `${mailbox}@x` })], mailbox);
    await handlerFor(service, [sourceConfig(dovecot, { mailboxes: [mailbox], markSeen })]).poll({ source: 'support', mailbox }, pollContext(service).ctx);
    const { default: Imap } = await import('imap');
    const conn = new Imap({ user: dovecot.user, password: dovecot.password, host: dovecot.host, port: dovecot.port, keepalive: false });
    await new Promise<void>((resolve, reject) => {
      conn.once('ready', () => resolve());
      conn.once('error', reject);
      conn.connect();
    });
    const unseen = await new Promise<number[]>((resolve, reject) =>
      conn.openBox(mailbox, true, (e) => (e ? reject(e) : conn.search(['UNSEEN'], (err, uids) => (err ? reject(err) : resolve(uids))))),
    );
    conn.end();
    expect(unseen).toEqual(expectedUnseen);
  });
});
