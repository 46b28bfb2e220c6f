/**
 * The help-desk poll handler (kind `helpdesk`): one poll reads one help desk's incremental API from its
 * cursor, page by page (at most `poll.maxPagesPerPoll`), queueing each page's messages and dead-lettering
 * its malformed items before the cursor moves past that page, so a crash re-reads at most one page
 * (and stores nothing twice: ids by ticket and comment).
 */
import { helpdeskSourceSchema, type HelpdeskSourceConfig } from '../../config/helpdesk.js';
import { storeOutcomes } from '../item-outcome.js';
import { sourcePollHandler, type SourcePollHandler } from '../source-poll-handler.js';
import type { PollContext } from '../poll.js';
import { MetricSourceError } from '../metric-pull/http.js';
import type { PolledSource } from './api-request.js';
import { fetchTicketPage, FRESHDESK_PAGE_SIZE, parseFreshdeskCursor, ticketOutcomes } from './freshdesk-poll.js';
import type { HelpdeskContext, ItemOutcome } from './message.js';
import { AuthorRoles, commentAuthors, fetchZendeskPage, parseZendeskCursor, ticketEventOutcomes, zendeskStart } from './zendesk-poll.js';

export interface HelpdeskHandlerDeps {
  /** The deployment's author key: authors are stored as keyed hashes. */
  readonly authorKey: string;
  /** `ingest.maxFutureSkew`: a comment dated further ahead is dead-lettered. */
  readonly maxFutureSkewMs: number;
}

export interface HelpdeskPollResult {
  readonly pages: number;
  readonly fetched: number;
  readonly skipped: number;
  readonly deadLettered: number;
  readonly complete: boolean;
}

export type HelpdeskPollHandler = SourcePollHandler<'helpdesk', HelpdeskPollResult>;

interface Counts {
  pages: number;
  fetched: number;
  skipped: number;
  deadLettered: number;
}

export function createHelpdeskPollHandler(configs: readonly HelpdeskSourceConfig[], deps: HelpdeskHandlerDeps): HelpdeskPollHandler {
  const polled = configs.filter((c): c is PolledSource => c.poll !== undefined);
  const roles = new Map<string, AuthorRoles>();

  const helpdeskContext = (config: PolledSource, ctx: PollContext): HelpdeskContext => ({
    source: config.name,
    vendor: config.vendor,
    url: config.url,
    authorKey: deps.authorKey,
    now: ctx.now(),
    maxFutureSkewMs: deps.maxFutureSkewMs,
  });

  async function pollZendesk(config: PolledSource, ctx: PollContext, counts: Counts): Promise<boolean> {
    const source = config.name;
    const known = roles.get(source) ?? new AuthorRoles();
    roles.set(source, known);
    const stored = await ctx.state.getCursor<unknown>(source);
    const cursor = parseZendeskCursor(stored);
    if (stored !== null && cursor === null) ctx.log.warn({ source }, 'stored cursor unreadable; starting from the look-back');
    let start = zendeskStart(cursor, ctx.now(), config.poll.lookback);
    let from: { startTime: number } | { nextPage: string } = { startTime: start };
    for (;;) {
      const page = await fetchZendeskPage(config, ctx, from);
      counts.pages += 1;
      await known.resolve(config, ctx, commentAuthors(page.events));
      await storeOutcomes(ctx, source, ticketEventOutcomes(page.events, known, helpdeskContext(config, ctx)), counts);
      if (page.endTime > start) {
        await ctx.state.setCursor(source, { startTime: page.endTime });
      }
      if (page.endOfStream || page.nextPage === null) return true;
      // No progress (a page of events all in one second): the next poll goes on from here.
      if (page.endTime <= start) return false;
      start = page.endTime;
      if (counts.pages >= config.poll.maxPagesPerPoll || ctx.signal.aborted) return false;
      from = { nextPage: page.nextPage };
    }
  }

  async function pollFreshdesk(config: PolledSource, ctx: PollContext, counts: Counts): Promise<boolean> {
    const source = config.name;
    const stored = await ctx.state.getCursor<unknown>(source);
    const cursor = parseFreshdeskCursor(stored);
    if (stored !== null && cursor === null) ctx.log.warn({ source }, 'stored cursor unreadable; starting from the look-back');
    const since = cursor?.updatedSince ?? new Date(ctx.now() - config.poll.lookback).toISOString();
    let newest = Date.parse(since);
    for (let pageNo = 1; ; pageNo++) {
      const page = await fetchTicketPage(config, ctx, since, pageNo);
      counts.pages += 1;
      const hctx = helpdeskContext(config, ctx);
      const outcomes: ItemOutcome[] = [...page.malformed];
      for (const ticket of page.tickets) outcomes.push(...(await ticketOutcomes(config, ctx, ticket, hctx)));
      await storeOutcomes(ctx, source, outcomes, counts);
      const pageNewest = Math.max(...page.tickets.map((t) => Date.parse(t.updated_at)).filter((t) => Number.isFinite(t)));
      if (pageNewest > newest) {
        newest = pageNewest;
        await ctx.state.setCursor(source, { updatedSince: new Date(newest).toISOString() });
      }
      if (page.size < FRESHDESK_PAGE_SIZE) return true;
      if (counts.pages >= config.poll.maxPagesPerPoll || ctx.signal.aborted) return false;
    }
  }

  async function run(config: PolledSource, ctx: PollContext): Promise<HelpdeskPollResult> {
    const counts: Counts = { pages: 0, fetched: 0, skipped: 0, deadLettered: 0 };
    let complete: boolean;
    try {
      complete = config.vendor === 'zendesk' ? await pollZendesk(config, ctx, counts) : await pollFreshdesk(config, ctx, counts);
    } catch (error) {
      // What was queued before the failure stays counted; its cursor is already saved.
      if (counts.pages > 0) await ctx.state.addCounts(config.name, { fetched: counts.fetched, skipped: counts.skipped, deadLettered: counts.deadLettered });
      throw error;
    }
    await ctx.state.recordSuccess(config.name, { now: ctx.now(), fetched: counts.fetched, skipped: counts.skipped, deadLettered: counts.deadLettered });
    ctx.log.info({ source: config.name, vendor: config.vendor, ...counts, complete }, 'helpdesk poll done');
    return { ...counts, complete };
  }

  return sourcePollHandler({
    kind: 'helpdesk',
    configs: polled,
    schema: helpdeskSourceSchema,
    everyMs: (c) => c.poll.interval,
    unknownSource: (source) => new MetricSourceError(source, `no polled helpdesk source named "${source}" is configured`, { retryable: false }),
    idle: () => ({ pages: 0, fetched: 0, skipped: 0, deadLettered: 0, complete: false }),
    run: run,
  });
}
