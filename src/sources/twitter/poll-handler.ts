/**
 * The Twitter/X poll handler: one poll = one v2 recent search of one configured source, from its
 * cursor, following `next_token` pages (at most `maxPagesPerPoll`), each page's messages enqueued
 * before the next page is asked for. The cursor (newest tweet id) is saved only after every tweet it
 * covers is enqueued; a poll that stops early saves a backlog cursor instead, so nothing is skipped.
 */
import type { TwitterApiReadOnly, Tweetv2SearchParams, TweetSearchRecentV2Paginator } from 'twitter-api-v2';
import type { Message } from '../../domain/message.js';
import { twitterSourceSchema, type TwitterSourceConfig } from '../../config/twitter.js';
import { deadItemPayload } from '../item-outcome.js';
import type { Metrics } from '../../platform/metrics.js';
import { clientPerSource } from '../client-per-source.js';
import { sourcePollHandler, type SourcePollHandler } from '../source-poll-handler.js';
import type { PollContext } from '../poll.js';
import { refuseWhileQuotaSpent } from '../poll.js';
import type { RateLimitInfo } from '../source-state.js';
import { createTwitterClient } from './client.js';
import { nextCursor, parseCursor, searchWindow, type SearchWindow, type TwitterCursor } from './cursor.js';
import { mapTwitterError, toRateLimitInfo, TwitterApiError } from './errors.js';
import { buildQuery } from './query.js';
import { EXPANSIONS, firstIssue, searchPageSchema, TWEET_FIELDS, USER_FIELDS, usersById } from './search-response.js';
import { compareIds, maxId, minId } from './snowflake.js';
import { tweetToMessage } from './tweet-to-message.js';

/** Tweets per page: the most recent search allows. */
export const PAGE_SIZE = 100;

export interface TwitterHandlerDeps {
  /** Builds a source's client; default: the real twitter-api-v2 client (with apiBase and timeout). */
  readonly createClient?: (config: TwitterSourceConfig) => TwitterApiReadOnly;
  /**
   * Key of the author hash: the deployment's author key (`ServiceContext.authorKey`). Required: with a
   * known key, a hashed author could be reversed by hashing candidate user ids.
   */
  readonly authorKey: string;
  /** When given, `radar_source_rate_limit_remaining{source}` is set after every poll. */
  readonly metrics?: Pick<Metrics, 'rateLimitRemaining'>;
}

/** What one poll did (logged; returned for tests and benchmarks through `pollOnce`). */
export interface TwitterPollResult {
  readonly pages: number;
  readonly fetched: number;
  readonly skipped: number;
  readonly deadLettered: number;
  readonly complete: boolean;
  readonly cursor: TwitterCursor | null;
  readonly rateLimit: RateLimitInfo | null;
}

export type TwitterPollHandler = SourcePollHandler<'twitter', TwitterPollResult>;

