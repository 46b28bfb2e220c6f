/**
 * Freshdesk automation-rule webhooks. Freshdesk does not sign its webhooks: the rule sends a shared
 * secret, either in a custom header `X-Radar-Webhook-Secret` or as the Basic-auth password (Freshdesk's
 * "Requires authentication"); it is compared in constant time. The body is the JSON the rule's admin
 * writes with Freshdesk placeholders (README, "Freshdesk"):
 * `{"freshdesk_webhook": {"event": "ticket_created" | "customer_reply", "ticket_id": …, …}}`.
 * Freshdesk's placeholders carry no comment id, so a reply's id is a hash of its text: the same reply
 * delivered again is the same message. No timestamp is sent, so a replay is caught only by that id.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { commentToMessage, FIRST_MESSAGE, type HelpdeskContext } from './message.js';
import { ACCEPTED, constantTimeEqual, header, reject, type Verdict } from './signature.js';
import { firstIssue, type ParseResult, type WebhookAdapter } from './vendor.js';

export const FRESHDESK_SECRET_HEADER = 'x-radar-webhook-secret';

const payloadSchema = z
  .object({
    freshdesk_webhook: z
      .object({
        event: z.enum(['ticket_created', 'customer_reply']),
        ticket_id: z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()]),
        ticket_subject: z.string().nullish(),
        ticket_description: z.string().nullish(),
        ticket_latest_public_comment: z.string().nullish(),
        ticket_url: z.string().nullish(),
        ticket_requester_email: z.string().nullish(),
      })
      .passthrough(),
  })
  .passthrough();

function presentedSecret(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const direct = header(headers, FRESHDESK_SECRET_HEADER);
  if (direct !== undefined) return direct;
  const auth = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header(headers, 'authorization') ?? '');
  if (!auth) return undefined;
  const decoded = Buffer.from(auth[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/** The id of a reply Freshdesk gave no id: `r` + 16 hex of its text's SHA-256. */
export function replyId(text: string): string {
  return `r${createHash('sha256').update(text.trim()).digest('hex').slice(0, 16)}`;
}

export const freshdeskWebhook: WebhookAdapter = {
  verify(delivery, settings): Verdict {
    const given = presentedSecret(delivery.headers);
    if (given === undefined) return reject('missing-signature');
    const presented = Buffer.from(given);
    return settings.secrets.some((s) => constantTimeEqual(Buffer.from(s), presented)) ? ACCEPTED : reject('bad-signature');
  },
  eventTime: () => null,
  parse(body: unknown, ctx: HelpdeskContext): ParseResult {
    const parsed = payloadSchema.safeParse(body);
    if (!parsed.success) return { ok: false, error: `not a Freshdesk webhook body: ${firstIssue(parsed.error)}` };
    const t = parsed.data.freshdesk_webhook;
    const link = t.ticket_url && /^https?:\/\//i.test(t.ticket_url) ? t.ticket_url : `${ctx.url}/a/tickets/${t.ticket_id}`;
    const author = t.ticket_requester_email?.trim().toLowerCase() || null;
    if (t.event === 'ticket_created') {
      return { ok: true, outcomes: [commentToMessage({ ticketId: t.ticket_id, commentId: FIRST_MESSAGE, subject: t.ticket_subject, body: t.ticket_description ?? '', html: true, authorId: author, createdAt: ctx.now, link }, ctx)] };
    }
    const reply = t.ticket_latest_public_comment ?? '';
    return { ok: true, outcomes: [commentToMessage({ ticketId: t.ticket_id, commentId: replyId(reply), body: reply, html: true, authorId: author, createdAt: ctx.now, link }, ctx)] };
  },
};
