import type { Classification } from '../domain/classification.js';
import type { Message } from '../domain/message.js';

/** Start of the bucket that `t` falls in. */
export function bucketStart(t: number, step: number): number {
  return Math.floor(t / step) * step;
}

export interface SeriesIncrement {
  readonly key: string;
  readonly t: number;
  readonly v: number;
}

/**
 * Is this a series the service counts itself (`messages…`, `complaints…`)? Such series cannot be
 * pushed, and a bucket with no row in them means zero, not "missing".
 */
export function isCounterSeries(key: string): boolean {
  return /^(complaints|messages)(\.|$)/.test(key);
}

/** The category of a `complaints.<category>` key (null for the total, channel and language series). */
export function categoryOfSeries(key: string): string | null {
  const m = /^complaints\.([^.]+)$/.exec(key);
  return m ? (m[1] as string) : null;
}

/** Series keys a message counts into. */
export const SERIES = {
  messages: 'messages',
  messagesByChannel: (channel: string) => `messages.channel.${channel}`,
  complaints: 'complaints',
  complaintsByCategory: (category: string) => `complaints.${category}`,
  complaintsByChannel: (channel: string) => `complaints.channel.${channel}`,
  complaintsByLang: (lang: string) => `complaints.lang.${lang}`,
  /** Store reviews with 1 or 2 stars, whatever their text says (or with no text at all). */
  lowRatingReviews: 'messages.appstore.low_rating',
} as const;

/** Stars at or below this make a store review count in `messages.appstore.low_rating`. */
export const LOW_RATING_MAX = 2;

/** The star rating of a store review (`meta.rating`, 1–5), or null for any other message. */
export function reviewRating(message: Message): number | null {
  if (message.channel !== 'appstore') return null;
  const rating = message.meta?.rating;
  return typeof rating === 'number' && Number.isInteger(rating) && rating >= 1 && rating <= 5 ? rating : null;
}

/**
 * PURE: the counter increments for a batch of newly stored messages, merged per (key, bucket):
 * `messages`, `messages.channel.<ch>`, and for complaints `complaints`, `complaints.<category>` (each
 * matched category), `complaints.channel.<ch>`, `complaints.lang.<lang>`; and for a store review of 1–2
 * stars `messages.appstore.low_rating`, independent of the classifier, so a bare low rating (no text,
 * nothing to classify) still counts.
 */
export function countIncrements(
  items: ReadonlyArray<{ readonly message: Message; readonly classification: Classification }>,
  step: number,
): SeriesIncrement[] {
  // In order of first appearance; found again by bucket, then key (a batch spans a few buckets: no
  // key-and-bucket string, and one object per increment, counted up in place).
  const merged: Array<{ readonly key: string; readonly t: number; v: number }> = [];
  const buckets = new Map<number, Map<string, { v: number }>>();
  let t = NaN;
  let bucket: Map<string, { v: number }> | undefined;
  const count = (key: string) => {
    const prev = bucket?.get(key);
    if (prev !== undefined) prev.v += 1;
    else {
      const inc = { key, t, v: 1 };
      bucket?.set(key, inc);
      merged.push(inc);
    }
  };
  for (const { message, classification } of items) {
    const at = bucketStart(Date.parse(message.createdAt), step);
    if (!Number.isFinite(at)) continue;
    if (at !== t) {
      t = at;
      bucket = buckets.get(t);
      if (bucket === undefined) buckets.set(t, (bucket = new Map()));
    }
    forEachSeriesKey(message, classification, count);
  }
  return merged;
}

/**
 * PURE: the series one newly stored message adds 1 to, in its bucket (see `countIncrements`, which
 * merges them per batch; PostgreSQL's one-statement ingest merges them in the statement).
 */
export function seriesKeysOf(message: Message, classification: Classification): string[] {
  const keys: string[] = [];
  forEachSeriesKey(message, classification, (key) => keys.push(key));
  return keys;
}

function forEachSeriesKey(message: Message, classification: Classification, visit: (key: string) => void): void {
  visit(SERIES.messages);
  visit(SERIES.messagesByChannel(message.channel));
  const rating = reviewRating(message);
  if (rating !== null && rating <= LOW_RATING_MAX) visit(SERIES.lowRatingReviews);
  if (!classification.complaint) return;
  visit(SERIES.complaints);
  visit(SERIES.complaintsByChannel(message.channel));
  const lang = message.lang ?? classification.lang;
  if (lang) visit(SERIES.complaintsByLang(lang));
  for (const category of classification.categories) visit(SERIES.complaintsByCategory(category.name));
}
