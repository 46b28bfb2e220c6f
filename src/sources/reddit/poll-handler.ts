/**
 * The Reddit poll handler: one poll reads every feed of one configured app (each subreddit's new posts,
 * its new comments when asked, the search), newest first with `after`, down to the feed's cursor (the
 * newest item read, kept as a decimal id), at most `maxPagesPerPoll` pages per feed, each page enqueued
 * before the cursor moves past it. A first poll reads back `lookback` only.
 */
import { redditSourceSchema, type RedditSourceConfig } from '../../config/reddit.js';
import type { Metrics } from '../../platform/metrics.js';
import { sourcePollHandler, type SourcePollHandler } from '../source-poll-handler.js';
import type { PollContext } from '../poll.js';
import type { RateLimitInfo } from '../source-state.js';
import { emptyCounts, firstProblem, refuseWhileQuotaSpent, SocialApiError } from '../social/index.js';
import { feedWindow, parseFeedsCursor, sameFeedCursor, type FeedCursor, type FeedsCursor } from '../social/feed-cursor.js';
import { readFeed, type FeedItem } from '../social/feed-runner.js';
import { maxId } from '../twitter/snowflake.js';
import { z } from 'zod';
import { RedditClient } from './client.js';
import { childPosition, childToMessage, decimalToId } from './item-to-message.js';

/** Pages a first poll may read to cover its look-back (a listing goes back about 1000 items). */
const FIRST_POLL_PAGES = 10;

export interface RedditHandlerDeps {
  readonly authorKey: string;
  readonly metrics?: Pick<Metrics, 'rateLimitRemaining'>;
  /** Builds a source's client; default: fetch against the configured URLs. */
  readonly createClient?: (config: RedditSourceConfig) => RedditClient;
}

export interface RedditPollResult {
  readonly pages: number;
  readonly fetched: number;
  readonly skipped: number;
  readonly deadLettered: number;
  readonly complete: boolean;
  readonly cursor: FeedsCursor;
  readonly rateLimit: RateLimitInfo | null;
}

export type RedditPollHandler = SourcePollHandler<'reddit', RedditPollResult>;

interface Feed {
  readonly key: string;
  readonly path: string;
  readonly prefix: 't3' | 't1';
  readonly params: Readonly<Record<string, string>>;
}

export function redditFeeds(config: RedditSourceConfig): Feed[] {
  return [
    ...config.subreddits.map((s) => ({ key: `r/${s}/new`, path: `/r/${s}/new`, prefix: 't3' as const, params: {} })),
    ...(config.comments ? config.subreddits.map((s) => ({ key: `r/${s}/comments`, path: `/r/${s}/comments`, prefix: 't1' as const, params: {} })) : []),
    ...(config.search === undefined ? [] : [{ key: 'search', path: '/search', prefix: 't3' as const, params: { q: config.search, sort: 'new', type: 'link' } }]),
  ];
}

const listingSchema = z.object({ kind: z.literal('Listing'), data: z.object({ children: z.array(z.unknown()), after: z.string().nullable().optional() }) });

export function createRedditPollHandler(configs: readonly RedditSourceConfig[], deps: RedditHandlerDeps): RedditPollHandler {
  const clients = new Map<string, RedditClient>();

  async function run(config: RedditSourceConfig, ctx: PollContext): Promise<RedditPollResult> {
    const source = config.name;
    await refuseWhileQuotaSpent(ctx, source);
    let client = clients.get(source);
    if (!client) {
      client = deps.createClient?.(config) ?? new RedditClient(config, ctx.now);
      clients.set(source, client);
    }
    const stored = await ctx.state.getCursor<unknown>(source);
    const parsed = parseFeedsCursor(stored);
    if (stored !== null && parsed === null) ctx.log.warn({ source }, 'stored cursor unreadable; starting from the look-back');
    const feeds: Record<string, FeedCursor> = { ...(parsed?.feeds ?? {}) };
    const counts = emptyCounts();
    let pages = 0;
    let complete = true;
    let rateLimit: RateLimitInfo | null = null;
    const save = async (key: string, cursor: FeedCursor) => {
      if (sameFeedCursor(feeds[key], cursor)) return;
      feeds[key] = cursor;
      await ctx.state.setCursor(source, { feeds });
    };
    try {
      for (const feed of redditFeeds(config)) {
        if (ctx.signal.aborted || (rateLimit?.remaining === 0 && rateLimit.resetAt !== null && rateLimit.resetAt > ctx.now())) {
          complete = false;
          break;
        }
        const first = feeds[feed.key] === undefined;
        const start = ctx.now() - config.lookback;
        let newestListed: string | null = null;
        const result = await readFeed({
          ctx,
          source,
          window: feedWindow(feeds[feed.key] ?? null, '0'),
          maxPages: first ? Math.max(FIRST_POLL_PAGES, config.maxPagesPerPoll) : config.maxPagesPerPoll,
          counts,
          fetchPage: async (untilId) => {
            const params = { ...feed.params, limit: String(config.pageSize), raw_json: '1', ...(untilId === undefined ? {} : { after: `${feed.prefix}_${decimalToId(untilId)}` }) };
            const listing = await client.get(feed.path, params);
            const body = listingSchema.safeParse(listing.body);
            if (!body.success) throw new SocialApiError(source, `Reddit sent an unexpected response: ${firstProblem(body.error)}`, true);
            let children = body.data.data.children;
            let end = body.data.data.after === null || body.data.data.after === undefined;
            if (first) {
              // A first poll reads the look-back only: what is older marks the end.
              for (const c of children) newestListed = maxId(newestListed, childPosition(c));
              const recent = children.filter((c) => ((c as { data?: { created_utc?: unknown } } | null)?.data?.created_utc as number | undefined ?? Infinity) * 1000 >= start);
              end ||= recent.length < children.length;
              children = recent;
            }
            const items: FeedItem[] = children.map((c) => ({ position: childPosition(c), outcome: childToMessage(c, { source, config, authorKey: deps.authorKey, feed: feed.key }) }));
            return { items, end, rateLimit: listing.rateLimit };
          },
          save: (cursor) => save(feed.key, cursor),
        });
        // Nothing within the look-back: start after the newest item listed, not from the bottom of the listing.
        if (first && result.complete && result.cursor?.sinceId === '0' && newestListed !== null) await save(feed.key, { sinceId: newestListed });
        pages += result.pages;
        complete &&= result.complete;
        rateLimit = result.rateLimit ?? rateLimit;
      }
    } catch (error) {
      if (counts.fetched + counts.skipped + counts.deadLettered > 0) await ctx.state.addCounts(source, counts);
      throw error;
    }
    await ctx.state.recordSuccess(source, { now: ctx.now(), ...counts, rateLimit });
    if (rateLimit?.remaining != null) deps.metrics?.rateLimitRemaining.set({ source }, rateLimit.remaining);
    ctx.log.info({ source, pages, ...counts, complete }, 'reddit poll done');
    return { pages, ...counts, complete, cursor: { feeds }, rateLimit };
  }

  return sourcePollHandler({
    kind: 'reddit',
    configs: configs,
    schema: redditSourceSchema,
    everyMs: (c) => c.pollInterval,
    unknownSource: (source) => new SocialApiError(source, `no reddit source named "${source}" is configured`, false),
    idle: () => ({ pages: 0, fetched: 0, skipped: 0, deadLettered: 0, complete: false, cursor: { feeds: {} }, rateLimit: null }),
    run: run,
  });
}
