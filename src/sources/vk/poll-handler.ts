/**
 * The VK poll handler: one poll of one configured source reads, in turn, the brand search
 * (`newsfeed.search`, pages of 200 through `next_from`, at most `maxPagesPerPoll`), the community's wall
 * (`wall.get`, newest first, down to the last post read) and the comments under its most recent posts
 * (`wall.getComments`, newest first, down to the last comment read per post). Each page's messages are
 * enqueued before the next page is asked for; each part's cursor is saved only after every item it
 * covers is enqueued, so a restart loses nothing (re-fetched items are the same ids: stored once).
 */
import type { API } from 'vk-io';
import type { Message } from '../../domain/message.js';
import { vkSourceSchema, type VkSourceConfig } from '../../config/vk.js';
import { deadItemPayload } from '../item-outcome.js';
import { clientPerSource } from '../client-per-source.js';
import { sourcePollHandler, type SourcePollHandler } from '../source-poll-handler.js';
import type { PollContext } from '../poll.js';
import { refuseWhileQuotaSpent } from '../poll.js';
import { createVkApi } from './client.js';
import { nextVkSearchCursor, noteFetched, parseVkCursor, vkSearchWindow, type VkCursor, type VkFetched } from './cursor.js';
import { mapVkError, VkApiError, VkStillThrottledError } from './errors.js';
import { firstIssue, listPageSchema, searchPageSchema } from './items.js';
import { commentToMessage, postToMessage, type VkItemContext, type VkOutcome } from './to-message.js';

/** Posts per `newsfeed.search` page (the most VK allows). */
export const SEARCH_PAGE_SIZE = 200;
/** Posts per `wall.get` page and comments per `wall.getComments` page (the most VK allows). */
export const LIST_PAGE_SIZE = 100;
/** Replies returned inside each top-level comment (`thread_items_count`, at most 10). */
export const THREAD_ITEMS = 10;

export interface VkHandlerDeps {
  /** Builds a source's client; default: the real vk-io API (apiBase, pacing, timeout). */
  readonly createApi?: (config: VkSourceConfig) => API;
  /** Key of the author hash: the deployment's author key (`ServiceContext.authorKey`). */
  readonly authorKey: string;
}

export interface VkPollResult {
  readonly pages: number;
  readonly fetched: number;
  readonly skipped: number;
  readonly deadLettered: number;
  /** True when the search reached its last page (or there is no search). */
  readonly complete: boolean;
  readonly cursor: VkCursor;
}

export type VkPollHandler = SourcePollHandler<'vk', VkPollResult>;

interface Counts {
  pages: number;
  fetched: number;
  skipped: number;
  deadLettered: number;
}

