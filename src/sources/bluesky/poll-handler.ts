/**
 * The Bluesky poll handler: one poll = one walk of `app.bsky.feed.searchPosts` (sort=latest) of one
 * configured query, from the newest post down to the durable cursor (cursor.ts), following the API's
 * own `cursor` for the pages of that walk, at most `maxPagesPerPoll` pages. Each page is enqueued before
 * the cursor moves past it; a walk that stops early leaves a backlog, so nothing is skipped.
 */
import { z } from 'zod';
import { blueskySourceSchema, type BlueskySourceConfig } from '../../config/bluesky.js';
import type { Metrics } from '../../platform/metrics.js';
import { sourcePollHandler, type SourcePollHandler } from '../source-poll-handler.js';
import type { PollContext } from '../poll.js';
import type { RateLimitInfo } from '../source-state.js';
import { emptyCounts, firstProblem, refuseWhileQuotaSpent, SocialApiError, storeOutcomes } from '../social/index.js';
import { createBlueskyClient, type BlueskyClient } from './client.js';
import { blueskyWindow, earlier, later, nextBlueskyCursor, parseBlueskyCursor, unread, type BlueskyCursor, type Instant } from './cursor.js';
import { blueskyRateLimit, mapBlueskyError } from './errors.js';
import { postToMessage, rawUri, sortAt } from './post-to-message.js';

export interface BlueskyHandlerDeps {
  readonly authorKey: string;
  readonly metrics?: Pick<Metrics, 'rateLimitRemaining'>;
}

export interface BlueskyPollResult {
  readonly pages: number;
  readonly fetched: number;
  readonly skipped: number;
  readonly deadLettered: number;
  readonly complete: boolean;
  readonly cursor: BlueskyCursor;
  readonly rateLimit: RateLimitInfo | null;
}

export type BlueskyPollHandler = SourcePollHandler<'bluesky', BlueskyPollResult>;

const pageSchema = z.object({ posts: z.array(z.unknown()), cursor: z.string().optional() });

/** An answer the agent refused against the lexicon still carries its body: its posts are judged one by one. */
function invalidResponseBody(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'lexiconNsid' in error && 'responseBody' in error ? (error as { responseBody: unknown }).responseBody : undefined;
}

