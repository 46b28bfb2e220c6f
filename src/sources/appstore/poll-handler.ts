/**
 * The app-store poll handler: one poll = the newest pages of one app's reviews (Google Play or the
 * App Store), read down to the reviews the cursor already covers (at most `maxPagesPerPoll` pages),
 * each page's messages enqueued before the next page is asked for. The cursor is saved only after
 * every review it covers is enqueued; a poll that stops early saves a backlog instead (cursor.ts).
 */
import type { AppReviewSourceConfig } from '../../config/appstore.js';
import { appStoreReviewSourceSchema } from '../../config/appstore.js';
import type { Message } from '../../domain/message.js';
import type { Metrics } from '../../platform/metrics.js';
import { clientPerSource } from '../client-per-source.js';
import { deadItemPayload } from '../item-outcome.js';
import { sourcePollHandler, type SourcePollHandler } from '../source-poll-handler.js';
import type { PollContext } from '../poll.js';
import { refuseWhileQuotaSpent } from '../poll.js';
import type { RateLimitInfo } from '../source-state.js';
import { createAppStoreClient } from './app-store-client.js';
import { atOrAbove, covered, newerInstant, olderInstant, nextReviewCursor, parseReviewCursor, sameCursor, startCursor, type Instant, type ReviewCursor } from './cursor.js';
import { AppStoreApiError } from './errors.js';
import { createGooglePlayClient } from './google-play-client.js';
import { appStoreReviewToMessage, googlePlayReviewToMessage, type ReviewOutcome } from './review-to-message.js';
import type { ReviewsClient, ReviewsPage } from './reviews-page.js';

export interface AppStoreHandlerDeps {
  /** Key of the author hash: the deployment's author key (`ServiceContext.authorKey`). */
  readonly authorKey: string;
  /** Builds a source's client; default: the real HTTP client of its store. */
  readonly createClient?: (config: AppReviewSourceConfig, now: () => number) => ReviewsClient;
  readonly metrics?: Pick<Metrics, 'rateLimitRemaining'>;
}

export interface AppStorePollResult {
  readonly pages: number;
  /** Reviews enqueued (new or edited since the cursor). */
  readonly fetched: number;
  /** Reviews read again that the cursor already covered. */
  readonly skipped: number;
  readonly deadLettered: number;
  readonly complete: boolean;
  readonly cursor: ReviewCursor | null;
  readonly rateLimit: RateLimitInfo | null;
}

export type AppStorePollHandler = SourcePollHandler<'appstore', AppStorePollResult>;

export function defaultReviewsClient(config: AppReviewSourceConfig, now: () => number): ReviewsClient {
  return config.store === 'google-play' ? createGooglePlayClient(config, now) : createAppStoreClient(config, now);
}

