/**
 * What the social sources (Mastodon, Bluesky, Reddit) share: their items' skip reasons, the text as the
 * classifier should see it, the message language, and the "quota known to be spent" guard. Storing a
 * page of outcomes is every source's (`../item-outcome.ts`).
 */
import { detectLang } from '../../classify/language.js';
import { LANGS, type Lang } from '../../domain/message.js';
import type { ItemOutcome as SourceItemOutcome } from '../item-outcome.js';

/** Why a post is not read as a message. */
export type ItemOutcome = SourceItemOutcome<'repost' | 'own-account' | 'language' | 'not-a-post'>;

export { emptyCounts, storeOutcomes, type PageCounts } from '../item-outcome.js';

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
