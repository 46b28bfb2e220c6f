/**
 * Telegram's webhook, the option to long polling: `POST /api/hooks/telegram/<source>` receives one
 * update per request from Telegram, for a source in `mode: webhook`. The request is Telegram's only when
 * it carries the source's secret in `X-Telegram-Bot-Api-Secret-Token` (compared in constant time; a
 * wrong or missing secret and an unknown source get the same 401, so the answer tells nothing about which
 * sources exist). The update is turned into a message exactly as a polled one is, queued, and only then
 * answered 200: Telegram re-sends an update it got no 2xx for, and ingest stores each id once. A
 * malformed update is a dead letter and answered 200 (re-sending it would not mend it).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../api/deps.js';
import { HttpError } from '../../api/errors.js';
import type { TelegramSourceConfig } from '../../config/telegram.js';
import { updateSchema, updateToMessage, type TelegramItemContext } from './to-message.js';

export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** True when `given` is `expected`, in time that does not depend on where they differ (nor on their lengths). */
export function secretMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function registerTelegramWebhookRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'config' | 'log' | 'queues' | 'store' | 'sources' | 'authorKey' | 'clock'>): void {
  const hooks = new Map(deps.config.sources.telegram.filter((s) => s.mode === 'webhook').map((s) => [s.name, s] as const));
  if (hooks.size === 0) return;
  const log = deps.log.child({ module: 'telegram-webhook' });
  const contexts = new Map<string, TelegramItemContext>();
  const contextOf = (config: TelegramSourceConfig): TelegramItemContext => {
    let c = contexts.get(config.name);
    if (!c) {
      c = { source: config.name, authorKey: deps.authorKey, chats: new Map(config.chats.map((chat) => [chat.id, chat.username ?? null])), ownUserIds: new Set(config.ownUserIds), edits: config.edits };
      contexts.set(config.name, c);
    }
    return c;
  };
  const registered = new Set<string>();

  app.post('/api/hooks/telegram/:source', async (request, reply) => {
    const name = (request.params as { source?: unknown }).source;
    const config = typeof name === 'string' ? hooks.get(name) : undefined;
    const given = request.headers[TELEGRAM_SECRET_HEADER];
    if (config === undefined || config.webhookSecret === undefined || typeof given !== 'string' || !secretMatches(given, config.webhookSecret)) {
      throw new HttpError(401, 'ERR_UNAUTHORIZED', 'unknown webhook or wrong secret token');
    }
    const source = config.name;
    const now = deps.clock.now();
    if (!registered.has(source)) {
      await deps.sources.register(source, 'telegram');
      registered.add(source);
    }
    const head = updateSchema.safeParse(request.body);
    const outcome = head.success ? updateToMessage(request.body, contextOf(config)) : null;
    if (outcome === null || outcome.kind === 'malformed') {
      const reason = outcome === null ? 'malformed Telegram update: update_id missing or not a number' : outcome.reason;
      await deps.store.deadLetters.add({ messageId: outcome?.messageId ?? null, source, payload: JSON.stringify(request.body ?? null).slice(0, 100_000), reason, attempts: 1, queue: 'webhook' }, now);
      await deps.sources.recordSuccess(source, { now, fetched: 0, deadLettered: 1 });
      log.warn({ source, reason }, 'malformed update dead-lettered');
      return reply.send({ ok: true });
    }
    if (outcome.kind === 'message') await deps.queues.enqueueMessages([outcome.message]);
    await deps.sources.recordSuccess(source, { now, fetched: outcome.kind === 'message' ? 1 : 0, skipped: outcome.kind === 'skipped' ? 1 : 0 });
    return reply.send({ ok: true });
  });
}
