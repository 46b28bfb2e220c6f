/**
 * PURE: is this mail written by a machine (auto-reply, bounce, bulk / list mail)? Such mail is
 * skipped and counted, never classified as a complaint.
 */
import type { ParsedMail } from './parsed-mail.js';

export type AutomatedReason =
  | 'auto-submitted'
  | 'precedence'
  | 'x-autoreply'
  | 'mailer-daemon'
  | 'delivery-report'
  | 'auto-reply-subject';

const DAEMON_LOCAL_PARTS = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|no-?reply-?bounces?|bounces?)$/i;
const AUTO_SUBJECT =
  /^((automatic reply|auto[- ]?reply|auto[- ]?response|out of (the )?office( reply)?|undeliverable|автоответ|автоматический ответ|недоставленное сообщение)\s*:|(delivery status notification|mail delivery failed|mail delivery subsystem|undelivered mail returned to sender|returned mail:))/i;

/** Why the mail is automated, or null when a person wrote it. */
export function automatedReason(mail: Pick<ParsedMail, 'headers' | 'from' | 'subject'>): AutomatedReason | null {
  const h = mail.headers;
  const autoSubmitted = h['auto-submitted']?.trim().toLowerCase();
  if (autoSubmitted !== undefined && autoSubmitted !== '' && !autoSubmitted.startsWith('no')) return 'auto-submitted';
  const precedence = h.precedence?.trim().toLowerCase();
  if (precedence !== undefined && /^(bulk|junk|list|auto_reply)\b/.test(precedence)) return 'precedence';
  if (h['x-autoreply'] !== undefined || h['x-autorespond'] !== undefined || h['x-autoreply-from'] !== undefined) return 'x-autoreply';
  if (/^(yes|true|1)\b/i.test(h['x-auto-reply'] ?? '')) return 'x-autoreply';
  const local = mail.from?.address.split('@')[0] ?? '';
  if (DAEMON_LOCAL_PARTS.test(local)) return 'mailer-daemon';
  const contentType = (h['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('multipart/report') || h['x-failed-recipients'] !== undefined) return 'delivery-report';
  if (mail.subject !== null && AUTO_SUBJECT.test(mail.subject.trim())) return 'auto-reply-subject';
  return null;
}
