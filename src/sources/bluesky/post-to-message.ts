/**
 * One Bluesky PostView (from searchPosts) → one Message, or why it is skipped or dead-lettered.
 * Pure: no IO, no clock.
 */
import { z } from 'zod';
import type { Message } from '../../domain/message.js';
import { keyedHash } from '../../platform/hash.js';
import type { BlueskySourceConfig } from '../../config/bluesky.js';
import { MAX_TEXT_LENGTH } from '../../queues/message-schema.js';
import { cleanSocialText, firstProblem, languageAllowed, messageLang, type ItemOutcome } from '../social/index.js';

export const POST_URI = /^at:\/\/(did:[a-z]+:[A-Za-z0-9._:%-]{1,200})\/app\.bsky\.feed\.post\/([A-Za-z0-9._:~-]{1,100})$/;
const time = z.string().max(64).refine((t) => Number.isFinite(Date.parse(t)), 'must be a time');

export const postViewSchema = z.object({
  uri: z.string().regex(POST_URI, 'must be the at-uri of a post'),
  author: z.object({ did: z.string().min(1).max(300), handle: z.string().min(1).max(300) }),
  indexedAt: time,
  record: z.object({
    text: z.string().max(100_000),
    createdAt: time,
    langs: z.array(z.string().max(20)).max(10).optional(),
    reply: z.unknown().optional(),
  }),
});

/** The time searchPosts sorts and filters by: the earlier of createdAt and indexedAt (null when unreadable). */
export function sortAt(raw: unknown): number | null {
  const p = raw as { indexedAt?: unknown; record?: { createdAt?: unknown } } | null;
  const indexed = typeof p?.indexedAt === 'string' ? Date.parse(p.indexedAt) : Number.NaN;
  const created = typeof p?.record?.createdAt === 'string' ? Date.parse(p.record.createdAt) : Number.NaN;
  if (Number.isFinite(indexed) && Number.isFinite(created)) return Math.min(indexed, created);
  return Number.isFinite(indexed) ? indexed : null;
}

export function rawUri(raw: unknown): string | null {
  const uri = (raw as { uri?: unknown } | null)?.uri;
  return typeof uri === 'string' && POST_URI.test(uri) ? uri : null;
}

export interface PostContext {
  readonly source: string;
  readonly config: Pick<BlueskySourceConfig, 'ownAccounts' | 'languages'>;
  readonly authorKey: string;
}

const HANDLE = /^([A-Za-z0-9-]{1,63}\.)+[A-Za-z0-9-]{1,63}$/;

export function postToMessage(raw: unknown, ctx: PostContext): ItemOutcome {
  const parsed = postViewSchema.safeParse(raw);
  if (!parsed.success) {
    const uri = rawUri(raw);
    return { kind: 'malformed', messageId: uri === null ? null : `bluesky:${uri}`, reason: `malformed post: ${firstProblem(parsed.error)}`, raw };
  }
  const post = parsed.data;
  const handle = post.author.handle.toLowerCase();
  if (ctx.config.ownAccounts.includes(handle) || ctx.config.ownAccounts.includes(post.author.did.toLowerCase())) return { kind: 'skipped', reason: 'own-account' };
  const declared = post.record.langs?.[0];
  if (!languageAllowed(declared, ctx.config.languages)) return { kind: 'skipped', reason: 'language' };
  const rkey = POST_URI.exec(post.uri)?.[2] ?? '';
  const profile = HANDLE.test(handle) && handle !== 'handle.invalid' ? handle : post.author.did;
  const text = cleanSocialText(post.record.text).slice(0, MAX_TEXT_LENGTH);
  const message: Message = {
    id: `bluesky:${post.uri}`,
    channel: 'bluesky',
    source: ctx.source,
    author: keyedHash('bluesky', ctx.authorKey, post.author.did, 20),
    text,
    lang: messageLang(declared, text),
    createdAt: new Date(Math.min(Date.parse(post.record.createdAt), Date.parse(post.indexedAt))).toISOString(),
    link: `https://bsky.app/profile/${encodeURIComponent(profile)}/post/${encodeURIComponent(rkey)}`,
    meta: {
      uri: post.uri,
      rawText: post.record.text.slice(0, MAX_TEXT_LENGTH),
      indexedAt: post.indexedAt,
      ...(declared ? { blueskyLang: declared } : {}),
      ...(post.record.reply ? { reply: true } : {}),
    },
  };
  return { kind: 'message', message };
}
