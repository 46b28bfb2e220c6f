import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { replyId } from '../../../src/sources/helpdesk/freshdesk-webhook.js';
import { jiraText, jiraTime } from '../../../src/sources/helpdesk/jira-webhook.js';
import { commentToMessage, type HelpdeskContext } from '../../../src/sources/helpdesk/message.js';
import { checkHubSignature, withinWindow } from '../../../src/sources/helpdesk/signature.js';
import { parseZendeskCursor, zendeskStart } from '../../../src/sources/helpdesk/zendesk-poll.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const ctx: HelpdeskContext = { source: 'desk', vendor: 'zendesk', url: 'https://acme.zendesk.com', authorKey: 'k'.repeat(32), now: NOW, maxFutureSkewMs: 600_000 };
const body = Buffer.from('{"a":1}');
const sig = (alg: 'sha1' | 'sha256', secret: string) => `${alg}=${createHmac(alg, secret).update(body).digest('hex')}`;

describe('checkHubSignature', () => {
  it.each([
    ['the right sha256', sig('sha256', 'secret-one'), 'sha256', { ok: true }],
    ['the second secret (rotation)', sig('sha256', 'secret-two'), 'sha256', { ok: true }],
    ['another secret', sig('sha256', 'secret-xxx'), 'sha256', { ok: false, reason: 'bad-signature' }],
    ['the wrong algorithm', sig('sha1', 'secret-one'), 'sha256', { ok: false, reason: 'bad-signature' }],
    ['a truncated signature', sig('sha256', 'secret-one').slice(0, 20), 'sha256', { ok: false, reason: 'bad-signature' }],
    ['no header', undefined, 'sha256', { ok: false, reason: 'missing-signature' }],
    ['garbage', 'sha256=zz', 'sha256', { ok: false, reason: 'bad-signature' }],
  ] as const)('%s', (_name, header, alg, verdict) => {
    expect(checkHubSignature(header, alg, ['secret-one', 'secret-two'], body)).toEqual(verdict);
  });

  it('windows are symmetric and refuse non-times', () => {
    expect(withinWindow(NOW - 300_000, NOW, 300_000)).toBe(true);
    expect(withinWindow(NOW + 300_001, NOW, 300_000)).toBe(false);
    expect(withinWindow(Number.NaN, NOW, 300_000)).toBe(false);
  });
});

describe('commentToMessage', () => {
  it('builds the stable id, hashes the author, converts HTML and cuts quoted history', () => {
    const out = commentToMessage({ ticketId: 7, commentId: 99, body: '<p>Broken again</p><blockquote>old</blockquote>', html: true, authorId: 42, createdAt: '2026-12-01T09:00:00Z', link: 'https://acme.zendesk.com/agent/tickets/7' }, ctx);
    expect(out).toMatchObject({ kind: 'message', message: { id: 'helpdesk:desk:7:99', channel: 'helpdesk', text: 'Broken again', createdAt: '2026-12-01T09:00:00.000Z', meta: { vendor: 'zendesk', ticketId: '7', commentId: '99' } } });
    expect(out.kind === 'message' && out.message.author).toMatch(/^hd:[0-9a-f]{24}$/);
  });

  it.each([
    ['a far-future time', { createdAt: '2027-06-01T00:00:00Z' }, /createdAt is more than 10 min in the future/],
    ['no time', { createdAt: '' }, /createdAt is not a date/],
    ['an id with a colon', { commentId: 'a:b' }, /is not an id/],
  ])('dead-letters %s', (_name, change, reason) => {
    const out = commentToMessage({ ticketId: 7, commentId: 99, body: 'x', html: false, createdAt: '2026-12-01T09:00:00Z', link: 'https://x.test/', ...change }, ctx);
    expect(out.kind).toBe('malformed');
    expect(out.kind === 'malformed' && out.reason).toMatch(reason);
  });

  it('skips an empty comment', () => {
    expect(commentToMessage({ ticketId: 7, commentId: 1, body: '  <p> </p>', html: true, createdAt: NOW, link: 'https://x.test/' }, ctx)).toEqual({ kind: 'skipped', reason: 'empty' });
  });
});

describe('vendor details', () => {
  it('reads Jira text from wiki markup and from an Atlassian document', () => {
    expect(jiraText('plain *wiki*')).toBe('plain *wiki*');
    expect(jiraText({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Mail ' }, { type: 'text', text: 'is down' }] }, { type: 'paragraph', content: [{ type: 'text', text: 'since 9' }] }] })).toBe('Mail is down\nsince 9');
    expect(jiraTime('2026-12-01T12:58:00.000+0300')).toBe(Date.parse('2026-12-01T09:58:00Z'));
  });

  it('gives a Freshdesk reply the same id for the same text', () => {
    expect(replyId(' same words ')).toBe(replyId('same words'));
    expect(replyId('same words')).not.toBe(replyId('other words'));
  });

  it('starts a Zendesk export at the cursor or the look-back, never less than a minute ago', () => {
    expect(zendeskStart(null, NOW, 3600_000)).toBe(NOW / 1000 - 3600);
    expect(zendeskStart({ startTime: NOW / 1000 - 10 }, NOW, 3600_000)).toBe(NOW / 1000 - 60);
    expect(parseZendeskCursor({ startTime: 12 })).toEqual({ startTime: 12 });
    expect(parseZendeskCursor({ startTime: 'x' })).toBeNull();
  });
});
