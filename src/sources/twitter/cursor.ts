/**
 * Where the next poll of a source starts. Pure: `now` is an argument.
 *
 * Normally the cursor is the newest tweet id seen (`sinceId`): the next poll asks for tweets after it.
 * When a poll stops before the last page (page cap, shutdown, quota spent), the tweets between
 * `sinceId` and the oldest one fetched are still to come: the cursor keeps them as a backlog
 * (`untilId`, and `newestId` to move to once the backlog is drained), so nothing is skipped.
 */
import { compareIds, idFromTime, idTime, maxId, TWEET_ID } from './snowflake.js';

export interface TwitterCursor {
  /** Newest tweet id whose predecessors are all fetched (or a synthetic id made from a time). */
  readonly sinceId: string;
  /** Set while a backlog remains: fetch tweets older than this (and newer than sinceId) first. */
  readonly untilId?: string;
  /** Set with untilId: the newest id already fetched, the next sinceId once the backlog is drained. */
  readonly newestId?: string;
}

/** The search window of one poll: exactly one of sinceId / startTime, and untilId for a backlog. */
export interface SearchWindow {
  readonly sinceId?: string;
  readonly startTime?: string;
  readonly untilId?: string;
  /** The newest id already fetched by an earlier poll of a backlog. */
  readonly newestId?: string;
  /** True when the stored cursor was older than X keeps (7 days) and was moved forward. */
  readonly clamped: boolean;
}

/** Recent search refuses `since_id` / `start_time` older than 7 days; keep a margin for the request's own delay. */
export const SEARCH_HORIZON_MS = 7 * 24 * 3600 * 1000 - 2 * 60 * 1000;

export function parseCursor(value: unknown): TwitterCursor | null {
  if (typeof value === 'string' && TWEET_ID.test(value)) return { sinceId: value };
  if (typeof value !== 'object' || value === null) return null;
  const c = value as Record<string, unknown>;
  if (typeof c.sinceId !== 'string' || !TWEET_ID.test(c.sinceId)) return null;
  if (typeof c.untilId === 'string' && TWEET_ID.test(c.untilId) && typeof c.newestId === 'string' && TWEET_ID.test(c.newestId)) {
    return { sinceId: c.sinceId, untilId: c.untilId, newestId: c.newestId };
  }
  return { sinceId: c.sinceId };
}

export function searchWindow(cursor: TwitterCursor | null, now: number, lookbackMs: number): SearchWindow {
  const horizon = now - SEARCH_HORIZON_MS;
  if (cursor === null) return { startTime: new Date(Math.max(now - lookbackMs, horizon)).toISOString(), clamped: false };
  const tooOld = idTime(cursor.sinceId) < horizon;
  const sinceId = tooOld ? idFromTime(horizon) : cursor.sinceId;
  if (cursor.untilId !== undefined && cursor.newestId !== undefined) {
    if (compareIds(cursor.untilId, sinceId) <= 0) return { sinceId: maxId(cursor.newestId, sinceId) ?? sinceId, clamped: tooOld }; // backlog aged out
    return { sinceId, untilId: cursor.untilId, newestId: cursor.newestId, clamped: tooOld };
  }
  return { sinceId, clamped: tooOld };
}

/**
 * The cursor after a poll of `window` that fetched tweets `newest..oldest` (null when none) and
 * either reached the last page (`complete`) or stopped early. Null: keep no cursor (first poll, nothing found).
 */
export function nextCursor(
  window: SearchWindow,
  fetched: { readonly newest: string | null; readonly oldest: string | null; readonly complete: boolean },
): TwitterCursor | null {
  const newest = maxId(window.newestId, fetched.newest);
  const since = window.sinceId ?? (window.startTime === undefined ? null : idFromTime(Date.parse(window.startTime)));
  if (fetched.complete || fetched.oldest === null) {
    if (!fetched.complete && window.untilId !== undefined) {
      // stopped before even one page of the backlog: keep it as it was
      return { sinceId: since ?? window.untilId, untilId: window.untilId, newestId: newest ?? window.untilId };
    }
    const next = maxId(newest, window.sinceId);
    return next === null ? null : { sinceId: next };
  }
  return { sinceId: since ?? '0', untilId: fetched.oldest, newestId: newest ?? fetched.oldest };
}