export function createBlueskyPollHandler(configs: readonly BlueskySourceConfig[], deps: BlueskyHandlerDeps): BlueskyPollHandler {
  const clients = new Map<string, BlueskyClient>();

  async function clientOf(config: BlueskySourceConfig, ctx: PollContext): Promise<BlueskyClient> {
    let client = clients.get(config.name);
    if (!client) {
      client = createBlueskyClient(config);
      clients.set(config.name, client);
    }
    if (!client.loggedIn) {
      try {
        await client.agent.login({ identifier: config.identifier, password: config.appPassword });
      } catch (error) {
        throw mapBlueskyError(config.name, error, ctx.now());
      }
      client.loggedIn = true;
    }
    return client;
  }

  async function searchPage(client: BlueskyClient, config: BlueskySourceConfig, window: BlueskyCursor, apiCursor: string | undefined, ctx: PollContext): Promise<{ body: unknown; rateLimit: RateLimitInfo | null }> {
    const params = {
      q: config.query,
      sort: 'latest',
      limit: config.pageSize,
      since: new Date(window.since.at).toISOString(),
      ...(window.until === undefined ? {} : { until: new Date(window.until.at + 1).toISOString() }),
      ...(apiCursor === undefined ? {} : { cursor: apiCursor }),
    };
    try {
      const response = await client.agent.app.bsky.feed.searchPosts(params);
      return { body: response.data, rateLimit: blueskyRateLimit((n) => response.headers[n]) };
    } catch (error) {
      const body = invalidResponseBody(error);
      if (body !== undefined) return { body, rateLimit: client.lastHeaders ? blueskyRateLimit((n) => client.lastHeaders?.get(n)) : null };
      const status = (error as { status?: unknown }).status;
      if (status === 401 || (error as { error?: unknown }).error === 'ExpiredToken') client.loggedIn = false; // log in again next time
      throw mapBlueskyError(config.name, error, ctx.now());
    }
  }

  async function run(config: BlueskySourceConfig, ctx: PollContext): Promise<BlueskyPollResult> {
    const source = config.name;
    await refuseWhileQuotaSpent(ctx, source);
    const stored = await ctx.state.getCursor<unknown>(source);
    const parsed = parseBlueskyCursor(stored);
    if (stored !== null && parsed === null) ctx.log.warn({ source }, 'stored cursor unreadable; starting from the look-back');
    const window = blueskyWindow(parsed, ctx.now() - config.lookback);
    const counts = emptyCounts();
    let pages = 0;
    let complete = false;
    let newest: Instant | null = null;
    let oldest: Instant | null = null;
    let rateLimit: RateLimitInfo | null = null;
    let saved = parsed;
    const save = async (cursor: BlueskyCursor) => {
      if (JSON.stringify(cursor) === JSON.stringify(saved)) return;
      await ctx.state.setCursor(source, cursor);
      saved = cursor;
    };
    try {
      const client = await clientOf(config, ctx);
      let apiCursor: string | undefined;
      for (;;) {
        const answer = await searchPage(client, config, window, apiCursor, ctx);
        pages += 1;
        rateLimit = answer.rateLimit ?? rateLimit;
        const page = pageSchema.safeParse(answer.body);
        if (!page.success) throw new SocialApiError(source, `Bluesky sent an unexpected response: ${firstProblem(page.error)}`, true);
        const fresh = page.data.posts.filter((raw) => {
          const at = sortAt(raw);
          const uri = rawUri(raw);
          return at === null || uri === null || unread(window, at, uri);
        });
        for (const raw of fresh) {
          const at = sortAt(raw);
          const uri = rawUri(raw);
          if (at === null || uri === null) continue;
          const here = { at, uris: [uri] };
          newest = newest === null ? here : later(newest, here);
          oldest = oldest === null ? here : earlier(oldest, here);
        }
        await storeOutcomes(ctx, source, fresh.map((raw) => postToMessage(raw, { source, config, authorKey: deps.authorKey })), counts);
        apiCursor = page.data.cursor;
        if (apiCursor === undefined || apiCursor === '' || page.data.posts.length === 0) {
          complete = true;
          break;
        }
        await save(nextBlueskyCursor(window, { newest, oldest, complete: false }));
        if (pages >= config.maxPagesPerPoll) {
          ctx.log.info({ source, pages }, 'page cap reached; the rest follows in the next polls');
          break;
        }
        if (ctx.signal.aborted) break;
        if (rateLimit?.remaining === 0 && rateLimit.resetAt !== null && rateLimit.resetAt > ctx.now()) break;
      }
    } catch (error) {
      if (counts.fetched + counts.skipped + counts.deadLettered > 0) await ctx.state.addCounts(source, counts);
      throw error;
    }
    const cursor = nextBlueskyCursor(window, { newest, oldest, complete });
    await save(cursor);
    await ctx.state.recordSuccess(source, { now: ctx.now(), ...counts, rateLimit });
    if (rateLimit?.remaining != null) deps.metrics?.rateLimitRemaining.set({ source }, rateLimit.remaining);
    ctx.log.info({ source, pages, ...counts, complete }, 'bluesky poll done');
    return { pages, ...counts, complete, cursor, rateLimit };
  }

  return sourcePollHandler({
    kind: 'bluesky',
    configs: configs,
    schema: blueskySourceSchema,
    everyMs: (c) => c.pollInterval,
    unknownSource: (source) => new SocialApiError(source, `no bluesky source named "${source}" is configured`, false),
    idle: (ctx) => ({ pages: 0, fetched: 0, skipped: 0, deadLettered: 0, complete: false, cursor: blueskyWindow(null, ctx.now()), rateLimit: null }),
    run: run,
  });
}
