/**
 * The Telegram poll handler: one poll of one bot = `getUpdates` from the stored offset (the first
 * request long-polls up to `longPollTimeout`), page after page of up to 100 updates while pages come
 * full (at most `maxPagesPerPoll`). Each page's messages are enqueued, then the cursor (the last
 * update id handled) is saved, and only then does the next `getUpdates` (offset = cursor + 1) confirm
 * those updates to Telegram: a crash anywhere before that gets the same updates again, never fewer.
 */
import type { Api } from 'grammy';
import type { Message } from '../../domain/message.js';
import { telegramSourceSchema, type TelegramSourceConfig } from '../../config/telegram.js';
import { deadItemPayload } from '../item-outcome.js';
import { clientPerSource } from '../client-per-source.js';
import { sourcePollHandler, type SourcePollHandler } from '../source-poll-handler.js';
import type { PollContext } from '../poll.js';
import { refuseWhileQuotaSpent } from '../poll.js';
import { createTelegramApi } from './client.js';
import { mapTelegramError, TelegramApiError } from './errors.js';
import { updateSchema, updateToMessage, type TelegramItemContext } from './to-message.js';

/** Updates per `getUpdates` page (the most the Bot API allows). */
export const UPDATES_PAGE_SIZE = 100;
/** What the bot asks for: new messages and edits, nothing else. */
export const ALLOWED_UPDATES = ['message', 'edited_message'] as const;

export interface TelegramCursor {
  /** The last update id handled (its messages enqueued); the next request asks from the one after. */
  readonly lastUpdateId: number;
}

export function parseTelegramCursor(value: unknown): TelegramCursor | null {
  const id = (value as { lastUpdateId?: unknown } | null)?.lastUpdateId;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? { lastUpdateId: id } : null;
}

export interface TelegramHandlerDeps {
  readonly createApi?: (config: TelegramSourceConfig) => Api;
  /** Key of the author hash: the deployment's author key (`ServiceContext.authorKey`). */
  readonly authorKey: string;
}

export interface TelegramPollResult {
  readonly pages: number;
  readonly updates: number;
  readonly fetched: number;
  readonly skipped: number;
  readonly deadLettered: number;
  readonly complete: boolean;
  readonly cursor: TelegramCursor | null;
}

export type TelegramPollHandler = SourcePollHandler<'telegram', TelegramPollResult>;

export function createTelegramPollHandler(configs: readonly TelegramSourceConfig[], deps: TelegramHandlerDeps): TelegramPollHandler {
  const makeApi = deps.createApi ?? createTelegramApi;

  const apiOf = clientPerSource((config: TelegramSourceConfig) => makeApi(config));

  async function run(config: TelegramSourceConfig, ctx: PollContext): Promise<TelegramPollResult> {
    const source = config.name;
    const started = ctx.now();
    await refuseWhileQuotaSpent(ctx, source);

    const stored = await ctx.state.getCursor<unknown>(source);
    let cursor = parseTelegramCursor(stored);
    if (stored !== null && cursor === null) ctx.log.warn({ source }, 'stored cursor unreadable; reading every update Telegram still keeps');
    const api = apiOf(config);
    const itemCtx: TelegramItemContext = {
      source,
      authorKey: deps.authorKey,
      chats: new Map(config.chats.map((c) => [c.id, c.username ?? null])),
      ownUserIds: new Set(config.ownUserIds),
      edits: config.edits,
    };
    const counts = { pages: 0, updates: 0, fetched: 0, skipped: 0, deadLettered: 0 };
    let complete = false;
    // Ends a long poll at once when the process shuts down (or the probe has its first batch).
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    try {
      for (;;) {
        let updates: unknown[];
        try {
          updates = (await api.getUpdates(
            {
              ...(cursor === null ? {} : { offset: cursor.lastUpdateId + 1 }),
              limit: UPDATES_PAGE_SIZE,
              timeout: counts.pages === 0 ? Math.floor(config.longPollTimeout / 1000) : 0,
              allowed_updates: [...ALLOWED_UPDATES],
            },
            abort.signal as unknown as Parameters<Api['getUpdates']>[1],
          )) as unknown[];
        } catch (error) {
          if (ctx.signal.aborted && counts.pages > 0) break;
          throw error;
        }
        counts.pages += 1;
        if (!Array.isArray(updates)) throw new TelegramApiError(source, 'Telegram sent an unexpected getUpdates response: not a list', true);
        const messages: Message[] = [];
        const letters: Array<{ messageId: string | null; reason: string; raw: unknown }> = [];
        let last = cursor?.lastUpdateId ?? -1;
        for (const raw of updates) {
          const head = updateSchema.safeParse(raw);
          if (!head.success) {
            letters.push({ messageId: null, reason: 'malformed Telegram update: update_id missing or not a number', raw });
            continue;
          }
          if (head.data.update_id <= last) continue; // already handled (an answer that ignored the offset)
          last = head.data.update_id;
          counts.updates += 1;
          const outcome = updateToMessage(raw, itemCtx);
          if (outcome.kind === 'message') messages.push(outcome.message);
          else if (outcome.kind === 'skipped') counts.skipped += 1;
          else letters.push({ messageId: outcome.messageId, reason: outcome.reason, raw });
        }
        if (messages.length > 0) await ctx.enqueue(messages);
        counts.fetched += messages.length;
        for (const letter of letters) {
          await ctx.deadLetter({ messageId: letter.messageId, source, payload: deadItemPayload(letter.raw), reason: letter.reason, attempts: 1 });
          counts.deadLettered += 1;
        }
        if (last >= 0 && last !== cursor?.lastUpdateId) {
          cursor = { lastUpdateId: last };
          await ctx.state.setCursor(source, cursor); // the next getUpdates confirms up to here
        }
        if (updates.length < UPDATES_PAGE_SIZE) {
          complete = true;
          break;
        }
        if (counts.pages >= config.maxPagesPerPoll) {
          ctx.log.info({ source, pages: counts.pages }, 'page cap reached; the rest follows in the next polls');
          break;
        }
        if (ctx.signal.aborted) break;
      }
    } catch (error) {
      if (counts.updates + counts.deadLettered > 0) await ctx.state.addCounts(source, { fetched: counts.fetched, skipped: counts.skipped, deadLettered: counts.deadLettered });
      throw mapTelegramError(source, error, ctx.now());
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }

    await ctx.state.recordSuccess(source, { now: ctx.now(), fetched: counts.fetched, skipped: counts.skipped, deadLettered: counts.deadLettered, rateLimit: null });
    ctx.log.info({ source, ...counts, complete }, 'telegram poll done');
    return { ...counts, complete, cursor };
  }

  return sourcePollHandler({
    kind: 'telegram',
    // A bot in webhook mode is not polled (Telegram refuses getUpdates while a webhook is set).
    configs: configs.filter((c) => c.mode === 'polling'),
    schema: telegramSourceSchema,
    everyMs: (c) => c.pollInterval,
    unknownSource: (source) => new TelegramApiError(source, `no polled telegram source named "${source}" is configured`, false),
    idle: () => ({ pages: 0, updates: 0, fetched: 0, skipped: 0, deadLettered: 0, complete: false, cursor: null }),
    run: run,
  });
}
