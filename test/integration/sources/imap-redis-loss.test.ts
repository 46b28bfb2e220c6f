/**
 * A mailbox after Redis lost every key (a Redis restarted empty, without its seen-ids either): the
 * next poll resumes from the cursor in the database and fetches only mail that arrived since, never
 * the whole mailbox again.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { imapCursorName, type ImapCursor } from '../../../src/sources/imap/poll-handler.js';
import { mail, startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { handlerFor, pollContext, sourceConfig } from '../imap/harness.js';

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

describe('IMAP after Redis lost every key', () => {
  it('resumes from the database cursor: only the new mail is fetched', async () => {
    const mailbox = 'RedisLoss';
    await dovecot.append([mail({ subject: 'One', messageId: 'l1@x' }), mail({ subject: 'Two', messageId: 'l2@x' }), mail({ subject: 'Three', messageId: 'l3@x' })], mailbox);
    const config = sourceConfig(dovecot, { mailboxes: [mailbox] });
    const first = pollContext(service);
    await handlerFor(service, [config]).poll({ source: 'support', mailbox }, first.ctx);
    expect(first.enqueued).toHaveLength(3);

    const keys = await service.ctx.redis.keys(`*${service.prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    await service.ctx.redis.del(...keys);
    await dovecot.append([mail({ subject: 'Four', messageId: 'l4@x' })], mailbox);

    const second = pollContext(service);
    await handlerFor(service, [config]).poll({ source: 'support', mailbox }, second.ctx);
    expect(second.enqueued.map((m) => m.text.split('\n')[0])).toEqual(['Four']);
    expect(await service.ctx.sources.getCursor<ImapCursor>(imapCursorName('support', mailbox))).toMatchObject({ lastUid: 4 });
    expect(await service.ctx.sources.get('support')).toMatchObject({ state: 'ok', fetched: 4, cursor: { mailboxes: { [mailbox]: { lastUid: 4 } } } });
  });
});