export function createTwitterPollHandler(configs: readonly TwitterSourceConfig[], deps: TwitterHandlerDeps): TwitterPollHandler {
  const makeClient = deps.createClient ?? createTwitterClient;
  const authorKey = deps.authorKey;

  const clientOf = clientPerSource((config: TwitterSourceConfig) => makeClient(config));

  async function run(config: TwitterSourceConfig, ctx: PollContext): Promise<TwitterPollResult> {
    const source = config.name;
    const started = ctx.now();

    // Never spend a request we know will be refused: another worker may have seen the quota run out.
    await refuseWhileQuotaSpent(ctx, source);

    const stored = await ctx.state.getCursor<unknown>(source);
    const cursor = parseCursor(stored);
    if (stored !== null && cursor === null) ctx.log.warn({ source }, 'stored cursor unreadable; starting from the look-back');
    const window = searchWindow(cursor, started, config.lookback);
    if (window.clamped) ctx.log.warn({ source, sinceId: cursor?.sinceId }, 'cursor older than recent search keeps (7 days); tweets in between cannot be fetched');

    const client = clientOf(config);
    const counts = { pages: 0, fetched: 0, skipped: 0, deadLettered: 0 };
    let newest: string | null = null;
    let oldest: string | null = null;
    let rateLimit: RateLimitInfo | null = null;
    let complete = false;

    const fail = async (error: unknown): Promise<never> => {
      const mapped = mapTwitterError(source, error, ctx.now());
      if (counts.pages > 0) {
        // What was enqueued stays covered: the next poll goes on below the oldest tweet fetched.
        await saveCursor(ctx, source, cursor, nextCursor(window, { newest, oldest, complete: false }));
        await ctx.state.addCounts(source, { fetched: counts.fetched, skipped: counts.skipped, deadLettered: counts.deadLettered });
      }
      throw mapped;
    };

    let page: TweetSearchRecentV2Paginator;
    try {
      page = await client.v2.search(searchParams(config, window));
    } catch (error) {
      return fail(error);
    }

    for (;;) {
      counts.pages += 1;
      const body = searchPageSchema.safeParse(page.data);
      if (!body.success) return fail(new TwitterApiError(source, `X API sent an unexpected response: ${firstIssue(body.error)}`, true));
      rateLimit = toRateLimitInfo(page.rateLimit) ?? rateLimit;

      const users = usersById(body.data.includes?.users);
      const messages: Message[] = [];
      const letters: Array<{ id: string | null; reason: string; raw: unknown }> = [];
      for (const raw of body.data.data ?? []) {
        const outcome = tweetToMessage(raw, { source, config, users, authorKey });
        if (outcome.id !== null) {
          newest = maxId(newest, outcome.id);
          oldest = minId(oldest, outcome.id);
        }
        if (outcome.kind === 'message') messages.push(outcome.message);
        else if (outcome.kind === 'skipped') counts.skipped += 1;
        else letters.push({ id: outcome.id, reason: outcome.reason, raw: outcome.raw });
      }
      newest = maxId(newest, body.data.meta.newest_id);
      oldest = minId(oldest, body.data.meta.oldest_id);

      if (messages.length > 0) await ctx.enqueue(messages);
      counts.fetched += messages.length;
      for (const letter of letters) {
        await ctx.deadLetter({
          messageId: letter.id === null ? null : `twitter:${letter.id}`,
          source,
          payload: deadItemPayload(letter.raw),
          reason: letter.reason,
          attempts: 1,
        });
        counts.deadLettered += 1;
      }

      if (body.data.meta.next_token === undefined) {
        complete = true;
        break;
      }
      if (counts.pages >= config.maxPagesPerPoll) {
        ctx.log.info({ source, pages: counts.pages }, 'page cap reached; the rest follows in the next polls');
        break;
      }
      if (ctx.signal.aborted) break;
      if (rateLimit?.remaining === 0 && rateLimit.resetAt !== null && rateLimit.resetAt > ctx.now()) {
        ctx.log.info({ source, resetAt: new Date(rateLimit.resetAt).toISOString() }, 'quota spent; the rest follows after the reset');
        break;
      }
      try {
        page = await page.next(PAGE_SIZE);
      } catch (error) {
        return fail(error);
      }
    }

    const next = nextCursor(window, { newest, oldest, complete });
    await saveCursor(ctx, source, cursor, next);
    await ctx.state.recordSuccess(source, { now: ctx.now(), fetched: counts.fetched, skipped: counts.skipped, deadLettered: counts.deadLettered, rateLimit });
    if (rateLimit?.remaining != null) deps.metrics?.rateLimitRemaining.set({ source }, rateLimit.remaining);
    ctx.log.info({ source, ...counts, complete, cursor: next }, 'twitter poll done');
    return { ...counts, complete, cursor: next, rateLimit };
  }

  return sourcePollHandler({
    kind: 'twitter',
    configs: configs,
    schema: twitterSourceSchema,
    everyMs: (c) => c.pollInterval,
    unknownSource: (source) => new TwitterApiError(source, `no twitter source named "${source}" is configured`, false),
    idle: () => ({ pages: 0, fetched: 0, skipped: 0, deadLettered: 0, complete: false, cursor: null, rateLimit: null }),
    run: run,
  });
}

/** The search request of one poll: query, fields, page size and the window from the cursor. */
export function searchParams(config: Pick<TwitterSourceConfig, 'query' | 'excludeRetweets' | 'languages'>, window: SearchWindow): Tweetv2SearchParams {
  return {
    query: buildQuery(config),
    max_results: PAGE_SIZE,
    'tweet.fields': [...TWEET_FIELDS],
    expansions: [...EXPANSIONS],
    'user.fields': [...USER_FIELDS],
    ...(window.sinceId === undefined ? {} : { since_id: window.sinceId }),
    ...(window.startTime === undefined ? {} : { start_time: window.startTime }),
    ...(window.untilId === undefined ? {} : { until_id: window.untilId }),
  };
}

/**
 * Saves `next` unless it is unchanged, or another poll of the same source (another process) already
 * moved the cursor further: a cursor only moves forward.
 */
async function saveCursor(ctx: PollContext, source: string, before: TwitterCursor | null, next: TwitterCursor | null): Promise<void> {
  if (next === null || sameCursor(before, next)) return;
  const current = parseCursor(await ctx.state.getCursor<unknown>(source));
  if (!sameCursor(current, before) && current !== null && current.untilId === undefined && compareIds(current.sinceId, next.newestId ?? next.sinceId) >= 0) {
    ctx.log.debug({ source }, 'cursor already moved further by another poll; kept');
    return;
  }
  await ctx.state.setCursor(source, next);
}

function sameCursor(a: TwitterCursor | null, b: TwitterCursor | null): boolean {
  return a?.sinceId === b?.sinceId && a?.untilId === b?.untilId && a?.newestId === b?.newestId;
}
