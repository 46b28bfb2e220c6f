/**
 * PURE: a parsed e-mail → the Message the pipeline classifies, or the reason it is skipped
 * (automated mail, our own reply, nothing to read) or malformed (kept aside as a dead letter).
 */
import { createHash } from 'node:crypto';
import { keyedHash } from '../../platform/hash.js';
import type { Message } from '../../domain/message.js';
import { MAX_TEXT_LENGTH } from '../../queues/message-schema.js';
import { automatedReason, type AutomatedReason } from './auto-reply.js';
import { cleanSubject, htmlToPlainText, stripQuotesAndSignature } from './clean-text.js';
import type { MailOrigin, ParsedMail } from './parsed-mail.js';

export interface BuildOptions {
  /** Secret salt of sender hashes (the same for every source, so one person hashes the same everywhere). */
  readonly authorSalt: string;
  /** Our own addresses, lower case. */
  readonly selfAddresses: ReadonlySet<string>;
  /** Epoch ms, used when the mail has neither a usable Date header nor an INTERNALDATE. */
  readonly now: number;
}

export type SkipReason = AutomatedReason | 'self' | 'empty';

export type BuildResult =
  | { readonly kind: 'message'; readonly message: Message; readonly dedupeKey: string }
  | { readonly kind: 'skipped'; readonly reason: SkipReason; readonly dedupeKey: string }
  | { readonly kind: 'malformed'; readonly reason: string };

/** Dates more than this far in the future are a sender's broken clock: the server's INTERNALDATE wins. */
const MAX_CLOCK_SKEW_MS = 24 * 3600 * 1000;

/**
 * The sender as a salted hash: HMAC-SHA256(salt, lower-cased address), hex, 32 characters
 * (128 bits). The plain address is never stored.
 *
 * @example hashSender('salt', 'Ann@Example.com') === hashSender('salt', 'ann@example.com')
 */
export function hashSender(salt: string, address: string): string {
  return keyedHash('mail', salt, address.trim().toLowerCase(), 32);
}

/** The message id the design fixes: `imap:<source>:<mailbox>:<uidvalidity>:<uid>`. */
export function imapMessageId(origin: Pick<MailOrigin, 'source' | 'mailbox' | 'uidvalidity' | 'uid'>): string {
  return `imap:${origin.source}:${origin.mailbox}:${origin.uidvalidity}:${origin.uid}`;
}

/**
 * What identifies the same mail across mailboxes and UIDVALIDITY changes: its Message-ID, or when it
 * has none a fingerprint of sender, date, subject and body.
 */
export function dedupeKeyOf(mail: ParsedMail): string {
  const id = mail.messageId?.trim().replace(/^<|>$/g, '');
  if (id) return `mid:${id}`;
  const fingerprint = createHash('sha256')
    .update([mail.from?.address.toLowerCase() ?? '', String(mail.date ?? ''), mail.subject ?? '', (mail.text ?? mail.html ?? '').slice(0, 2000)].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
  return `fp:${fingerprint}`;
}

/** Why the parsed mail is not a usable message at all, or null. */
export function malformedReason(mail: ParsedMail): string | null {
  const h = mail.headers;
  if (!('from' in h) && !('date' in h) && !('subject' in h) && !('message-id' in h) && !('content-type' in h)) {
    return 'no message headers (not an RFC 822 message)';
  }
  const contentType = h['content-type'];
  if (contentType !== undefined && /^\s*multipart\//i.test(contentType) && !/\bboundary\s*=/i.test(contentType)) {
    return 'multipart message without a boundary';
  }
  return null;
}

function bodyText(mail: ParsedMail): { text: string; fromHtml: boolean } {
  if (mail.text !== null && mail.text.trim() !== '') return { text: stripQuotesAndSignature(mail.text), fromHtml: false };
  if (mail.html !== null && mail.html.trim() !== '') return { text: stripQuotesAndSignature(htmlToPlainText(mail.html)), fromHtml: true };
  return { text: '', fromHtml: false };
}

function createdAt(mail: ParsedMail, origin: MailOrigin, now: number): number {
  const reference = origin.internalDate ?? now;
  if (mail.date !== null && mail.date > 0 && mail.date <= reference + MAX_CLOCK_SKEW_MS) return mail.date;
  return reference;
}

export function buildMessage(mail: ParsedMail, origin: MailOrigin, options: BuildOptions): BuildResult {
  const malformed = malformedReason(mail);
  if (malformed !== null) return { kind: 'malformed', reason: malformed };
  const dedupeKey = dedupeKeyOf(mail);
  const automated = automatedReason(mail);
  if (automated !== null) return { kind: 'skipped', reason: automated, dedupeKey };
  if (mail.from !== null && options.selfAddresses.has(mail.from.address.toLowerCase())) return { kind: 'skipped', reason: 'self', dedupeKey };

  const subject = mail.subject === null ? '' : cleanSubject(mail.subject);
  const body = bodyText(mail);
  if (subject === '' && body.text === '') return { kind: 'skipped', reason: 'empty', dedupeKey };
  const text = (subject === '' ? body.text : body.text === '' ? subject : `${subject}\n\n${body.text}`).slice(0, MAX_TEXT_LENGTH);

  const meta: Record<string, unknown> = {
    mailbox: origin.mailbox,
    uidvalidity: origin.uidvalidity,
    uid: origin.uid,
    messageId: mail.messageId,
  };
  if (mail.inReplyTo) meta.inReplyTo = mail.inReplyTo;
  if (body.fromHtml) meta.htmlOnly = true;
  if (mail.attachments.length > 0) {
    meta.attachments = mail.attachments.map((a) => ({ name: a.filename, size: a.size, type: a.contentType }));
  }
  const message: Message = {
    id: imapMessageId(origin),
    channel: 'email',
    source: origin.source,
    author: mail.from === null ? null : hashSender(options.authorSalt, mail.from.address),
    text,
    lang: null,
    createdAt: new Date(createdAt(mail, origin, options.now)).toISOString(),
    link: null,
    meta,
  };
  return { kind: 'message', message, dedupeKey };
}
