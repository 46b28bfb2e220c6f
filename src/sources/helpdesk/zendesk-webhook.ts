/**
 * Zendesk event-subscribed webhooks (`zen:event-type:ticket.created`, `…ticket.comment_added`, event
 * version 2022-11-06). Signature: `X-Zendesk-Webhook-Signature` = base64 HMAC-SHA256 of
 * `X-Zendesk-Webhook-Signature-Timestamp` + raw body, under the webhook's signing secret; the
 * timestamp must be within `tolerance` of now (a captured delivery cannot be replayed later).
 */
import { z } from 'zod';
import { commentToMessage, FIRST_MESSAGE, type HelpdeskContext, type ItemOutcome } from './message.js';
import { ACCEPTED, constantTimeEqual, header, hmac, reject, withinWindow, type Verdict } from './signature.js';
import { firstIssue, type HookDelivery, type ParseResult, type WebhookAdapter, type WebhookSettings } from './vendor.js';

const id = z.union([z.string().min(1), z.number().int().nonnegative()]);

const eventSchema = z
  .object({
    type: z.string().min(1),
    subject: z.string().optional(),
    time: z.string().optional(),
    detail: z
      .object({
        id,
        subject: z.string().nullish(),
        description: z.string().nullish(),
        requester_id: id.nullish(),
        created_at: z.string().nullish(),
        updated_at: z.string().nullish(),
        via: z.object({ channel: z.string().nullish() }).passthrough().nullish(),
      })
      .passthrough(),
    event: z.record(z.unknown()).nullish(),
  })
  .passthrough();

const commentSchema = z
  .object({
    id,
    body: z.string(),
    is_public: z.boolean(),
    author: z.object({ id: id.nullish(), is_staff: z.boolean() }).passthrough(),
  })
  .passthrough();

export function zendeskTicketLink(url: string, ticketId: string | number): string {
  return `${url}/agent/tickets/${ticketId}`;
}

/** The signed timestamp: ISO 8601 (what Zendesk sends) or epoch seconds. */
function timestampMs(value: string): number {
  return /^\d{9,11}$/.test(value) ? Number(value) * 1000 : Date.parse(value);
}

export const zendeskWebhook: WebhookAdapter = {
  verify(delivery: HookDelivery, settings: WebhookSettings, now: number): Verdict {
    const signature = header(delivery.headers, 'x-zendesk-webhook-signature');
    const timestamp = header(delivery.headers, 'x-zendesk-webhook-signature-timestamp');
    if (signature === undefined || timestamp === undefined) return reject('missing-signature');
    const given = Buffer.from(signature, 'base64');
    if (!settings.secrets.some((secret) => constantTimeEqual(hmac('sha256', secret, timestamp, delivery.body), given))) return reject('bad-signature');
    return withinWindow(timestampMs(timestamp), now, settings.tolerance) ? ACCEPTED : reject('stale');
  },
  eventTime: () => null,
  parse(body: unknown, ctx: HelpdeskContext): ParseResult {
    const parsed = eventSchema.safeParse(body);
    if (!parsed.success) return { ok: false, error: `not a Zendesk webhook event: ${firstIssue(parsed.error)}` };
    const e = parsed.data;
    const ticket = e.detail;
    const link = zendeskTicketLink(ctx.url, ticket.id);
    const meta = { eventType: e.type, ...(ticket.via?.channel ? { via: ticket.via.channel } : {}) };
    const outcomes: ItemOutcome[] = [];
    if (e.type === 'zen:event-type:ticket.created') {
      outcomes.push(
        commentToMessage(
          { ticketId: ticket.id, commentId: FIRST_MESSAGE, subject: ticket.subject, body: ticket.description ?? '', html: false, authorId: ticket.requester_id, createdAt: ticket.created_at ?? e.time ?? '', link, meta },
          ctx,
        ),
      );
    } else if (e.type === 'zen:event-type:ticket.comment_added') {
      const comment = commentSchema.safeParse(e.event?.comment);
      if (!comment.success) return { ok: false, error: `Zendesk comment_added without a comment: ${firstIssue(comment.error)}` };
      const c = comment.data;
      if (!c.is_public) outcomes.push({ kind: 'skipped', reason: 'internal-note' });
      else if (c.author.is_staff) outcomes.push({ kind: 'skipped', reason: 'agent-reply' });
      // The ticket's first comment is its description, already stored from ticket.created.
      else if (ticket.description != null && c.body.trim() === ticket.description.trim()) outcomes.push({ kind: 'skipped', reason: 'first-comment-again' });
      else outcomes.push(commentToMessage({ ticketId: ticket.id, commentId: c.id, body: c.body, html: false, authorId: c.author.id, createdAt: e.time ?? ticket.updated_at ?? '', link, meta }, ctx));
    } else {
      outcomes.push({ kind: 'skipped', reason: 'event-type' });
    }
    return { ok: true, outcomes };
  },
};
