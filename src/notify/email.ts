/**
 * E-mail over SMTP with nodemailer: to the owner (when they have an address) and the configured list.
 * SMTP 4xx and connection problems retry; 5xx and authentication failures do not.
 */
import nodemailer from 'nodemailer';
import type { Notification } from '../alerting/notification.js';
import type { NotifierConfig } from '../config/alerting.js';
import { NotifyError } from './errors.js';
import { notificationParts, plainText } from './format.js';
import type { Notifier, NotifierDeps } from './notifier.js';
import { escapeHtml } from './telegram.js';

type EmailConfig = Extract<NotifierConfig, { type: 'email' }>;

const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH']);

/** Classifies a nodemailer error. */
export function emailErrorRetryable(error: unknown): boolean {
  const e = error as { code?: string; responseCode?: number } | null;
  if (typeof e?.responseCode === 'number') return e.responseCode >= 400 && e.responseCode < 500;
  if (e?.code === 'EAUTH' || e?.code === 'ENOAUTH' || e?.code === 'EENVELOPE' || e?.code === 'EMESSAGE' || e?.code === 'ETLS') return false;
  return e?.code !== undefined && RETRYABLE_CODES.has(e.code);
}

export function emailHtml(n: Notification): string {
  const p = notificationParts(n);
  const { t } = p.words;
  const parts = [`<h2 style="margin:0 0 8px">${escapeHtml(p.title)}</h2>`, ...p.facts.map((f) => `<p style="margin:4px 0">${escapeHtml(f)}</p>`)];
  if (p.risingTerms.length > 0) parts.push(`<p>${escapeHtml(t('Rising words:'))} ${p.risingTerms.map((x) => `<b>${escapeHtml(x)}</b>`).join(', ')}</p>`);
  if (p.examples.length > 0) {
    parts.push(`<p>${escapeHtml(t('Examples:'))}</p><ul>`);
    for (const x of p.examples) parts.push(`<li>${escapeHtml(x.text)} <i>(${escapeHtml(x.channel)})</i></li>`);
    parts.push('</ul>');
  }
  if (p.owner !== null) parts.push(`<p>${escapeHtml(t('Owner:'))} <b>${escapeHtml(p.owner)}</b></p>`);
  const links = [
    p.ackUrl ? `<a href="${escapeHtml(p.ackUrl)}">${escapeHtml(t('Acknowledge'))}</a>` : null,
    p.dashboardUrl ? `<a href="${escapeHtml(p.dashboardUrl)}">${escapeHtml(t('Dashboard'))}</a>` : null,
  ].filter((x) => x !== null);
  if (links.length > 0) parts.push(`<p>${links.join(' · ')}</p>`);
  const lang = p.words.lang === 'en' ? '' : ` lang="${escapeHtml(p.words.lang)}"`;
  return `<!doctype html><html${lang}><body style="font-family:sans-serif">${parts.join('\n')}</body></html>`;
}

export function createEmailNotifier(config: EmailConfig, _deps: NotifierDeps): Notifier {
  const name = config.name ?? 'email';
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure ?? config.port === 465,
    auth: config.user !== undefined ? { user: config.user, pass: config.password ?? '' } : undefined,
    connectionTimeout: config.timeout,
    greetingTimeout: config.timeout,
    socketTimeout: config.timeout,
    tls: { rejectUnauthorized: config.rejectUnauthorized },
  });
  return {
    name,
    type: 'email',
    sendResolved: config.sendResolved,
    async send(n: Notification): Promise<void> {
      if (n.kind === 'resolved' && !config.sendResolved) return;
      const to = [...config.to];
      if (config.toOwner && n.owner?.email && !to.includes(n.owner.email)) to.unshift(n.owner.email);
      if (to.length === 0) throw new NotifyError(name, `${name}: no recipient (owner has no e-mail and \`to\` is empty)`, { retryable: false });
      try {
        await transport.sendMail({
          from: config.from,
          to,
          subject: n.title,
          text: plainText(notificationParts(n)),
          html: emailHtml(n),
          headers: { 'X-Radar-Alert': n.alert.id, 'X-Radar-Kind': n.kind },
          messageId: `<${n.key}@complaint-radar>`,
        });
      } catch (error) {
        const e = error as { code?: string; responseCode?: number; message?: string };
        throw new NotifyError(name, `${name}: SMTP failed: ${e.code ?? ''} ${e.responseCode ?? ''} ${(e.message ?? String(error)).slice(0, 200)}`.replace(/\s+/g, ' '), {
          retryable: emailErrorRetryable(error),
          status: e.responseCode ?? null,
          cause: error,
        });
      }
    },
    async close(): Promise<void> {
      transport.close();
    },
  };
}
