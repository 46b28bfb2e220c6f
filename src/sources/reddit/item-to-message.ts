/**
 * One Reddit listing child (`{kind: t3 | t1, data}`) → one Message, or why it is skipped or
 * dead-lettered. Pure: no IO, no clock.
 */
import { z } from 'zod';
import type { Message } from '../../domain/message.js';
import { keyedHash } from '../../platform/hash.js';
import type { RedditSourceConfig } from '../../config/reddit.js';
import { MAX_TEXT_LENGTH } from '../../queues/message-schema.js';
import { cleanSocialText, firstProblem, languageAllowed, messageLang, type ItemOutcome } from '../social/index.js';

const BASE36 = /^[0-9a-z]{1,13}$/;

/** A Reddit id (base 36) as a decimal string: ids grow with time, so they order a listing. */
export function idToDecimal(id: string): string {
  let n = 0n;
  for (const c of id) n = n * 36n + BigInt(Number.parseInt(c, 36));
  return n.toString();
}

export function decimalToId(decimal: string): string {
  return BigInt(decimal).toString(36);
}

const dataSchema = z.object({
  id: z.string().regex(BASE36, 'must be a base-36 id'),
  name: z.string().regex(/^t[13]_[0-9a-z]{1,13}$/, 'must be a fullname'),
  author: z.string().min(1).max(100),
  author_fullname: z.string().max(100).optional(),
  permalink: z.string().regex(/^\/[^\s/][^\s]*$/, 'must be a path on reddit.com'),
  created_utc: z.number().finite().positive(),
  subreddit: z.string().max(100),
  title: z.string().optional(),
  selftext: z.string().optional(),
  body: z.string().optional(),
  crosspost_parent: z.string().nullable().optional(),
  link_id: z.string().optional(),
});

export const childSchema = z.object({ kind: z.enum(['t3', 't1']), data: dataSchema });

/** The position (decimal id) of a raw child when it has a usable id, even when the rest is broken. */
export function childPosition(raw: unknown): string | null {
  const id = (raw as { data?: { id?: unknown } } | null)?.data?.id;
  return typeof id === 'string' && BASE36.test(id) ? idToDecimal(id) : null;
}

export interface ChildContext {
  readonly source: string;
  readonly config: Pick<RedditSourceConfig, 'ownAccounts' | 'languages'>;
  readonly authorKey: string;
  readonly feed: string;
}

export function childToMessage(raw: unknown, ctx: ChildContext): ItemOutcome {
  const parsed = childSchema.safeParse(raw);
  if (!parsed.success) {
    const name = (raw as { data?: { name?: unknown } } | null)?.data?.name;
    return { kind: 'malformed', messageId: typeof name === 'string' && /^t[13]_[0-9a-z]{1,13}$/.test(name) ? `reddit:${name}` : null, reason: `malformed reddit item: ${firstProblem(parsed.error)}`, raw };
  }
  const { kind, data } = parsed.data;
  if (kind === 't3' && data.crosspost_parent) return { kind: 'skipped', reason: 'repost' };
  const deleted = data.author === '[deleted]';
  if (!deleted && ctx.config.ownAccounts.includes(data.author.toLowerCase())) return { kind: 'skipped', reason: 'own-account' };
  const rawText = kind === 't3' ? [data.title ?? '', data.selftext ?? ''].filter((t) => t !== '').join('\n\n') : (data.body ?? '');
  if (rawText === '' || rawText === '[removed]' || rawText === '[deleted]') return { kind: 'skipped', reason: 'not-a-post' };
  const text = cleanSocialText(rawText).slice(0, MAX_TEXT_LENGTH);
  const lang = messageLang(null, text);
  if (!languageAllowed(lang, ctx.config.languages)) return { kind: 'skipped', reason: 'language' };
  const message: Message = {
    id: `reddit:${data.name}`,
    channel: 'reddit',
    source: ctx.source,
    author: deleted ? null : keyedHash('reddit', ctx.authorKey, data.author_fullname ?? data.author.toLowerCase(), 20),
    text,
    lang,
    createdAt: new Date(data.created_utc * 1000).toISOString(),
    link: `https://www.reddit.com${data.permalink}`,
    meta: {
      fullname: data.name,
      subreddit: data.subreddit,
      feed: ctx.feed,
      rawText: rawText.slice(0, MAX_TEXT_LENGTH),
      ...(kind === 't1' && data.link_id ? { postFullname: data.link_id } : {}),
    },
  };
  return { kind: 'message', message };
}
