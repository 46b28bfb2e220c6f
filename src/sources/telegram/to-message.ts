/**
 * One Bot API update → one Message, or the reason it is skipped / dead-lettered. Pure: no IO, no clock.
 *
 * Ids: `telegram:<chat_id>:<message_id>`; an edit (`edited_message`) is a new revision
 * `telegram:<chat_id>:<message_id>:e<edit_date>` pointing at the first (`meta.revisionOf`). Links
 * `https://t.me/<chat username>/<message_id>` for a public chat, none for a private one. Language from
 * the text (Telegram gives only the user's app language, used when the text has no letters).
 */
import { z } from 'zod';
import { detectLang } from '../../classify/language.js';
import { LANGS, type Lang, type Message } from '../../domain/message.js';
import { keyedHash } from '../../platform/hash.js';
import { MAX_TEXT_LENGTH } from '../../queues/message-schema.js';

const chatSchema = z.object({ id: z.number().int(), type: z.string(), username: z.string().optional().catch(undefined) }).passthrough();

const messageSchema = z
  .object({
    message_id: z.number().int().positive(),
    date: z.number().int().positive(),
    chat: chatSchema,
    from: z.object({ id: z.number().int(), is_bot: z.boolean(), language_code: z.string().optional().catch(undefined) }).passthrough().optional(),
    sender_chat: z.object({ id: z.number().int() }).passthrough().optional().catch(undefined),
    text: z.string().optional(),
    caption: z.string().optional(),
    edit_date: z.number().int().positive().optional(),
    reply_to_message: z.object({ message_id: z.number().int() }).passthrough().optional().catch(undefined),
    message_thread_id: z.number().int().optional().catch(undefined),
    is_automatic_forward: z.boolean().optional().catch(undefined),
    forward_origin: z.unknown().optional(),
    forward_from: z.unknown().optional(),
    forward_from_chat: z.unknown().optional(),
  })
  .passthrough();

export const updateSchema = z.object({ update_id: z.number().int().nonnegative() }).passthrough();

export type TelegramOutcome =
  | { readonly kind: 'message'; readonly message: Message }
  | { readonly kind: 'skipped'; readonly reason: 'own-account' | 'bot' | 'repost' | 'other-chat' | 'empty' | 'edit' | 'not-a-message' }
  | { readonly kind: 'malformed'; readonly messageId: string | null; readonly reason: string };

export interface TelegramItemContext {
  readonly source: string;
  readonly authorKey: string;
  /** Chat id → configured username (or null): the chats read. */
  readonly chats: ReadonlyMap<number, string | null>;
  readonly ownUserIds: ReadonlySet<number>;
  readonly edits: boolean;
}

/**
 * Text as the classifier should see it: no links, no @mentions, no bot commands' `/`, no `#` signs (the
 * word stays), whitespace collapsed.
 *
 * @example cleanTelegramText('@skymail_bot почта не работает https://t.me/x #сбой') // 'почта не работает сбой'
 */
export function cleanTelegramText(text: string): string {
  return text
    .replace(/\bhttps?:\/\/\S+/gi, ' ')
    .replace(/\bt\.me\/\S+/gi, ' ')
    .replace(/(^|\s)\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{4,32})?(?=\s|$)/g, '$1 ')
    .replace(/(^|[^\p{L}\p{N}_])@[A-Za-z0-9_]{4,32}\b/gu, '$1 ')
    .replace(/(^|[^\p{L}\p{N}_&])#(?=[\p{L}\p{N}_])/gu, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

export function hashTelegramAuthor(userId: number, key: string): string {
  return keyedHash('tg', key, String(userId), 20);
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

function asLang(code: string | undefined): Lang | null {
  const base = code?.toLowerCase().split('-')[0];
  return (LANGS as readonly string[]).includes(base ?? '') ? (base as Lang) : null;
}

/** The update's message id when it can be read from a malformed update (for the dead letter). */
function looseId(raw: unknown): string | null {
  const m = (raw as { message?: unknown; edited_message?: unknown } | null);
  const msg = (m?.message ?? m?.edited_message) as { message_id?: unknown; chat?: { id?: unknown } } | undefined;
  return typeof msg?.message_id === 'number' && typeof msg.chat?.id === 'number' ? `telegram:${msg.chat.id}:${msg.message_id}` : null;
}

export function updateToMessage(raw: unknown, ctx: TelegramItemContext): TelegramOutcome {
  const update = raw as { message?: unknown; edited_message?: unknown };
  const edited = update.message === undefined && update.edited_message !== undefined;
  const body = edited ? update.edited_message : update.message;
  if (body === undefined) return { kind: 'skipped', reason: 'not-a-message' };
  const parsed = messageSchema.safeParse(body);
  if (!parsed.success) return { kind: 'malformed', messageId: looseId(raw), reason: `malformed Telegram ${edited ? 'edited_message' : 'message'}: ${firstIssue(parsed.error)}` };
  const m = parsed.data;
  if (!ctx.chats.has(m.chat.id)) return { kind: 'skipped', reason: 'other-chat' };
  if (edited && !ctx.edits) return { kind: 'skipped', reason: 'edit' };
  if (m.is_automatic_forward === true || m.forward_origin !== undefined || m.forward_from !== undefined || m.forward_from_chat !== undefined) return { kind: 'skipped', reason: 'repost' };
  // A post in the name of a chat (the linked channel, an anonymous admin): the service's own voice.
  if (m.sender_chat !== undefined) return { kind: 'skipped', reason: 'own-account' };
  if (m.from === undefined) return { kind: 'malformed', messageId: `telegram:${m.chat.id}:${m.message_id}`, reason: 'malformed Telegram message: from: missing in a group message' };
  if (m.from.is_bot) return { kind: 'skipped', reason: 'bot' };
  if (ctx.ownUserIds.has(m.from.id)) return { kind: 'skipped', reason: 'own-account' };
  const raw_ = m.text ?? m.caption ?? '';
  const clean = cleanTelegramText(raw_);
  if (clean === '') return { kind: 'skipped', reason: 'empty' };
  const base = `telegram:${m.chat.id}:${m.message_id}`;
  const revision = edited && m.edit_date !== undefined ? `${base}:e${m.edit_date}` : null;
  const username = m.chat.username ?? ctx.chats.get(m.chat.id) ?? null;
  const message: Message = {
    id: revision ?? base,
    channel: 'telegram',
    source: ctx.source,
    author: hashTelegramAuthor(m.from.id, ctx.authorKey),
    text: clean.slice(0, MAX_TEXT_LENGTH),
    lang: detectLang(clean) ?? asLang(m.from.language_code),
    createdAt: new Date((revision !== null ? (m.edit_date as number) : m.date) * 1000).toISOString(),
    link: username === null ? null : `https://t.me/${username}/${m.message_id}`,
    meta: {
      rawText: raw_,
      chatId: m.chat.id,
      messageId: m.message_id,
      ...(revision !== null ? { revisionOf: base, editDate: m.edit_date } : {}),
      ...(m.reply_to_message === undefined ? {} : { replyTo: m.reply_to_message.message_id }),
      ...(m.message_thread_id === undefined ? {} : { threadId: m.message_thread_id }),
    },
  };
  return { kind: 'message', message };
}
