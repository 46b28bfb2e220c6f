import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { recordRelabelOnAlerts } from './alerts.js';
import { HttpError, parseInput } from '../errors.js';
import { assertTimeInBounds } from '../time-bounds.js';
import { labelBodySchema, messageQuerySchema, messagesFromBody, pushMessagesBody, toMessage } from '../schemas.js';
import type { NearDuplicateCluster } from '../../classify/near-duplicates.js';
import type { ClusterCache } from '../cluster-cache.js';
import type { Actor } from '../../domain/actor.js';
import type { StoredMessage } from '../../store/message-store.js';

/** Messages relabelled by one bulk request (a cluster), and messages a cluster query reads. */
export const BULK_LABEL_MAX = 1000;
export const CLUSTER_WINDOW_MAX = 1000;
/** Members of a cluster returned in full (the rest by id). */
export const CLUSTER_MEMBERS_SHOWN = 50;

const bulkLabelBodySchema = labelBodySchema
  .extend({ ids: z.array(z.string().min(1).max(512)).min(1).max(BULK_LABEL_MAX) })
  .strict();

const clusterQuerySchema = messageQuerySchema
  .omit({ limit: true, cursor: true })
  .extend({
    window: z.coerce.number().int().min(1).max(CLUSTER_WINDOW_MAX).default(CLUSTER_WINDOW_MAX),
    clusters: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/** One cluster as the API shows it. */
export function clusterView(items: readonly StoredMessage[], c: NearDuplicateCluster) {
  const members = c.members.map((i) => items[i] as StoredMessage);
  return {
    id: (items[c.leader] as StoredMessage).id,
    count: members.length,
    representative: items[c.representative] as StoredMessage,
    members: members.slice(0, CLUSTER_MEMBERS_SHOWN),
    memberIds: members.map((m) => m.id),
    from: members.reduce((t, m) => (m.createdAt < t ? m.createdAt : t), members[0]?.createdAt ?? ''),
    to: members.reduce((t, m) => (m.createdAt > t ? m.createdAt : t), members[0]?.createdAt ?? ''),
  };
}

/** The category a message counted in before a relabel (null: not a complaint). */
function effectiveCategory(m: StoredMessage): string | null {
  return m.label ? m.label.category : m.classification.complaint ? (m.classification.categories[0]?.name ?? null) : null;
}

/**
 * The one relabel path (one message or a cluster): validates the category against the keyword config,
 * stores the labels with history, and records the change on the open alerts it concerns. Null when an
 * id is not stored (nothing changed).
 */
async function relabel(
  deps: ApiDeps,
  ids: readonly string[],
  body: { readonly complaint: boolean; readonly category?: string | null | undefined },
  actor: Actor,
): Promise<StoredMessage[] | null> {
  if (body.complaint && !body.category) throw new HttpError(400, 'ERR_VALIDATION', 'body.category: required when complaint is true', 'body.category');
  // A made-up category would reach the summary, the series and the training export.
  if (body.category != null && !deps.classifier.categories.includes(body.category)) {
    throw new HttpError(400, 'ERR_VALIDATION', `body.category: "${body.category}" is not a category of the keyword config (${deps.classifier.categories.join(', ')})`, 'body.category');
  }
  const now = deps.clock.now();
  const outcome = await deps.store.messages.labelMany(ids, body.complaint, body.category ?? null, actor.by, now, actor.via);
  if (outcome === null) return null;
  // The label history keeps who and how; an open alert over this category records it too.
  const to = body.complaint ? (body.category ?? null) : null;
  await recordRelabelOnAlerts(deps, outcome.before.map((m) => ({ messageId: m.id, createdAt: Date.parse(m.createdAt), from: effectiveCategory(m), to })), actor, now);
  return outcome.after;
}

export function registerMessageRoutes(app: FastifyInstance, deps: ApiDeps, clusterCache: ClusterCache): void {
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
    const outcome = await relabel(deps, [id], body, actorOf(request.principal));
    if (outcome === null) throw new HttpError(404, 'ERR_NOT_FOUND', `no message ${id}`);
    return outcome[0];
  });

  /**
   * The same correction for a cluster of near-duplicates in one request (`{ids, complaint, category}`,
   * at most `BULK_LABEL_MAX` ids): one transaction, every message with its own history row, as if each
   * had been relabelled alone. An unknown id is a 404 and nothing changes.
   */
  app.post('/api/messages/labels', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { ids, ...label } = parseInput(bulkLabelBodySchema, request.body, 'body');
    const outcome = await relabel(deps, ids, label, actorOf(request.principal));
    if (outcome === null) throw new HttpError(404, 'ERR_NOT_FOUND', 'body.ids: one or more messages are not stored (nothing was relabelled)', 'body.ids');
    return { labelled: outcome.length, items: outcome };
  });

  /**
   * Near-duplicate clusters (`classify/near-duplicates.ts`) of the newest `window` messages matching the
   * same filters as `GET /api/messages`, biggest first: `{items: [{id, count, representative,
   * members (the first 50), memberIds}], scanned, complete}` (`complete`: the window held every match).
   * The window is read every time; it is clustered again only when its messages changed (`ClusterCache`).
   */
  app.get('/api/messages/clusters', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { window, clusters: max, ...filter } = parseInput(clusterQuerySchema, request.query, 'query');
    const page = await deps.store.messages.list(filter, window);
    const found = clusterCache.clusters(page.items);
    return {
      items: found.slice(0, max).map((c) => clusterView(page.items, c)),
      clusters: found.length,
      scanned: page.items.length,
      complete: page.nextCursor === null,
    };
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