export function createAppStorePollHandler(configs: readonly AppReviewSourceConfig[], deps: AppStoreHandlerDeps): AppStorePollHandler {
  const makeClient = deps.createClient ?? defaultReviewsClient;
  const clientOf = clientPerSource((config: AppReviewSourceConfig, now: () => number) => makeClient(config, now));

  function toMessage(config: AppReviewSourceConfig, raw: unknown): ReviewOutcome {
    const ctx = { source: config.name, authorKey: deps.authorKey };
    return config.store === 'google-play' ? googlePlayReviewToMessage(raw, { ...ctx, packageName: config.packageName }) : appStoreReviewToMessage(raw, ctx);
  }

  async function run(config: AppReviewSourceConfig, client: ReviewsClient, ctx: PollContext): Promise<AppStorePollResult> {
    const source = config.name;
    const started = ctx.now();
    await refuseWhileQuotaSpent(ctx, source);

    const stored = await ctx.state.getCursor<unknown>(source);
    const parsed = parseReviewCursor(stored);
    if (stored !== null && parsed === null) ctx.log.warn({ source }, 'stored cursor unreadable; starting from the look-back');
    const cursor = parsed ?? startCursor(started, config.lookback);
    const floor: Instant = { t: cursor.t, ids: cursor.ids };

    const counts = { pages: 0, fetched: 0, skipped: 0, deadLettered: 0 };
    let newest: Instant = cursor.backlog?.newest ?? floor;
    /** The oldest review enqueued by this run of pages (this poll, or the backlog it goes on with). */
    let below: Instant | null = cursor.backlog?.below ?? null;
    let rateLimit: RateLimitInfo | null = null;
    let ref: string | null = cursor.backlog?.next ?? null;
    let restarted = false;

    const finish = async (next: ReviewCursor) => {
      if (!sameCursor(parsed, next)) await ctx.state.setCursor(source, next);
    };
    const fail = async (error: unknown): Promise<never> => {
      if (counts.pages > 0) {
        // What was enqueued stays covered: the next poll goes on from the page that failed.
        await finish(nextReviewCursor(cursor, { newest, below }, { complete: false, next: ref ?? '' }));
        await ctx.state.addCounts(source, { fetched: counts.fetched, skipped: counts.skipped, deadLettered: counts.deadLettered });
      }
      throw error;
    };

    let complete = false;
    for (;;) {
      let page: ReviewsPage;
      try {
        page = await client.page(ref, ctx.signal);
      } catch (error) {
        // A backlog page token can expire between polls: read again from the newest page (ids make it idempotent).
        if (ref !== null && !restarted && counts.pages === 0 && error instanceof AppStoreApiError && !error.retryable) {
          ctx.log.warn({ source }, 'backlog page refused; reading again from the newest page');
          ref = null;
          restarted = true;
          continue;
        }
        if (ref === null && counts.pages === 0) throw error;
        return fail(error);
      }
      counts.pages += 1;
      rateLimit = page.rateLimit ?? rateLimit;

      const messages: Message[] = [];
      const letters: Array<{ id: string | null; reason: string; raw: unknown }> = [];
      let fresh = 0;
      let old = 0;
      let shifted = 0;
      for (const raw of page.items) {
        const outcome = toMessage(config, raw);
        if (outcome.kind === 'malformed') {
          letters.push(outcome);
          continue;
        }
        if (covered(floor, outcome.t, outcome.id)) {
          old += 1;
          continue;
        }
        if (below !== null && atOrAbove(below, outcome.t, outcome.id)) {
          shifted += 1; // enqueued on an earlier page (the list moved down), or newer than this run: the next poll from the top
          continue;
        }
        fresh += 1;
        messages.push(outcome.message);
        const at: Instant = { t: outcome.t, ids: [outcome.id] };
        newest = newerInstant(newest, at);
        below = below === null ? at : olderInstant(below, at);
      }
      if (messages.length > 0) await ctx.enqueue(messages);
      counts.fetched += messages.length;
      counts.skipped += old + shifted;
      for (const letter of letters) {
        await ctx.deadLetter({
          messageId: letter.id === null ? null : `appstore:${source}:${letter.id}`,
          source,
          payload: deadItemPayload(letter.raw),
          reason: letter.reason,
          attempts: 1,
        });
        counts.deadLettered += 1;
      }

      // Newest first: a page holding covered reviews and no new ones means the rest is covered too.
      if (page.next === null || (old > 0 && fresh === 0)) {
        complete = true;
        break;
      }
      ref = page.next;
      if (counts.pages >= config.maxPagesPerPoll) {
        ctx.log.info({ source, pages: counts.pages }, 'page cap reached; the rest follows in the next polls');
        break;
      }
      if (ctx.signal.aborted) break;
    }

    const next = complete ? nextReviewCursor(cursor, { newest, below }, { complete: true }) : nextReviewCursor(cursor, { newest, below }, { complete: false, next: ref as string });
    await finish(next);
    await ctx.state.recordSuccess(source, { now: ctx.now(), fetched: counts.fetched, skipped: counts.skipped, deadLettered: counts.deadLettered, rateLimit });
    if (rateLimit?.remaining != null) deps.metrics?.rateLimitRemaining.set({ source }, rateLimit.remaining);
    ctx.log.info({ source, store: config.store, ...counts, complete }, 'appstore poll done');
    return { ...counts, complete, cursor: next, rateLimit };
  }

  return sourcePollHandler({
    kind: 'appstore',
    configs: configs,
    schema: appStoreReviewSourceSchema,
    everyMs: (c) => c.pollInterval,
    unknownSource: (source) => new AppStoreApiError(source, `no appstore source named "${source}" is configured`, false),
    idle: () => ({ pages: 0, fetched: 0, skipped: 0, deadLettered: 0, complete: false, cursor: null, rateLimit: null }),
    run: (config, ctx) => run(config, clientOf(config, ctx.now), ctx),
  });
}
