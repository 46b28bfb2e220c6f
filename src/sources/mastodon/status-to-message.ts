/**
 * One Mastodon status (as masto hands it over: keys camelCased) → one Message, or why it is skipped or
 * dead-lettered. Pure: no IO, no clock.
 */
import { z } from 'zod';
import type { Message } from '../../domain/message.js';
import { keyedHash } from '../../platform/hash.js';
import type { MastodonSourceConfig } from '../../config/mastodon.js';
import { MAX_TEXT_LENGTH } from '../../queues/message-schema.js';
import { cleanSocialText, firstProblem, languageAllowed, messageLang, type ItemOutcome } from '../social/index.js';
import { htmlToText } from './html-text.js';

/** Mastodon ids are numeric (snowflake-like: milliseconds << 16). */
export const MASTODON_ID = /^[0-9]{1,20}$/;

const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/i);

export const statusSchema = z.object({
  id: z.string().regex(MASTODON_ID, 'must be a numeric id'),
  createdAt: z.string().refine((t) => Number.isFinite(Date.parse(t)), 'must be a time'),
  uri: z.string().min(1),
  url: z.string().nullable().optional(),
  content: z.string(),
  spoilerText: z.string().nullable().optional(),
  language: z.string().max(20).nullable().optional(),
  inReplyToId: z.string().nullable().optional(),
  reblog: z.unknown().optional(),
  account: z.object({ id: z.string().min(1), acct: z.string().min(1).max(400) }),
});
export type MastodonStatus = z.infer<typeof statusSchema>;

export interface StatusContext {
  readonly source: string;
  /** Host of the instance (`mastodon.social`): ids are per instance. */
  readonly host: string;
  readonly config: Pick<MastodonSourceConfig, 'excludeBoosts' | 'ownAccounts' | 'languages'>;
  readonly authorKey: string;
  /** Which feed it came from (`tag:mailru`, `search`, `mentions`), kept in meta. */
  readonly feed: string;
}

/** `user` → `user@host`; `user@other` stays: one spelling for an account wherever it is read. */
export function fullAcct(acct: string, host: string): string {
  const a = acct.replace(/^@/, '').toLowerCase();
  return a.includes('@') ? a : `${a}@${host.toLowerCase()}`;
}

/** The position (`id`) of a raw item when it has a usable one, even when the rest of it is broken. */
export function rawId(raw: unknown): string | null {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' && MASTODON_ID.test(id) ? id : null;
}

export function statusToMessage(raw: unknown, ctx: StatusContext): ItemOutcome {
  const parsed = statusSchema.safeParse(raw);
  if (!parsed.success) {
    const id = rawId(raw);
    return { kind: 'malformed', messageId: id === null ? null : `mastodon:${ctx.host}:${id}`, reason: `malformed status: ${firstProblem(parsed.error)}`, raw };
  }
  let status = parsed.data;
  if (status.reblog !== null && status.reblog !== undefined) {
    if (ctx.config.excludeBoosts) return { kind: 'skipped', reason: 'repost' };
    const inner = statusSchema.safeParse(status.reblog);
    if (!inner.success) return { kind: 'malformed', messageId: `mastodon:${ctx.host}:${status.id}`, reason: `malformed boosted status: ${firstProblem(inner.error)}`, raw };
    status = inner.data;
  }
  const acct = fullAcct(status.account.acct, ctx.host);
  const own = ctx.config.ownAccounts.map((a) => fullAcct(a, ctx.host));
  if (own.includes(acct)) return { kind: 'skipped', reason: 'own-account' };
  if (!languageAllowed(status.language, ctx.config.languages)) return { kind: 'skipped', reason: 'language' };

  const spoiler = status.spoilerText ? htmlToText(status.spoilerText) : '';
  const body = htmlToText(status.content);
  const rawText = spoiler === '' ? body : `${spoiler}\n\n${body}`;
  const text = cleanSocialText(rawText).slice(0, MAX_TEXT_LENGTH);
  const link = [status.url, status.uri].find((u): u is string => typeof u === 'string' && httpUrl.safeParse(u).success) ?? null;
  const message: Message = {
    id: `mastodon:${ctx.host}:${status.id}`,
    channel: 'mastodon',
    source: ctx.source,
    author: keyedHash('mastodon', ctx.authorKey, acct, 20),
    text,
    lang: messageLang(status.language, text),
    createdAt: new Date(status.createdAt).toISOString(),
    link,
    meta: {
      statusId: status.id,
      instance: ctx.host,
      feed: ctx.feed,
      rawText: rawText.slice(0, MAX_TEXT_LENGTH),
      ...(status.language ? { mastodonLang: status.language } : {}),
      ...(status.inReplyToId ? { inReplyToId: status.inReplyToId } : {}),
    },
  };
  return { kind: 'message', message };
}
