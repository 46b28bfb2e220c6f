/**
 * Telegram Bot API `sendMessage` in HTML parse mode. Every dynamic string is escaped (& < > and " in
 * attributes); a message is kept within 4096 characters by dropping examples, then shortening text —
 * never by cutting through a tag or an entity.
 */
import type { Notification } from '../alerting/notification.js';
import type { NotifierConfig } from '../config/alerting.js';
import { NotifyError } from './errors.js';
import { notificationParts } from './format.js';
import { postJson } from './http.js';
import type { Notifier, NotifierDeps } from './notifier.js';

type TelegramConfig = Extract<NotifierConfig, { type: 'telegram' }>;

export const TELEGRAM_LIMIT = 4096;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Longest prefix of `text` whose escaped form fits `budget` characters (with an ellipsis when cut). */
export function escapeWithin(text: string, budget: number): string {
  const full = escapeHtml(text);
  if (full.length <= budget) return full;
  let out = '';
  for (const ch of text) {
    const piece = escapeHtml(ch);
    if (out.length + piece.length + 1 > budget) break;
    out += piece;
  }
  return `${out}…`;
}

/** The HTML message, within `limit` characters. */
export function telegramHtml(n: Notification, limit = TELEGRAM_LIMIT): string {
  const p = notificationParts(n);
  const { t } = p.words;
  const head = [`<b>${escapeHtml(p.title)}</b>`, ...p.facts.map(escapeHtml)];
  if (p.risingTerms.length > 0) head.push(`${escapeHtml(t('Rising words:'))} ${p.risingTerms.map((x) => `<i>${escapeHtml(x)}</i>`).join(', ')}`);
  const tail: string[] = [];
  if (p.owner !== null) tail.push(`${escapeHtml(t('Owner:'))} <b>${escapeHtml(p.owner)}</b>`);
  const links = [
    p.ackUrl ? `<a href="${escapeHtml(p.ackUrl)}">${escapeHtml(t('Acknowledge'))}</a>` : null,
    p.dashboardUrl ? `<a href="${escapeHtml(p.dashboardUrl)}">${escapeHtml(t('Dashboard'))}</a>` : null,
  ].filter((x) => x !== null);
  if (links.length > 0) tail.push(links.join(' · '));
  const example = (x: (typeof p.examples)[number], budget = Number.POSITIVE_INFINITY) =>
    `• ${escapeWithin(x.text, budget)} <i>(${escapeHtml(x.channel)})</i>`;
  const assemble = (examples: string[]) =>
    [...head, ...(examples.length > 0 ? ['', `<b>${escapeHtml(t('Examples'))}</b>`, ...examples] : []), '', ...tail].join('\n');

  // Fit: all examples, then fewer, then shortened ones, then no examples and a shortened head.
  for (let k = p.examples.length; k >= 0; k--) {
    const html = assemble(p.examples.slice(0, k).map((x) => example(x)));
    if (html.length <= limit) return html;
  }
  if (p.examples.length > 0) {
    const first = p.examples[0];
    const room = limit - assemble([]).length - 40;
    if (first && room > 60) {
      const html = assemble([example(first, room)]);
      if (html.length <= limit) return html;
    }
  }
  const fixed = [`<b>${escapeWithin(p.title, 200)}</b>`, '', ...tail].join('\n');
  const room = limit - fixed.length - 1;
  const body = escapeWithin([...p.facts, p.risingTerms.length > 0 ? `${t('Rising words:')} ${p.risingTerms.join(', ')}` : ''].join('\n').trim(), Math.max(0, room));
  return [`<b>${escapeWithin(p.title, 200)}</b>`, body, '', ...tail].join('\n').slice(0, limit);
}

function retryAfterFromBody(text: string): number | null {
  try {
    const body = JSON.parse(text) as { parameters?: { retry_after?: unknown } };
    const s = body.parameters?.retry_after;
    return typeof s === 'number' ? s * 1000 : null;
  } catch {
    return null;
  }
}

export function createTelegramNotifier(config: TelegramConfig, deps: NotifierDeps): Notifier {
  const name = config.name ?? 'telegram';
  const url = `${config.apiUrl.replace(/\/+$/, '')}/bot${config.botToken}/sendMessage`;
  return {
    name,
    type: 'telegram',
    sendResolved: config.sendResolved,
    async send(n: Notification): Promise<void> {
      if (n.kind === 'resolved' && !config.sendResolved) return;
      const chatId = (config.toOwner ? n.owner?.telegramChatId : undefined) ?? config.chatId;
      if (chatId === undefined) {
        throw new NotifyError(name, `${name}: no chat to send to (owner has no telegramChatId and no chatId is set)`, { retryable: false });
      }
      const response = await postJson(
        url,
        { chat_id: chatId, text: telegramHtml(n), parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
        { notifier: name, timeoutMs: config.timeout, fetch: deps.fetch, clock: deps.clock, retryAfterFromBody },
      );
      // The Bot API answers 200 with {"ok": true, ...}; anything else is a permanent problem.
      let ok = false;
      try {
        ok = (JSON.parse(response.text) as { ok?: unknown }).ok === true;
      } catch {
        ok = false;
      }
      if (!ok) throw new NotifyError(name, `${name}: unexpected answer: ${response.text.slice(0, 200)}`, { retryable: false, status: response.status });
    },
  };
}
