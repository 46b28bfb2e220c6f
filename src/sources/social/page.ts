/**
 * What the social sources (Mastodon, Bluesky, Reddit) share: one item's outcome (a message, a skip with
 * its reason, or a malformed item to dead-letter), storing one page of outcomes (messages enqueued,
 * malformed items dead-lettered next to them, so a bad item never costs its neighbours), the text as
 * the classifier should see it, the message language, and the "quota known to be spent" guard.
 */
import { detectLang } from '../../classify/language.js';
import { LANGS, type Lang, type Message } from '../../domain/message.js';
import type { PollContext } from '../poll.js';

export type ItemOutcome =
  | { readonly kind: 'message'; readonly message: Message }
  | { readonly kind: 'skipped'; readonly reason: 'repost' | 'own-account' | 'language' | 'not-a-post' }
  | { readonly kind: 'malformed'; readonly messageId: string | null; readonly reason: string; readonly raw: unknown };

export interface PageCounts {
  fetched: number;
  skipped: number;
  deadLettered: number;
}

export const emptyCounts = (): PageCounts => ({ fetched: 0, skipped: 0, deadLettered: 0 });

/** JSON of a dead item, whatever it is (a cycle or a BigInt falls back to String). */
export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return String(value);
  }
}

/**
 * Enqueues the page's messages (one batch), then dead-letters its malformed items, and adds to `counts`.
 * The caller saves its cursor only after this resolves.
 */
export async function storeOutcomes(ctx: PollContext, source: string, outcomes: readonly ItemOutcome[], counts: PageCounts): Promise<void> {
  const messages: Message[] = [];
  for (const o of outcomes) {
    if (o.kind === 'message') messages.push(o.message);
    else if (o.kind === 'skipped') counts.skipped += 1;
  }
  if (messages.length > 0) await ctx.enqueue(messages);
  counts.fetched += messages.length;
  for (const o of outcomes) {
    if (o.kind !== 'malformed') continue;
    await ctx.deadLetter({ messageId: o.messageId, source, payload: safeJson(o.raw), reason: o.reason, attempts: 1 });
    counts.deadLettered += 1;
  }
}

/**
 * Text of a post as the classifier should see it: no URLs, no @mentions (`@user`, `@user@host`,
 * `@handle.bsky.social`, `u/name`), no `#` signs (the word stays), whitespace collapsed. The raw text
 * is kept in the message's meta.
 *
 * @example cleanSocialText('@mailru@mastodon.social почта не работает https://x.y/z #fail') // 'почта не работает fail'
 */
export function cleanSocialText(text: string): string {
  return text
    .replace(/\bhttps?:\/\/\S+/gi, ' ')
    .replace(/(^|[^\p{L}\p{N}_@/])@[A-Za-z0-9_][A-Za-z0-9_.-]*(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?/gu, '$1 ')
    .replace(/(^|[^\p{L}\p{N}_/])\/?u\/[A-Za-z0-9_-]{3,20}\b/gu, '$1 ')
    .replace(/(^|[^\p{L}\p{N}_&])[#＃](?=[\p{L}\p{N}_])/gu, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The message language: the one the network gives (`en`, `ru-RU`) when it is one we classify, none
 * when it names another language, and detected from the text when the network gives none.
 */
export function messageLang(declared: string | null | undefined, text: string): Lang | null {
  if (declared === null || declared === undefined || declared === '' || declared === 'und') return detectLang(text);
  const base = declared.toLowerCase().split(/[-_]/)[0] ?? '';
  return (LANGS as readonly string[]).includes(base) ? (base as Lang) : null;
}

/** Whether `declared` passes a `languages` filter (an undeclared language always passes). */
export function languageAllowed(declared: string | null | undefined, languages: readonly string[] | undefined): boolean {
  if (languages === undefined || declared === null || declared === undefined || declared === '' || declared === 'und') return true;
  return languages.includes(declared.toLowerCase().split(/[-_]/)[0] ?? '');
}

/** A finite number from a header value, or null. */
export function headerNumber(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export { refuseWhileQuotaSpent } from '../poll.js';
