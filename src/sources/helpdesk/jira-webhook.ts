/**
 * Jira Service Management, through Jira Cloud webhooks registered with a `secret`: `X-Hub-Signature:
 * sha256=<hex>` is the HMAC-SHA256 of the raw body. Events `jira:issue_created` (the request's summary
 * and description) and `comment_created` (a customer's reply: public, written by the reporter or a
 * portal customer; agents' replies and internal comments, `jsdPublic: false`, are skipped). The body's
 * `timestamp` (signed with it) must be within `maxEventAge`.
 */
import { z } from 'zod';
import { commentToMessage, FIRST_MESSAGE, type HelpdeskContext, type ItemOutcome } from './message.js';
import { checkHubSignature, header } from './signature.js';
import { firstIssue, type ParseResult, type WebhookAdapter } from './vendor.js';

const user = z.object({ accountId: z.string().nullish(), accountType: z.string().nullish() }).passthrough();

const eventSchema = z
  .object({
    timestamp: z.number().int().nonnegative(),
    webhookEvent: z.string().min(1),
    issue: z
      .object({
        id: z.union([z.string().min(1), z.number().int()]),
        key: z.string().min(1),
        fields: z
          .object({
            summary: z.string().nullish(),
            description: z.unknown().optional(),
            reporter: user.nullish(),
            created: z.string().nullish(),
          })
          .passthrough(),
      })
      .passthrough(),
    comment: z
      .object({
        id: z.union([z.string().min(1), z.number().int()]),
        body: z.unknown(),
        author: user.nullish(),
        created: z.string().nullish(),
        jsdPublic: z.boolean().nullish(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** Jira text: wiki markup (REST v2 payloads) or an Atlassian Document (v3): its text nodes, each block on its own line. */
export function jiraText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return '';
  const node = value as { type?: unknown; text?: unknown; content?: unknown };
  if (typeof node.text === 'string') return node.text;
  const children = Array.isArray(node.content) ? node.content.map(jiraText) : [];
  // Paragraphs and headings hold inline text; every other container (doc, lists, quotes) holds blocks.
  const inline = node.type === 'paragraph' || node.type === 'heading';
  return children.join(inline ? '' : '\n');
}

/** Jira's `2026-12-07T03:00:00.000+0000` (no colon in the offset) → epoch ms. */
export function jiraTime(value: string | null | undefined): number {
  if (!value) return Number.NaN;
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

export const jiraWebhook: WebhookAdapter = {
  verify: (delivery, settings) => checkHubSignature(header(delivery.headers, 'x-hub-signature'), 'sha256', settings.secrets, delivery.body),
  eventTime(body) {
    const t = (body as { timestamp?: unknown } | null)?.timestamp;
    return typeof t === 'number' ? t : null;
  },
  parse(body: unknown, ctx: HelpdeskContext): ParseResult {
    const parsed = eventSchema.safeParse(body);
    if (!parsed.success) return { ok: false, error: `not a Jira webhook event: ${firstIssue(parsed.error)}` };
    const e = parsed.data;
    const issue = e.issue;
    const link = `${ctx.url}/browse/${encodeURIComponent(issue.key)}`;
    const meta = { issueKey: issue.key, eventType: e.webhookEvent };
    const outcomes: ItemOutcome[] = [];
    if (e.webhookEvent === 'jira:issue_created') {
      outcomes.push(
        commentToMessage(
          { ticketId: issue.id, commentId: FIRST_MESSAGE, subject: issue.fields.summary, body: jiraText(issue.fields.description), html: false, authorId: issue.fields.reporter?.accountId, createdAt: jiraTime(issue.fields.created ?? null) || e.timestamp, link, meta },
          ctx,
        ),
      );
    } else if (e.webhookEvent === 'comment_created') {
      const c = e.comment;
      if (c === undefined) return { ok: false, error: 'Jira comment_created without a comment' };
      const reporter = issue.fields.reporter?.accountId;
      const byCustomer = c.author?.accountType === 'customer' || (reporter != null && c.author?.accountId === reporter);
      if (c.jsdPublic === false) outcomes.push({ kind: 'skipped', reason: 'internal-note' });
      else if (!byCustomer) outcomes.push({ kind: 'skipped', reason: 'agent-reply' });
      else {
        const created = jiraTime(c.created);
        outcomes.push(commentToMessage({ ticketId: issue.id, commentId: c.id, body: jiraText(c.body), html: false, authorId: c.author?.accountId, createdAt: Number.isNaN(created) ? e.timestamp : created, link, meta }, ctx));
      }
    } else {
      outcomes.push({ kind: 'skipped', reason: 'event-type' });
    }
    return { ok: true, outcomes };
  },
};