export function createVkPollHandler(configs: readonly VkSourceConfig[], deps: VkHandlerDeps): VkPollHandler {
  const makeApi = deps.createApi ?? createVkApi;

  const apiOf = clientPerSource((config: VkSourceConfig) => makeApi(config));

  async function run(config: VkSourceConfig, ctx: PollContext): Promise<VkPollResult> {
    const source = config.name;
    const started = ctx.now();
    await refuseWhileQuotaSpent(ctx, source);

    const stored = await ctx.state.getCursor<unknown>(source);
    const before = parseVkCursor(stored);
    if (stored !== null && before === null) ctx.log.warn({ source }, 'stored cursor unreadable; starting from the look-back');
    let cursor: VkCursor = before ?? {};
    const api = apiOf(config);
    const counts: Counts = { pages: 0, fetched: 0, skipped: 0, deadLettered: 0 };
    const itemCtx: VkItemContext = {
      source,
      authorKey: deps.authorKey,
      ownIds: new Set([...config.ownIds, ...(config.communityId === undefined ? [] : [-config.communityId])]),
      excludeReposts: config.excludeReposts,
    };
    const nowS = Math.floor(started / 1000);
    const lookbackS = Math.ceil(config.lookback / 1000);
    const callTimeout = config.requestTimeout * 2 + 2_000;

    const call = async (method: string, params: Record<string, unknown>): Promise<unknown> => {
      let timer: NodeJS.Timeout | undefined;
      const throttled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new VkStillThrottledError(method)), callTimeout);
      });
      try {
        return await Promise.race([api.call(method as never, params as never), throttled]);
      } finally {
        clearTimeout(timer);
      }
    };

    const save = async (next: VkCursor) => {
      if (JSON.stringify(next) === JSON.stringify(cursor)) return;
      cursor = next;
      await ctx.state.setCursor(source, next);
    };

    /** Enqueues a page's messages, then dead-letters its malformed items (the neighbours are already queued). */
    const deliver = async (outcomes: readonly VkOutcome[], idOf: (id: number) => string) => {
      const messages: Message[] = [];
      for (const o of outcomes) if (o.kind === 'message') messages.push(o.message);
      if (messages.length > 0) await ctx.enqueue(messages);
      counts.fetched += messages.length;
      for (const o of outcomes) {
        if (o.kind === 'skipped') counts.skipped += 1;
        if (o.kind !== 'malformed') continue;
        await ctx.deadLetter({ messageId: o.id === null ? null : idOf(o.id), source, payload: deadItemPayload(o.raw), reason: o.reason, attempts: 1 });
        counts.deadLettered += 1;
      }
    };

    const failed = async (error: unknown): Promise<never> => {
      if (counts.fetched + counts.skipped + counts.deadLettered > 0) await ctx.state.addCounts(source, { fetched: counts.fetched, skipped: counts.skipped, deadLettered: counts.deadLettered });
      throw mapVkError(source, error, ctx.now());
    };

    let complete = true;

    // 1. The brand search.
    if (config.query !== undefined) {
      const window = vkSearchWindow(cursor.search, nowS, lookbackS);
      const f: VkFetched = { newest: null, newestKeys: [], oldest: null, complete: false };
      let startFrom: string | undefined;
      try {
        for (;;) {
          const raw = await call('newsfeed.search', {
            q: config.query,
            count: SEARCH_PAGE_SIZE,
            start_time: window.since,
            ...(window.until === undefined ? {} : { end_time: window.until }),
            ...(startFrom === undefined ? {} : { start_from: startFrom }),
          });
          counts.pages += 1;
          const page = searchPageSchema.safeParse(raw);
          if (!page.success) throw new VkApiError(source, `VK API sent an unexpected newsfeed.search response: ${firstIssue(page.error)}`, true);
          const outcomes: VkOutcome[] = [];
          for (const item of page.data.items) {
            const o = postToMessage(item, itemCtx, 'search');
            const owner = (item as { owner_id?: unknown } | null)?.owner_id;
            const key = o.id !== null && typeof owner === 'number' ? `${owner}_${o.id}` : null;
            const date = o.kind === 'malformed' ? null : o.date;
            if (key !== null && date !== null) {
              if (date === window.since && window.seen.has(key)) continue; // fetched by an earlier poll
              noteFetched(f, date, key);
            }
            outcomes.push(o);
          }
          await deliver(outcomes, (id) => {
            const o = page.data.items.find((i) => (i as { id?: unknown } | null)?.id === id) as { owner_id?: unknown } | undefined;
            return typeof o?.owner_id === 'number' ? `vk:${o.owner_id}_${id}` : `vk:?_${id}`;
          });
          startFrom = page.data.next_from === undefined || page.data.next_from === '' || page.data.items.length === 0 ? undefined : page.data.next_from;
          if (startFrom === undefined) {
            f.complete = true;
            break;
          }
          if (counts.pages >= config.maxPagesPerPoll) {
            ctx.log.info({ source, pages: counts.pages }, 'page cap reached; the rest of the search follows in the next polls');
            break;
          }
          if (ctx.signal.aborted) break;
        }
      } catch (error) {
        if (f.newest !== null) await save({ ...cursor, search: nextVkSearchCursor(cursor.search, window, f) });
        return failed(error);
      }
      complete = f.complete;
      await save({ ...cursor, search: nextVkSearchCursor(cursor.search, window, f) });
    }

    // 2. The community's wall, and 3. the comments under its recent posts.
    if (config.communityId !== undefined && !ctx.signal.aborted) {
      const ownerId = -config.communityId;
      const recent: Array<{ id: number; date: number }> = [];
      try {
        const last = cursor.wall?.last;
        const oldestWanted = nowS - lookbackS;
        let newest = last ?? 0;
        let reached = false;
        for (let offset = 0; !reached; offset += LIST_PAGE_SIZE) {
          const raw = await call('wall.get', { owner_id: ownerId, offset, count: LIST_PAGE_SIZE, filter: 'all' });
          counts.pages += 1;
          const page = listPageSchema.safeParse(raw);
          if (!page.success) throw new VkApiError(source, `VK API sent an unexpected wall.get response: ${firstIssue(page.error)}`, true);
          const outcomes: VkOutcome[] = [];
          for (const item of page.data.items) {
            const o = postToMessage(item, itemCtx, 'wall');
            const pinned = (item as { is_pinned?: unknown } | null)?.is_pinned;
            const isPinned = pinned === 1 || pinned === true;
            if (o.kind !== 'malformed') {
              if (recent.length < config.commentPosts) recent.push({ id: o.id, date: o.date ?? nowS });
              const old = last === undefined ? (o.date ?? nowS) < oldestWanted : o.id <= last;
              if (old) {
                if (!isPinned) {
                  reached = true;
                  if (last === undefined) newest = Math.max(newest, o.id); // first poll: older than the look-back counts as read
                }
                continue;
              }
              if (!isPinned) newest = Math.max(newest, o.id);
            } else if (last !== undefined && o.id !== null && o.id <= last) continue;
            if (reached) break;
            outcomes.push(o);
          }
          await deliver(outcomes, (id) => `vk:${ownerId}_${id}`);
          if (page.data.items.length < LIST_PAGE_SIZE || offset + LIST_PAGE_SIZE >= page.data.count) reached = true;
          if (ctx.signal.aborted && !reached) break;
        }
        // Only a wall read down to the last post moves its cursor (a read cut short leaves a gap).
        if (reached && newest > 0) await save({ ...cursor, wall: { last: newest } });

        if (config.comments && !ctx.signal.aborted) {
          const checkedAt = cursor.comments?.checkedAt ?? nowS - lookbackS;
          const posts: Record<string, number> = {};
          for (const post of recent) {
            const lastComment = cursor.comments?.posts[String(post.id)];
            const top = await readComments(post.id, lastComment, lastComment === undefined ? checkedAt : null);
            if (ctx.signal.aborted) break;
            posts[String(post.id)] = Math.max(top ?? 0, lastComment ?? 0);
          }
          if (!ctx.signal.aborted) await save({ ...cursor, comments: { checkedAt: Math.max(nowS - 60, 0), posts } });
        }
      } catch (error) {
        return failed(error);
      }

      /** Reads one post's comments newest first, down to `last` (or to comments older than `since`); the highest id read. */
      async function readComments(postId: number, last: number | undefined, since: number | null): Promise<number | null> {
        let top: number | null = null;
        let reached = false;
        for (let offset = 0; !reached; offset += LIST_PAGE_SIZE) {
          const raw = await call('wall.getComments', { owner_id: ownerId, post_id: postId, offset, count: LIST_PAGE_SIZE, sort: 'desc', thread_items_count: THREAD_ITEMS });
          counts.pages += 1;
          const page = listPageSchema.safeParse(raw);
          if (!page.success) throw new VkApiError(source, `VK API sent an unexpected wall.getComments response: ${firstIssue(page.error)}`, true);
          const outcomes: VkOutcome[] = [];
          for (const item of page.data.items) {
            const deleted = (item as { deleted?: unknown } | null)?.deleted === true;
            const o = deleted ? null : commentToMessage(item, itemCtx, ownerId, postId);
            const id = o?.id ?? (item as { id?: unknown } | null)?.id;
            const date = o !== null && o.kind !== 'malformed' ? o.date : null;
            if (typeof id === 'number' && ((last !== undefined && id <= last) || (since !== null && date !== null && date < since))) {
              reached = true;
              break;
            }
            if (typeof id === 'number') top = Math.max(top ?? 0, id);
            if (o !== null) outcomes.push(o);
            // Replies to a new comment come inside it (up to THREAD_ITEMS).
            const thread = (item as { thread?: { items?: unknown } } | null)?.thread?.items;
            if (o?.kind === 'message' && Array.isArray(thread)) {
              for (const reply of thread) {
                const r = commentToMessage(reply, itemCtx, ownerId, postId);
                if (r.id !== null && last !== undefined && r.id <= last) continue;
                if (r.id !== null) top = Math.max(top ?? 0, r.id);
                outcomes.push(r);
              }
            }
          }
          await deliver(outcomes, (id) => `vk:${ownerId}_${postId}_c${id}`);
          if (page.data.items.length < LIST_PAGE_SIZE || offset + LIST_PAGE_SIZE >= page.data.count) reached = true;
          if (ctx.signal.aborted) return null;
        }
        return top;
      }
    }

    await ctx.state.recordSuccess(source, { now: ctx.now(), fetched: counts.fetched, skipped: counts.skipped, deadLettered: counts.deadLettered, rateLimit: null });
    ctx.log.info({ source, ...counts, complete }, 'vk poll done');
    return { ...counts, complete, cursor };
  }

  return sourcePollHandler({
    kind: 'vk',
    configs: configs,
    schema: vkSourceSchema,
    everyMs: (c) => c.pollInterval,
    unknownSource: (source) => new VkApiError(source, `no vk source named "${source}" is configured`, false),
    idle: () => ({ pages: 0, fetched: 0, skipped: 0, deadLettered: 0, complete: false, cursor: {} }),
    run: run,
  });
}
