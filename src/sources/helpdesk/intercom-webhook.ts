/**
 * Intercom webhook notifications. Signature: `X-Hub-Signature: sha1=<hex>`, HMAC-SHA1 of the raw body
 * under the app's client secret. Topics `conversation.user.created` (the conversation's first message)
 * and `conversation.user.replied` (the user's parts); admin replies, notes and other topics are skipped.
 * The notification's `created_at` (seconds, signed with the body) must be within `maxEventAge`.
 */
import { z } from 'zod';
import { commentToMessage, FIRST_MESSAGE, type HelpdeskContext, type ItemOutcome } from './message.js';
import { checkHubSignature, header } from './signature.js';
import { firstIssue, type ParseResult, type WebhookAdapter } from './vendor.js';

const id = z.union([z.string().min(1), z.number().int().nonnegative()]);
const author = z.object({ type: z.string(), id: id.nullish() }).passthrough();
const USERS = new Set(['user', 'lead', 'contact']);

const notificationSchema = z
  .object({
    type: z.literal('notification_event'),
    topic: z.string().min(1),
    created_at: z.number().int().nonnegative(),
    data: z.object({ item: z.record(z.unknown()).nullish() }).passthrough(),
  })
  .passthrough();

const conversationSchema = z
  .object({
    type: z.literal('conversation'),
    id,
    created_at: z.number().int().nonnegative(),
    source: z.object({ id: id.nullish(), subject: z.string().nullish(), body: z.string().nullish(), author }).passthrough().nullish(),
    conversation_parts: z
      .object({ conversation_parts: z.array(z.object({ id, part_type: z.string(), body: z.string().nullish(), created_at: z.number().int().nonnegative(), author }).passthrough()) })
      .passthrough()
      .nullish(),
  })
  .passthrough();

export const intercomWebhook: WebhookAdapter = {
  verify: (delivery, settings) => checkHubSignature(header(delivery.headers, 'x-hub-signature'), 'sha1', settings.secrets, delivery.body),
  eventTime(body) {
    const t = (body as { created_at?: unknown } | null)?.created_at;
    return typeof t === 'number' ? t * 1000 : null;
  },
  parse(body: unknown, ctx: HelpdeskContext): ParseResult {
    const parsed = notificationSchema.safeParse(body);
    if (!parsed.success) return { ok: false, error: `not an Intercom notification: ${firstIssue(parsed.error)}` };
    const n = parsed.data;
    if (n.topic !== 'conversation.user.created' && n.topic !== 'conversation.user.replied') return { ok: true, outcomes: [{ kind: 'skipped', reason: 'event-type' }] };
    const conversation = conversationSchema.safeParse(n.data.item);
    if (!conversation.success) return { ok: false, error: `Intercom ${n.topic} without a conversation: ${firstIssue(conversation.error)}` };
    const c = conversation.data;
    const link = `${ctx.url}/inbox/conversation/${c.id}`;
    const meta = { topic: n.topic };
    const outcomes: ItemOutcome[] = [];
    if (n.topic === 'conversation.user.created') {
      const s = c.source;
      if (!s || !USERS.has(s.author.type)) outcomes.push({ kind: 'skipped', reason: 'agent-reply' });
      else outcomes.push(commentToMessage({ ticketId: c.id, commentId: FIRST_MESSAGE, subject: s.subject, body: s.body ?? '', html: true, authorId: s.author.id, createdAt: c.created_at * 1000, link, meta }, ctx));
    } else {
      for (const part of c.conversation_parts?.conversation_parts ?? []) {
        if (part.part_type === 'note') outcomes.push({ kind: 'skipped', reason: 'internal-note' });
        else if (part.part_type !== 'comment' || !USERS.has(part.author.type)) outcomes.push({ kind: 'skipped', reason: 'agent-reply' });
        else outcomes.push(commentToMessage({ ticketId: c.id, commentId: part.id, body: part.body ?? '', html: true, authorId: part.author.id, createdAt: part.created_at * 1000, link, meta }, ctx));
      }
    }
    return { ok: true, outcomes };
  },
};
