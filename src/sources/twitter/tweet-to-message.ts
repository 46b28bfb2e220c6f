/**
 * One tweet → one Message, or the reason it is skipped / dead-lettered. Pure: no IO, no clock.
 */
import { LANGS, type Lang, type Message } from '../../domain/message.js';
import { keyedHash } from '../../platform/hash.js';
import type { TwitterSourceConfig } from '../../config/twitter.js';
import { MAX_TEXT_LENGTH } from '../../queues/message-schema.js';
import { cleanTweetText } from './clean-text.js';
import { firstIssue, tweetSchema, type Tweet } from './search-response.js';
import { idTime } from './snowflake.js';

export type TweetOutcome =
  | { readonly kind: 'message'; readonly id: string; readonly message: Message }
  | { readonly kind: 'skipped'; readonly id: string; readonly reason: 'retweet' | 'own-account' | 'language' }
  | { readonly kind: 'malformed'; readonly id: string | null; readonly reason: string; readonly raw: unknown };

export interface TweetContext {
  readonly source: string;
  readonly config: Pick<TwitterSourceConfig, 'excludeRetweets' | 'ownAccounts' | 'languages'>;
  /** author id → username, from `includes.users`. */
  readonly users: ReadonlyMap<string, string>;
  /** Key of the author hash (so a hashed author cannot be reversed by hashing every user id). */
  readonly authorKey: string;
}

/** The author id, hashed (keyed): the same person gives the same value, which does not identify them. */
export function hashAuthor(authorId: string, key: string): string {
  return keyedHash('x', key, authorId, 20);
}

function asLang(lang: string | undefined): Lang | null {
  const base = lang?.toLowerCase().split('-')[0];
  return (LANGS as readonly string[]).includes(base ?? '') ? (base as Lang) : null;
}

export function tweetToMessage(raw: unknown, ctx: TweetContext): TweetOutcome {
  const parsed = tweetSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof (raw as { id?: unknown } | null)?.id === 'string' ? ((raw as { id: string }).id) : null;
    return { kind: 'malformed', id: id !== null && /^[0-9]{1,20}$/.test(id) ? id : null, reason: `malformed tweet: ${firstIssue(parsed.error)}`, raw };
  }
  const tweet: Tweet = parsed.data;
  const refs = tweet.referenced_tweets ?? [];
  if (ctx.config.excludeRetweets && refs.some((r) => r.type === 'retweeted')) return { kind: 'skipped', id: tweet.id, reason: 'retweet' };
  const username = tweet.author_id === undefined ? undefined : ctx.users.get(tweet.author_id);
  if (username !== undefined && ctx.config.ownAccounts.includes(username.toLowerCase())) return { kind: 'skipped', id: tweet.id, reason: 'own-account' };
  const langs = ctx.config.languages;
  if (langs && tweet.lang !== undefined && tweet.lang !== 'und' && !langs.includes(tweet.lang.toLowerCase().split('-')[0] ?? '')) {
    return { kind: 'skipped', id: tweet.id, reason: 'language' };
  }
  const quoted = refs.find((r) => r.type === 'quoted')?.id;
  const repliedTo = refs.find((r) => r.type === 'replied_to')?.id;
  const message: Message = {
    id: `twitter:${tweet.id}`,
    channel: 'twitter',
    source: ctx.source,
    author: tweet.author_id === undefined ? null : hashAuthor(tweet.author_id, ctx.authorKey),
    text: cleanTweetText(tweet.text).slice(0, MAX_TEXT_LENGTH),
    lang: asLang(tweet.lang),
    createdAt: tweet.created_at === undefined ? new Date(idTime(tweet.id)).toISOString() : new Date(tweet.created_at).toISOString(),
    link: username === undefined ? `https://x.com/i/web/status/${tweet.id}` : `https://x.com/${username}/status/${tweet.id}`,
    meta: {
      tweetId: tweet.id,
      rawText: tweet.text,
      ...(tweet.lang === undefined ? {} : { xLang: tweet.lang }),
      ...(tweet.conversation_id === undefined ? {} : { conversationId: tweet.conversation_id }),
      ...(quoted === undefined ? {} : { quotedTweetId: quoted }),
      ...(repliedTo === undefined ? {} : { repliedToTweetId: repliedTo }),
    },
  };
  return { kind: 'message', id: tweet.id, message };
}
