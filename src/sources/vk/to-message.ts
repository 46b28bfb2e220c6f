/**
 * One VK post or comment → one Message, or the reason it is skipped / dead-lettered. Pure: no IO, no clock.
 *
 * Ids: `vk:<owner_id>_<post_id>` for a post, `vk:<owner_id>_<post_id>_c<comment_id>` for a comment;
 * link `https://vk.com/wall<owner_id>_<post_id>` (`?reply=<comment_id>` for a comment). VK gives no
 * language: it is detected from the text. The author is a keyed hash of the VK id.
 */
import { detectLang } from '../../classify/language.js';
import type { Message } from '../../domain/message.js';
import { keyedHash } from '../../platform/hash.js';
import { MAX_TEXT_LENGTH } from '../../queues/message-schema.js';
import { commentSchema, firstIssue, postSchema, rawId } from './items.js';

export type VkOutcome =
  | { readonly kind: 'message'; readonly id: number; readonly date: number; readonly message: Message }
  | { readonly kind: 'skipped'; readonly id: number; readonly date: number | null; readonly reason: 'repost' | 'own-account' | 'ad' | 'empty' }
  | { readonly kind: 'malformed'; readonly id: number | null; readonly reason: string; readonly raw: unknown };

export interface VkItemContext {
  readonly source: string;
  readonly authorKey: string;
  /** VK ids whose items are skipped (the community as -id, staff). */
  readonly ownIds: ReadonlySet<number>;
  readonly excludeReposts: boolean;
}

/**
 * Text as the classifier should see it: no links, no mentions (`[id1|Name]`, `[club1|Name]`, `@name`,
 * `*name`), no `#` signs (the word stays), HTML entities VK escapes decoded, whitespace collapsed.
 *
 * @example cleanVkText('[club1|Скаймейл], почта не работает https://vk.cc/x #сбой') // 'почта не работает сбой'
 */
export function cleanVkText(text: string): string {
  return text
    .replace(/\[(?:id|club|public|event)\d+\|[^\]]*\]/gi, ' ')
    .replace(/\bhttps?:\/\/\S+/gi, ' ')
    .replace(/(^|[^\p{L}\p{N}_])[@*][A-Za-z0-9_.]{2,32}\b/gu, '$1 ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/(^|[^\p{L}\p{N}_&])#(?=[\p{L}\p{N}_])/gu, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The VK id of an author (a user, or a community as -id), hashed with the deployment's key. */
export function hashVkAuthor(fromId: number, key: string): string {
  return keyedHash('vk', key, String(fromId), 20);
}

const flag = (v: 0 | 1 | boolean | undefined) => v === 1 || v === true;

function message(ctx: VkItemContext, id: string, link: string, fromId: number, date: number, text: string, meta: Record<string, unknown>): Message {
  const clean = cleanVkText(text);
  return {
    id,
    channel: 'vk',
    source: ctx.source,
    author: hashVkAuthor(fromId, ctx.authorKey),
    text: clean.slice(0, MAX_TEXT_LENGTH),
    lang: detectLang(clean),
    createdAt: new Date(date * 1000).toISOString(),
    link,
    meta: { ...meta, rawText: text },
  };
}

export function postToMessage(raw: unknown, ctx: VkItemContext, via: 'search' | 'wall'): VkOutcome {
  const parsed = postSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'malformed', id: rawId(raw), reason: `malformed VK post: ${firstIssue(parsed.error)}`, raw };
  const p = parsed.data;
  if (ctx.ownIds.has(p.from_id)) return { kind: 'skipped', id: p.id, date: p.date, reason: 'own-account' };
  if (flag(p.marked_as_ads)) return { kind: 'skipped', id: p.id, date: p.date, reason: 'ad' };
  const repost = (p.copy_history?.length ?? 0) > 0 || p.post_type === 'copy';
  if (repost && ctx.excludeReposts && p.text.trim() === '') return { kind: 'skipped', id: p.id, date: p.date, reason: 'repost' };
  if (cleanVkText(p.text) === '') return { kind: 'skipped', id: p.id, date: p.date, reason: 'empty' };
  const key = `${p.owner_id}_${p.id}`;
  return {
    kind: 'message',
    id: p.id,
    date: p.date,
    message: message(ctx, `vk:${key}`, `https://vk.com/wall${key}`, p.from_id, p.date, p.text, { vkPost: key, via, ...(repost ? { repostWithText: true } : {}) }),
  };
}

export function commentToMessage(raw: unknown, ctx: VkItemContext, ownerId: number, postId: number): VkOutcome {
  const parsed = commentSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'malformed', id: rawId(raw), reason: `malformed VK comment: ${firstIssue(parsed.error)}`, raw };
  const c = parsed.data;
  if (ctx.ownIds.has(c.from_id)) return { kind: 'skipped', id: c.id, date: c.date, reason: 'own-account' };
  if (cleanVkText(c.text) === '') return { kind: 'skipped', id: c.id, date: c.date, reason: 'empty' };
  const key = `${ownerId}_${postId}`;
  return {
    kind: 'message',
    id: c.id,
    date: c.date,
    message: message(ctx, `vk:${key}_c${c.id}`, `https://vk.com/wall${key}?reply=${c.id}`, c.from_id, c.date, c.text, {
      vkPost: key,
      vkComment: c.id,
      via: 'comments',
      ...(c.reply_to_comment === undefined ? {} : { replyToComment: c.reply_to_comment }),
    }),
  };
}
