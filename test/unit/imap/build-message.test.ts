import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildMessage, dedupeKeyOf, hashSender, type BuildResult } from '../../../src/sources/imap/build-message.js';
import { parseMailBuffer } from '../../../src/sources/imap/parse-mail.js';
import { messageSchema } from '../../../src/queues/message-schema.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/mail');
const origin = { source: 'support', mailbox: 'INBOX', uidvalidity: 1700000000, uid: 7, internalDate: Date.parse('2026-03-20T00:00:00Z') };
const options = { authorSalt: 'test-salt', selfAddresses: new Set(['support@example.org']), now: Date.parse('2026-03-21T00:00:00Z') };

async function build(raw: Buffer | string): Promise<BuildResult> {
  const parsed = await parseMailBuffer(raw);
  if (parsed.mail === null) throw new Error(parsed.error ?? 'no mail');
  return buildMessage(parsed.mail, origin, options);
}
const fixture = (name: string) => build(readFileSync(join(FIXTURES, name)));

function message(result: BuildResult) {
  if (result.kind !== 'message') throw new Error(`expected a message, got ${result.kind}: ${'reason' in result ? result.reason : ''}`);
  return result.message;
}

describe('buildMessage on fixtures', () => {
  const cases: Array<[string, string]> = [
    ['koi8r.eml', 'Жалоба: заказ не пришёл\n\nЗдравствуйте!\nЗаказ 123 не пришёл, а деньги списали дважды.\nВерните деньги!'],
    ['cp1251-qp.eml', 'Ошибка оплаты\n\nДобрый день.\nПриложение вылетает при оплате картой, уже третий день.'],
    ['utf8-base64.eml', 'Refund not received\n\nHi,\nthe refund for order 77 still has not arrived.'],
    ['html-only.eml', 'Checkout broken — again\n\nThe checkout page shows an error 500 when I press Pay.'],
  ];
  it.each(cases)('%s → subject + cleaned body', async (file, text) => {
    const m = message(await fixture(file));
    expect(m.text).toBe(text);
    expect(messageSchema.safeParse(m).success).toBe(true);
  });

  it('builds the id, channel, hashed author, Message-ID and date', async () => {
    const m = message(await fixture('koi8r.eml'));
    expect(m).toMatchObject({
      id: 'imap:support:INBOX:1700000000:7',
      channel: 'email',
      source: 'support',
      author: hashSender('test-salt', 'ivan@example.ru'),
      lang: null,
      createdAt: '2026-03-12T08:00:00.000Z',
      link: null,
    });
    expect(m.meta).toMatchObject({ messageId: '<koi8r-1@example.ru>', mailbox: 'INBOX', uid: 7, uidvalidity: 1700000000 });
    expect(JSON.stringify(m)).not.toContain('ivan@example.ru');
  });

  it('keeps attachment names and sizes, not contents', async () => {
    const m = message(await fixture('html-only.eml'));
    expect(m.meta?.attachments).toEqual([{ name: 'screen.png', size: 70, type: 'image/png' }]);
    expect(m.meta?.htmlOnly).toBe(true);
    expect(JSON.stringify(m)).not.toContain('iVBOR');
  });

  const skipped: Array<[string, string]> = [
    ['auto-reply.eml', 'auto-submitted'],
    ['bounce.eml', 'mailer-daemon'],
  ];
  it.each(skipped)('%s is skipped (%s)', async (file, reason) => {
    expect(await fixture(file)).toMatchObject({ kind: 'skipped', reason });
  });

  it('multipart without boundary is malformed', async () => {
    expect(await fixture('malformed-no-boundary.eml')).toEqual({ kind: 'malformed', reason: 'multipart message without a boundary' });
  });
});

describe('buildMessage on small literal mails', () => {
  const head = (extra: string) => `From: A <a@example.com>\r\nSubject: Help\r\nDate: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <m1@x>\r\n${extra}\r\n`;
  const cases: Array<[string, string, Partial<{ kind: string; reason: string }>]> = [
    ['Precedence: bulk', head('Precedence: bulk\r\n') + 'news', { kind: 'skipped', reason: 'precedence' }],
    ['Precedence: junk', head('Precedence: junk\r\n') + 'x', { kind: 'skipped', reason: 'precedence' }],
    ['Precedence: list', head('Precedence: list\r\n') + 'x', { kind: 'skipped', reason: 'precedence' }],
    ['Auto-Submitted: no is a person', head('Auto-Submitted: no\r\n') + 'broken', { kind: 'message' }],
    ['X-Autoreply', head('X-Autoreply: yes\r\n') + 'away', { kind: 'skipped', reason: 'x-autoreply' }],
    ['postmaster', 'From: postmaster@mx.example\r\nSubject: failure\r\n\r\nx', { kind: 'skipped', reason: 'mailer-daemon' }],
    ['our own address', 'From: Support <Support@Example.org>\r\nSubject: Re: x\r\n\r\nWe fixed it', { kind: 'skipped', reason: 'self' }],
    ['nothing to read', 'From: a@example.com\r\nSubject: \r\n\r\n\r\n', { kind: 'skipped', reason: 'empty' }],
    ['garbage without headers', 'just some text\r\n', { kind: 'malformed' }],
    ['subject only', 'From: a@example.com\r\nSubject: App crashes\r\n\r\n', { kind: 'message' }],
  ];
  it.each(cases)('%s', async (_name, raw, expected) => {
    expect(await build(raw)).toMatchObject(expected);
  });

  it('a Date far in the future falls back to INTERNALDATE', async () => {
    const m = message(await build('From: a@example.com\r\nSubject: x\r\nDate: Mon, 01 Jan 2035 00:00:00 +0000\r\n\r\nbody'));
    expect(m.createdAt).toBe('2026-03-20T00:00:00.000Z');
  });

  it('no Date header → INTERNALDATE', async () => {
    const m = message(await build('From: a@example.com\r\nSubject: x\r\n\r\nbody'));
    expect(m.createdAt).toBe('2026-03-20T00:00:00.000Z');
  });

  it('text is cut to the schema limit', async () => {
    const m = message(await build(`From: a@example.com\r\nSubject: x\r\n\r\n${'word '.repeat(10_000)}`));
    expect(m.text.length).toBe(20_000);
  });
});

describe('hashSender and dedupeKeyOf', () => {
  it('hashes case-insensitively, salted, without the address', () => {
    const a = hashSender('s1', 'Ann@Example.com');
    expect(a).toBe(hashSender('s1', 'ann@example.com'));
    expect(a).not.toBe(hashSender('s2', 'ann@example.com'));
    expect(a).toMatch(/^mail:[0-9a-f]{32}$/);
  });
  it('uses the Message-ID, else a fingerprint', async () => {
    const withId = await parseMailBuffer('From: a@x\r\nMessage-ID: <abc@x>\r\nSubject: s\r\n\r\nb');
    const noId = await parseMailBuffer('From: a@x\r\nSubject: s\r\n\r\nb');
    expect(dedupeKeyOf(withId.mail!)).toBe('mid:abc@x');
    expect(dedupeKeyOf(noId.mail!)).toMatch(/^fp:[0-9a-f]{32}$/);
  });
});
