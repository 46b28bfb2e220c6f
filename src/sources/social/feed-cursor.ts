/**
 * The durable cursor of one newest-first feed whose items have ordered numeric ids (Mastodon status and
 * notification ids, Reddit fullnames read as base-36 numbers): the newest id whose predecessors are all
 * read (`sinceId`), and while a poll stopped early a backlog (`untilId`, `newestId`). The arithmetic is
 * the X source's (`nextCursor` in twitter/cursor.ts), which is written for any numeric id; this adds the
 * window of a feed that has no time horizon.
 */
import { nextCursor, parseCursor, type SearchWindow, type TwitterCursor } from '../twitter/cursor.js';
import { compareIds, maxId } from '../twitter/snowflake.js';

export type FeedCursor = TwitterCursor;
export type FeedWindow = SearchWindow;
export { nextCursor as nextFeedCursor, parseCursor as parseFeedCursor };

/** The window of one poll of a feed: from the stored cursor, or from `initialSinceId` (the look-back) on a first poll. */
export function feedWindow(cursor: FeedCursor | null, initialSinceId: string): FeedWindow {
  if (cursor === null) return { sinceId: initialSinceId, clamped: false };
  if (cursor.untilId !== undefined && cursor.newestId !== undefined) {
    if (compareIds(cursor.untilId, cursor.sinceId) <= 0) return { sinceId: maxId(cursor.newestId, cursor.sinceId) ?? cursor.sinceId, clamped: false };
    return { sinceId: cursor.sinceId, untilId: cursor.untilId, newestId: cursor.newestId, clamped: false };
  }
  return { sinceId: cursor.sinceId, clamped: false };
}

/** Cursors of several feeds of one source, by feed key (`tag:mailru`, `search`, `mentions`, `r/mailru/new`). */
export interface FeedsCursor {
  readonly feeds: Readonly<Record<string, FeedCursor>>;
}

export function parseFeedsCursor(value: unknown): FeedsCursor | null {
  if (typeof value !== 'object' || value === null) return null;
  const feeds = (value as { feeds?: unknown }).feeds;
  if (typeof feeds !== 'object' || feeds === null || Array.isArray(feeds)) return null;
  const out: Record<string, FeedCursor> = {};
  for (const [key, c] of Object.entries(feeds as Record<string, unknown>)) {
    const parsed = parseCursor(c);
    if (parsed !== null) out[key] = parsed;
  }
  return { feeds: out };
}

export function sameFeedCursor(a: FeedCursor | null | undefined, b: FeedCursor | null | undefined): boolean {
  return a?.sinceId === b?.sinceId && a?.untilId === b?.untilId && a?.newestId === b?.newestId;
}
