import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { recordRelabelOnAlerts } from './alerts.js';
import { HttpError, parseInput } from '../errors.js';
import { assertTimeInBounds } from '../time-bounds.js';
import { labelBodySchema, messageQuerySchema, messagesFromBody, pushMessagesBody, toMessage } from '../schemas.js';

export function registerMessageRoutes(app: FastifyInstance, deps: ApiDeps): void {
  /** Push one or many messages (admin token): validated, then queued for ingest; 202 with the ids. */
  app.post('/api/messages', { preHandler: app.requireRole('admin') }, async (request, reply) => {
    const raw = messagesFromBody(request.body);
    const inputs = parseInput(pushMessagesBody, raw, 'body');
    const now = deps.clock.now();
    inputs.forEach((input, i) => {
      if (input.createdAt !== undefined) assertTimeInBounds(input.createdAt, now, deps.config.ingest.maxFutureSkew, `body[${i}].createdAt`);
    });
    const messages = inputs.map((input) => toMessage(input, now, deps.authorKey));
    await deps.queues.enqueueMessages(messages);
    return reply.status(202).send({ accepted: messages.length, ids: messages.map((m) => m.id) });
  });

  /** Newest first, filtered, keyset-paginated: `{items, nextCursor}`. */
  app.get('/api/messages', { preHandler: app.requireRole('viewer') }, async (request) => {
    const q = parseInput(messageQuerySchema, request.query, 'query');
    const { limit, cursor, ...filter } = q;
    return deps.store.messages.list(filter, limit, cursor);
  });

  app.get('/api/messages/:id', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { id } = parseInput(z.object({ id: z.string().min(1).max(512) }), request.params, 'params');
    const message = await deps.store.messages.get(id);
    if (!message) throw new HttpError(404, 'ERR_NOT_FOUND', `no message ${id}`);
    return message;
  });

  /** Support's correction. Stored with history; feeds the learned layer at its next retrain. */
  app.post('/api/messages/:id/label', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { id } = parseInput(z.object({ id: z.string().min(1).max(512) }), request.params, 'params');
    const body = parseInput(labelBodySchema, request.body, 'body');
    if (body.complaint && !body.category) throw new HttpError(400, 'ERR_VALIDATION', 'body.category: required when complaint is true', 'body.category');
    // A made-up category would reach the summary, the series and the training export.
    if (body.category != null && !deps.classifier.categories.includes(body.category)) {
      throw new HttpError(400, 'ERR_VALIDATION', `body.category: "${body.category}" is not a category of the keyword config (${deps.classifier.categories.join(', ')})`, 'body.category');
    }
    const actor = actorOf(request.principal);
    const now = deps.clock.now();
    const before = await deps.store.messages.get(id);
    const updated = await deps.store.messages.label(id, body.complaint, body.category ?? null, actor.by, now, actor.via);
    if (!before || !updated) throw new HttpError(404, 'ERR_NOT_FOUND', `no message ${id}`);
    // The label history keeps who and how; an open alert over this category records it too.
    const from = before.label ? before.label.category : before.classification.complaint ? (before.classification.categories[0]?.name ?? null) : null;
    await recordRelabelOnAlerts(deps, { messageId: id, createdAt: Date.parse(before.createdAt), from, to: body.complaint ? (body.category ?? null) : null }, actor, now);
    return updated;
  });

  /** A message's relabel history, oldest first: `{items: [{complaint, category, by, via, at}]}`. */
  app.get('/api/messages/:id/labels', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { id } = parseInput(z.object({ id: z.string().min(1).max(512) }), request.params, 'params');
    if (!(await deps.store.messages.get(id))) throw new HttpError(404, 'ERR_NOT_FOUND', `no message ${id}`);
    return { items: await deps.store.messages.labelHistory(id) };
  });

  /** Every relabelled message as JSONL `{id, text, lang, complaint, category, labelledAt}`. */
  app.get('/api/labels/export', { preHandler: app.requireRole('viewer') }, async (_request, reply) => {
    const lines: string[] = [];
    for await (const m of deps.store.messages.labelled()) {
      if (!m.label) continue;
      lines.push(JSON.stringify({ id: m.id, text: m.text, lang: m.lang, complaint: m.label.complaint, category: m.label.category, labelledAt: m.label.at }));
    }
    return reply.header('Content-Type', 'application/x-ndjson; charset=utf-8').send(lines.join('\n') + (lines.length ? '\n' : ''));
  });

  /** Messages that could not be processed, newest first, with the reason. */
  app.get('/api/dead-letters', { preHandler: app.requireRole('viewer') }, async (request) => {
    const q = parseInput(z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), before: z.coerce.number().int().optional() }).strict(), request.query, 'query');
    const items = await deps.store.deadLetters.list(q.limit, q.before);
    return { items, total: await deps.store.deadLetters.count() };
  });
}
