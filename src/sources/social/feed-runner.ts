/**
 * One poll of one newest-first feed with ordered numeric ids (Mastodon timelines, Reddit listings): the
 * first page holds the newest items after the cursor, each next page the items below the oldest one read,
 * until the cursor's id is reached, the feed ends, the page cap or the quota stops it. Every page is
 * enqueued (and its malformed items dead-lettered) before the cursor moves past it; a poll that stops
 * early leaves a backlog cursor, so the next poll reads what is left before anything newer is skipped.
 */
import type { PollContext } from '../poll.js';
import type { RateLimitInfo } from '../source-state.js';
import { compareIds, maxId, minId } from '../twitter/snowflake.js';
import { nextFeedCursor, type FeedCursor, type FeedWindow } from './feed-cursor.js';
import { storeOutcomes, type ItemOutcome, type PageCounts } from './page.js';

export interface FeedItem {
  /** The item's position in the feed (a decimal id), null when the item is too broken to have one. */
  readonly position: string | null;
  readonly outcome: ItemOutcome;
}

export interface FeedPage {
  readonly items: readonly FeedItem[];
  /** The feed has nothing below this page. */
  readonly end: boolean;
  readonly rateLimit?: RateLimitInfo | null;
}

export interface FeedRun {
  readonly pages: number;
  readonly complete: boolean;
  readonly cursor: FeedCursor | null;
  readonly rateLimit: RateLimitInfo | null;
}

export async function readFeed(options: {
  readonly ctx: PollContext;
  readonly source: string;
  readonly window: FeedWindow;
  readonly maxPages: number;
  readonly counts: PageCounts;
  /** Fetches the page below `untilId` (exclusive; none: the newest page) and after `window.sinceId`. */
  readonly fetchPage: (untilId: string | undefined) => Promise<FeedPage>;
  /** Saves the feed's cursor (called after every stored page). */
  readonly save: (cursor: FeedCursor) => Promise<void>;
}): Promise<FeedRun> {
  const { ctx, source, window, counts } = options;
  const since = window.sinceId ?? '0';
  let newest: string | null = null;
  let oldest: string | null = null;
  let pages = 0;
  let complete = false;
  let rateLimit: RateLimitInfo | null = null;
  for (;;) {
    const page = await options.fetchPage(oldest ?? window.untilId);
    pages += 1;
    rateLimit = page.rateLimit ?? rateLimit;
    const fresh = page.items.filter((i) => i.position === null || compareIds(i.position, since) > 0);
    const reachedSince = fresh.length < page.items.length;
    for (const item of fresh) {
      if (item.position === null) continue;
      newest = maxId(newest, item.position);
      oldest = minId(oldest, item.position);
    }
    await storeOutcomes(ctx, source, fresh.map((i) => i.outcome), counts);
    const progressed = fresh.some((i) => i.position !== null);
    if (page.end || reachedSince || !progressed) {
      complete = true;
      break;
    }
    const partial = nextFeedCursor(window, { newest, oldest, complete: false });
    if (partial !== null) await options.save(partial);
    if (pages >= options.maxPages) {
      ctx.log.info({ source, pages }, 'page cap reached; the rest follows in the next polls');
      break;
    }
    if (ctx.signal.aborted) break;
    if (rateLimit?.remaining === 0 && rateLimit.resetAt !== null && rateLimit.resetAt > ctx.now()) {
      ctx.log.info({ source, resetAt: new Date(rateLimit.resetAt).toISOString() }, 'quota spent; the rest follows after the reset');
      break;
    }
  }
  const cursor = nextFeedCursor(window, { newest, oldest, complete });
  if (cursor !== null) await options.save(cursor);
  return { pages, complete, cursor, rateLimit };
}
