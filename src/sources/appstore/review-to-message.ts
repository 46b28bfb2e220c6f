/**
 * PURE: one store review → one Message (channel `appstore`), or the reason it cannot be one.
 *
 * The id is `appstore:<source>:<review id>`: an edited review keeps its id (see the README on edits).
 * Rating, app version, device and country go into `meta` with the same names for both stores, so the
 * dashboard and the API filter them alike; what a store does not give is null, never guessed.
 * A review with a rating and no words is still a message (empty text): it counts in
 * `messages.appstore.low_rating` when it has 1 or 2 stars.
 */
import type { Lang, Message } from '../../domain/message.js';
import { LANGS } from '../../domain/message.js';
import { keyedHash } from '../../platform/hash.js';
import { MAX_TEXT_LENGTH } from '../../queues/message-schema.js';
import { appStoreReviewSchema, firstIssue, googlePlayReviewSchema, REVIEW_ID } from './reviews-page.js';

export type ReviewOutcome =
  | { readonly kind: 'message'; readonly id: string; readonly t: number; readonly message: Message }
  | { readonly kind: 'malformed'; readonly id: string | null; readonly t: number | null; readonly reason: string; readonly raw: unknown };

export interface ReviewContext {
  readonly source: string;
  /** Key of the author hash, so a hashed nickname cannot be reversed by hashing candidate names. */
  readonly authorKey: string;
}

/** What both stores put into `meta`. */
export interface ReviewMeta {
  readonly store: 'google-play' | 'app-store';
  readonly reviewId: string;
  /** Stars, 1–5. */
  readonly rating: number;
  readonly title: string | null;
  /** Version name as users see it (`1.4.2`); null for the App Store, whose reviews API gives none. */
  readonly appVersion: string | null;
  /** Google's version code; null for the App Store. */
  readonly appVersionCode: number | null;
  /** Google's device code name (`hammerhead`) and model; null for the App Store. */
  readonly device: string | null;
  readonly deviceModel: string | null;
  readonly osVersion: string | null;
  /** Apple's territory (ISO 3166-1 alpha-3, `USA`); null for Google Play, whose reviews carry none. */
  readonly country: string | null;
  readonly reviewerLanguage: string | null;
  /** When this version of the review was written: an edit moves it. */
  readonly revisedAt: string;
  /** Google's untranslated text when `translationLanguage` is set. */
  readonly originalText?: string;
}

/** Author as a keyed hash (store + nickname): the same person gives the same value, which does not identify them. */
export function hashReviewer(store: string, name: string, key: string): string {
  return keyedHash(`appstore:${store}`, key, name, 20);
}

function asLang(code: string | null | undefined): Lang | null {
  const base = code?.toLowerCase().split(/[-_]/)[0];
  return (LANGS as readonly string[]).includes(base ?? '') ? (base as Lang) : null;
}

function rawId(raw: unknown, field: string): string | null {
  const id = (raw as Record<string, unknown> | null)?.[field];
  return typeof id === 'string' && REVIEW_ID.test(id) ? id : null;
}

const joinText = (title: string | null, body: string | null) =>
  [title, body]
    .filter((p): p is string => p !== null && p.trim() !== '')
    .join('\n')
    .replace(/[ \t]+/g, ' ')
    .trim()
    .slice(0, MAX_TEXT_LENGTH);

/** Google writes `title\tbody` when the review has a title, `\tbody` when not. */
export function splitGoogleText(text: string): { title: string | null; body: string } {
  const tab = text.indexOf('\t');
  if (tab < 0) return { title: null, body: text.trim() };
  const title = text.slice(0, tab).trim();
  return { title: title === '' ? null : title, body: text.slice(tab + 1).trim() };
}

export function googlePlayReviewToMessage(raw: unknown, ctx: ReviewContext & { readonly packageName: string }): ReviewOutcome {
  const parsed = googlePlayReviewSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'malformed', id: rawId(raw, 'reviewId'), t: null, reason: `malformed Google Play review: ${firstIssue(parsed.error)}`, raw };
  const review = parsed.data;
  const user = review.comments.find((c) => c.userComment !== undefined)?.userComment;
  if (user === undefined) return { kind: 'malformed', id: review.reviewId, t: null, reason: 'malformed Google Play review: comments: no userComment', raw };
  const { title, body } = splitGoogleText(user.text);
  const revisedAt = new Date(user.lastModified).toISOString();
  const meta: ReviewMeta = {
    store: 'google-play',
    reviewId: review.reviewId,
    rating: user.starRating,
    title,
    appVersion: user.appVersionName ?? null,
    appVersionCode: user.appVersionCode ?? null,
    device: user.device ?? null,
    deviceModel: [user.deviceMetadata?.manufacturer, user.deviceMetadata?.productName].filter((p) => p !== undefined && p !== '').join(' ') || null,
    osVersion: user.androidOsVersion === undefined ? null : `Android API ${user.androidOsVersion}`,
    country: null,
    reviewerLanguage: user.reviewerLanguage ?? null,
    revisedAt,
    ...(user.originalText === undefined ? {} : { originalText: user.originalText }),
  };
  const message: Message = {
    id: `appstore:${ctx.source}:${review.reviewId}`,
    channel: 'appstore',
    source: ctx.source,
    author: review.authorName === undefined || review.authorName === '' ? null : hashReviewer('google-play', review.authorName, ctx.authorKey),
    text: joinText(title, body),
    // With translationLanguage the text is the translation; the reviewer's language then says nothing about it.
    lang: user.originalText === undefined ? asLang(user.reviewerLanguage) : null,
    createdAt: revisedAt,
    link: `https://play.google.com/store/apps/details?id=${encodeURIComponent(ctx.packageName)}&reviewId=${encodeURIComponent(review.reviewId)}`,
    meta: { ...meta },
  };
  return { kind: 'message', id: review.reviewId, t: user.lastModified, message };
}

export function appStoreReviewToMessage(raw: unknown, ctx: ReviewContext): ReviewOutcome {
  const parsed = appStoreReviewSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'malformed', id: rawId(raw, 'id'), t: null, reason: `malformed App Store review: ${firstIssue(parsed.error)}`, raw };
  const review = parsed.data;
  const a = review.attributes;
  const t = Date.parse(a.createdDate);
  const meta: ReviewMeta = {
    store: 'app-store',
    reviewId: review.id,
    rating: a.rating,
    title: a.title ?? null,
    appVersion: null,
    appVersionCode: null,
    device: null,
    deviceModel: null,
    osVersion: null,
    country: a.territory ?? null,
    reviewerLanguage: null,
    revisedAt: new Date(t).toISOString(),
  };
  const message: Message = {
    id: `appstore:${ctx.source}:${review.id}`,
    channel: 'appstore',
    source: ctx.source,
    author: a.reviewerNickname ? hashReviewer('app-store', a.reviewerNickname, ctx.authorKey) : null,
    text: joinText(a.title ?? null, a.body ?? null),
    lang: null,
    createdAt: new Date(t).toISOString(),
    link: null,
    meta: { ...meta },
  };
  return { kind: 'message', id: review.id, t, message };
}
