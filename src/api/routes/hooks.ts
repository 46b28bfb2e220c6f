/**
 * `POST /api/hooks/<source>`: help-desk webhooks (Zendesk, Jira Service Management, Freshdesk, Zammad,
 * Intercom). These routes take no session and no bearer token: the vendor's signature over the raw body
 * is the only credential, so the body is kept as bytes (this scope has its own parser, at most
 * `MAX_HOOK_BODY_BYTES`) and parsed only after the signature holds. An unsigned, wrongly signed or
 * replayed (stale timestamp) call is a 401, counted in `radar_webhook_rejected_total{source, reason}`
 * and logged without its body; nothing of it is stored. A correctly signed body that is not the
 * vendor's payload is a 400 and dead-lettered; within a good delivery, a malformed comment is
 * dead-lettered and its neighbours are still queued. Comments are queued under their stable ids
 * (`helpdesk:<source>:<ticket>:<comment>`), so a re-delivered webhook stores nothing twice.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HelpdeskSourceConfig } from '../../config/helpdesk.js';
import type { Message } from '../../domain/message.js';
import type { ItemOutcome } from '../../sources/helpdesk/message.js';
import type { RejectReason } from '../../sources/helpdesk/signature.js';
import { WEBHOOK_ADAPTERS } from '../../sources/helpdesk/webhooks.js';
import type { ApiDeps } from '../deps.js';
import { HttpError } from '../errors.js';

/** Largest webhook body taken (a bigger one is a 413 before any work is done). */
export const MAX_HOOK_BODY_BYTES = 1024 * 1024;

const SOURCE_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function registerHookRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const sources = new Map<string, HelpdeskSourceConfig>(deps.config.sources.helpdesk.filter((s) => s.webhook !== undefined).map((s) => [s.name, s]));
  const log = deps.log.child({ module: 'hooks' });
  const registered = new Set<string>();

  const unauthorized = (reply: FastifyReply, source: string, reason: RejectReason | 'unknown-source', ip: string): FastifyReply => {
    deps.metrics.webhookRejected.inc({ source, reason });
    log.warn({ source, reason, ip }, 'webhook rejected');
    if (reason === 'unknown-source') return reply.status(404).send({ error: 'ERR_NOT_FOUND', message: 'no webhook source of that name' });
    const message = reason === 'stale' ? 'delivery timestamp outside the accepted window (replay?)' : 'missing or wrong webhook signature';
    return reply.status(401).send({ error: 'ERR_UNAUTHORIZED', message });
  };

  void app.register(async (scope) => {
    // The raw bytes, whatever the content type: the signature is computed over exactly these.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_HOOK_BODY_BYTES }, (_request, body, done) => done(null, body));

    scope.post<{ Params: { source: string } }>('/api/hooks/:source', async (request, reply) => {
      const name = request.params.source;
      const config = SOURCE_NAME.test(name) ? sources.get(name) : undefined;
      // An unknown name is labelled `unknown`: a caller's text never becomes a metric label.
      if (config === undefined || config.webhook === undefined) return unauthorized(reply, 'unknown', 'unknown-source', request.ip);
      const webhook = config.webhook;
      const adapter = WEBHOOK_ADAPTERS[config.vendor];
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const now = deps.clock.now();

      const verdict = adapter.verify({ headers: request.headers, body }, webhook, now);
      if (!verdict.ok) return unauthorized(reply, name, verdict.reason, request.ip);

      const deadLetter = async (messageId: string | null, payload: string, reason: string): Promise<void> => {
        await deps.store.deadLetters.add({ messageId, queue: 'webhook', source: name, payload, reason, attempts: 1 }, now);
        deps.metrics.deadLetters.inc({ queue: 'webhook' });
      };
      const text = body.toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        const reason = `webhook body is not JSON: ${(error as Error).message.slice(0, 200)}`;
        await deadLetter(null, text, reason);
        log.warn({ source: name, bytes: body.length }, 'webhook body is not JSON; dead-lettered');
        throw new HttpError(400, 'ERR_VALIDATION', reason);
      }

      // The event's own time, signed with the body (Jira, Intercom): an old delivery sent again is refused.
      const at = adapter.eventTime(json);
      if (at !== null && (now - at > webhook.maxEventAge || at - now > deps.config.ingest.maxFutureSkew)) return unauthorized(reply, name, 'stale', request.ip);

      const ctx = { source: name, vendor: config.vendor, url: config.url, authorKey: deps.authorKey, now, maxFutureSkewMs: deps.config.ingest.maxFutureSkew };
      const parsed = adapter.parse(json, ctx);
      if (!parsed.ok) {
        await deadLetter(null, text, parsed.error);
        log.warn({ source: name, reason: parsed.error }, 'webhook body is not the vendor\'s payload; dead-lettered');
        throw new HttpError(400, 'ERR_VALIDATION', parsed.error);
      }
      const messages: Message[] = [];
      let skipped = 0;
      const letters: Array<Extract<ItemOutcome, { kind: 'malformed' }>> = [];
      for (const outcome of parsed.outcomes) {
        if (outcome.kind === 'message') messages.push(outcome.message);
        else if (outcome.kind === 'skipped') skipped += 1;
        else letters.push(outcome);
      }
      if (messages.length > 0) await deps.queues.enqueueMessages(messages);
      for (const letter of letters) await deadLetter(letter.messageId, JSON.stringify(letter.raw) ?? text, letter.reason);

      if (!registered.has(name)) {
        await deps.sources.register(name, 'helpdesk');
        registered.add(name);
      }
      await deps.sources.addCounts(name, { fetched: messages.length, skipped, deadLettered: letters.length });
      return reply.status(200).send({ ok: true, accepted: messages.length, skipped, deadLettered: letters.length, ids: messages.map((m) => m.id) });
    });
  });
}
