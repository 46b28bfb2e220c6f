/**
 * Zammad trigger webhooks (the default "ticket + article" payload). Signature: `X-Hub-Signature:
 * sha1=<hex>`, HMAC-SHA1 of the raw body under the webhook's "HMAC SHA1 Signature Token". An article
 * from the `Customer` that is not `internal` becomes a message (the ticket's title in front when it is
 * the ticket's first article); agents' and system articles and internal notes are skipped. Zammad sends
 * no timestamp: a replayed delivery is caught by the article id.
 */
import { z } from 'zod';
import { commentToMessage, type HelpdeskContext, type ItemOutcome } from './message.js';
import { checkHubSignature, header } from './signature.js';
import { firstIssue, type ParseResult, type WebhookAdapter } from './vendor.js';

const id = z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()]);

const payloadSchema = z
  .object({
    ticket: z.object({ id, number: z.union([z.string(), z.number()]).nullish(), title: z.string().nullish(), article_count: z.number().int().nullish() }).passthrough(),
    article: z
      .object({
        id,
        sender: z.string().nullish(),
        internal: z.boolean(),
        body: z.string(),
        content_type: z.string().nullish(),
        created_at: z.string(),
        created_by_id: id.nullish(),
        type: z.string().nullish(),
      })
      .passthrough()
      .nullish(),
  })
  .passthrough();

export const zammadWebhook: WebhookAdapter = {
  verify: (delivery, settings) => checkHubSignature(header(delivery.headers, 'x-hub-signature'), 'sha1', settings.secrets, delivery.body),
  eventTime: () => null,
  parse(body: unknown, ctx: HelpdeskContext): ParseResult {
    const parsed = payloadSchema.safeParse(body);
    if (!parsed.success) return { ok: false, error: `not a Zammad webhook body: ${firstIssue(parsed.error)}` };
    const { ticket, article } = parsed.data;
    const outcomes: ItemOutcome[] = [];
    if (!article) outcomes.push({ kind: 'skipped', reason: 'event-type' });
    else if (article.internal) outcomes.push({ kind: 'skipped', reason: 'internal-note' });
    else if (article.sender !== 'Customer') outcomes.push({ kind: 'skipped', reason: 'agent-reply' });
    else {
      outcomes.push(
        commentToMessage(
          {
            ticketId: ticket.id,
            commentId: article.id,
            subject: ticket.article_count === 1 ? ticket.title : null,
            body: article.body,
            html: (article.content_type ?? '').toLowerCase().includes('html'),
            authorId: article.created_by_id,
            createdAt: article.created_at,
            link: `${ctx.url}/#ticket/zoom/${ticket.id}`,
            meta: { ...(ticket.number != null ? { ticketNumber: String(ticket.number) } : {}), ...(article.type ? { articleType: article.type } : {}) },
          },
          ctx,
        ),
      );
    }
    return { ok: true, outcomes };
  },
};
