/**
 * The Mastodon poll handler: one poll reads every feed of one configured instance (each hashtag
 * timeline, the search, the mentions), newest first with `since_id` / `max_id`, at most
 * `maxPagesPerPoll` pages per feed, each page enqueued before the feed's cursor moves past it. The
 * source's cursor holds one feed cursor per feed (`{feeds: {"tag:mailru": {sinceId}}}`).
 */
import { createRestAPIClient, type mastodon } from 'masto';
import { mastodonSourceSchema, type MastodonSourceConfig } from '../../config/mastodon.js';
import type { Metrics } from '../../platform/metrics.js';
import { clientPerSource } from '../client-per-source.js';
import { sourcePollHandler, type SourcePollHandler } from '../source-poll-handler.js';
import type { PollContext } from '../poll.js';
import type { RateLimitInfo } from '../source-state.js';
import { emptyCounts, refuseWhileQuotaSpent, SocialApiError, type ItemOutcome } from '../social/index.js';
import { feedWindow, parseFeedsCursor, sameFeedCursor, type FeedCursor, type FeedsCursor } from '../social/feed-cursor.js';
import { readFeed, type FeedItem } from '../social/feed-runner.js';
import { mapMastodonError } from './errors.js';
import { rawId, statusToMessage } from './status-to-message.js';

export interface MastodonHandlerDeps {
  /** Key of the author hash: the deployment's author key (`ServiceContext.authorKey`). */
  readonly authorKey: string;
  readonly metrics?: Pick<Metrics, 'rateLimitRemaining'>;
}

export interface MastodonPollResult {
  readonly pages: number;
  readonly fetched: number;
  readonly skipped: number;
  readonly deadLettered: number;
  /** Every feed read to its cursor. */
  readonly complete: boolean;
  readonly cursor: FeedsCursor;
}

export type MastodonPollHandler = SourcePollHandler<'mastodon', MastodonPollResult>;

type Feed = { readonly key: string; readonly kind: 'tag'; readonly tag: string } | { readonly key: string; readonly kind: 'search' | 'mentions' };

export function mastodonFeeds(config: MastodonSourceConfig): Feed[] {
  return [
    ...config.hashtags.map((tag) => ({ key: `tag:${tag}`, kind: 'tag' as const, tag })),
    ...(config.search === undefined ? [] : [{ key: 'search', kind: 'search' as const }]),
    ...(config.mentions ? [{ key: 'mentions', kind: 'mentions' as const }] : []),
  ];
}

/** The smallest Mastodon id of a status created at `ms` (ids are milliseconds << 16). */
export function mastodonIdFromTime(ms: number): string {
  return (BigInt(Math.max(0, Math.floor(ms))) << 16n).toString();
}

export function createMastodonClient(config: Pick<MastodonSourceConfig, 'instance' | 'accessToken' | 'requestTimeout'>): mastodon.rest.Client {
  return createRestAPIClient({
    url: config.instance,
    ...(config.accessToken === undefined ? {} : { accessToken: config.accessToken }),
    timeout: config.requestTimeout,
    log: 'error',
  });
}

export function createMastodonPollHandler(configs: readonly MastodonSourceConfig[], deps: MastodonHandlerDeps): MastodonPollHandler {

  const clientOf = clientPerSource((config: MastodonSourceConfig) => createMastodonClient(config));

  async function fetchRaw(client: mastodon.rest.Client, config: MastodonSourceConfig, feed: Feed, sinceId: string, maxId: string | undefined): Promise<unknown[]> {
    const paging = { sinceId, limit: config.pageSize, ...(maxId === undefined ? {} : { maxId }) };
    let result: unknown;
    if (feed.kind === 'tag') result = await client.v1.timelines.tag.$select(feed.tag).list(paging);
    else if (feed.kind === 'mentions') result = await client.v1.notifications.list({ ...paging, types: ['mention'] });
    else result = (await client.v2.search.list({ ...paging, q: config.search ?? '', type: 'statuses', resolve: false })).statuses;
    if (!Array.isArray(result)) throw new SocialApiError(config.name, 'Mastodon sent an unexpected response: not a list', true);
    return result;
  }

  async function run(config: MastodonSourceConfig, ctx: PollContext): Promise<MastodonPollResult> {
    const source = config.name;
    const host = new URL(config.instance).host;
    await refuseWhileQuotaSpent(ctx, source);
    const stored = await ctx.state.getCursor<unknown>(source);
    const parsed = parseFeedsCursor(stored);
    if (stored !== null && parsed === null) ctx.log.warn({ source }, 'stored cursor unreadable; starting from the look-back');
    const feeds: Record<string, FeedCursor> = { ...(parsed?.feeds ?? {}) };
    const client = clientOf(config);
    const counts = emptyCounts();
    let pages = 0;
    let complete = true;
    const initialSince = mastodonIdFromTime(ctx.now() - config.lookback);
    try {
      for (const feed of mastodonFeeds(config)) {
        if (ctx.signal.aborted) {
          complete = false;
          break;
        }
        const window = feedWindow(feeds[feed.key] ?? null, initialSince);
        const run = await readFeed({
          ctx,
          source,
          window,
          maxPages: config.maxPagesPerPoll,
          counts,
          fetchPage: async (untilId) => {
            let raw: unknown[];
            try {
              raw = await fetchRaw(client, config, feed, window.sinceId ?? initialSince, untilId);
            } catch (error) {
              throw mapMastodonError(source, error, ctx.now());
            }
            const items: FeedItem[] = raw.map((item) => ({ position: rawId(item), outcome: outcomeOf(item, feed, host, config) }));
            return { items, end: raw.length === 0 };
          },
          save: async (cursor) => {
            if (sameFeedCursor(feeds[feed.key], cursor)) return;
            feeds[feed.key] = cursor;
            await ctx.state.setCursor(source, { feeds });
          },
        });
        pages += run.pages;
        complete &&= run.complete;
      }
    } catch (error) {
      if (counts.fetched + counts.skipped + counts.deadLettered > 0) await ctx.state.addCounts(source, counts);
      throw error;
    }
    const rateLimit: RateLimitInfo | null = null;
    await ctx.state.recordSuccess(source, { now: ctx.now(), ...counts, rateLimit });
    ctx.log.info({ source, pages, ...counts, complete }, 'mastodon poll done');
    return { pages, ...counts, complete, cursor: { feeds } };
  }

  function outcomeOf(item: unknown, feed: Feed, host: string, config: MastodonSourceConfig): ItemOutcome {
    const context = { source: config.name, host, config, authorKey: deps.authorKey, feed: feed.key };
    if (feed.kind !== 'mentions') return statusToMessage(item, context);
    const n = item as { type?: unknown; status?: unknown } | null;
    if (n === null || typeof n !== 'object') return { kind: 'malformed', messageId: null, reason: 'malformed notification: not an object', raw: item };
    if (n.type !== 'mention' || n.status === null || n.status === undefined) return { kind: 'skipped', reason: 'not-a-post' };
    const outcome = statusToMessage(n.status, context);
    return outcome.kind === 'malformed' ? { ...outcome, raw: item } : outcome;
  }

  return sourcePollHandler({
    kind: 'mastodon',
    configs: configs,
    schema: mastodonSourceSchema,
    everyMs: (c) => c.pollInterval,
    unknownSource: (source) => new SocialApiError(source, `no mastodon source named "${source}" is configured`, false),
    idle: () => ({ pages: 0, fetched: 0, skipped: 0, deadLettered: 0, complete: false, cursor: { feeds: {} } }),
    run: run,
  });
}
