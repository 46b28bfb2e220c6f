/**
 * Freshdesk polling: tickets updated since the cursor (`GET /api/v2/tickets?updated_since=…&order_by=
 * updated_at&order_type=asc&include=description`), and for each, its conversations (`GET /api/v2/
 * tickets/<id>/conversations`). The ticket's description is its first message (`description`); an
 * `incoming`, non-`private` conversation is a customer's reply (agents' replies and private notes are
 * skipped). After each page is queued the cursor moves to the newest `updated_at` on it; tickets
 * updated at that very second are read again next time and are the same messages (ids by ticket and
 * conversation id).
 */
import { z } from 'zod';
import { commentToMessage, FIRST_MESSAGE, type HelpdeskContext, type ItemOutcome } from './message.js';
import { getJson, type PolledSource } from './api-request.js';
import { MetricSourceError } from '../metric-pull/http.js';
import type { PollContext } from '../poll.js';
import { firstIssue } from './vendor.js';

export interface FreshdeskCursor {
  /** ISO time: the next poll reads tickets updated at or after it. */
  readonly updatedSince: string;
}

export const FRESHDESK_PAGE_SIZE = 100;
/** Conversation pages read per ticket at most (100 each). */
const MAX_CONVERSATION_PAGES = 10;

const id = z.number().int().nonnegative();
const ticketSchema = z
  .object({
    id,
    subject: z.string().nullish(),
    description_text: z.string().nullish(),
    description: z.string().nullish(),
    requester_id: id.nullish(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .passthrough();
const conversationSchema = z
  .object({
    id,
    body_text: z.string().nullish(),
    body: z.string().nullish(),
    incoming: z.boolean(),
    private: z.boolean(),
    user_id: id.nullish(),
    created_at: z.string(),
  })
  .passthrough();

export function parseFreshdeskCursor(value: unknown): FreshdeskCursor | null {
  const t = (value as { updatedSince?: unknown } | null)?.updatedSince;
  return typeof t === 'string' && !Number.isNaN(Date.parse(t)) ? { updatedSince: t } : null;
}

export function freshdeskTicketLink(url: string, ticketId: number | string): string {
  return `${url}/a/tickets/${ticketId}`;
}

/** A page of tickets: the valid ones and the outcomes of the ones that are not. */
export async function fetchTicketPage(config: PolledSource, ctx: PollContext, updatedSince: string, page: number): Promise<{ tickets: Array<z.infer<typeof ticketSchema>>; size: number; malformed: ItemOutcome[] }> {
  const raw = await getJson(config, ctx, 'tickets', '/api/v2/tickets', {
    updated_since: updatedSince,
    order_by: 'updated_at',
    order_type: 'asc',
    include: 'description',
    per_page: String(FRESHDESK_PAGE_SIZE),
    page: String(page),
  });
  if (!Array.isArray(raw)) throw new MetricSourceError(config.name, 'tickets: unexpected response: not a list of tickets', { retryable: true, series: 'tickets' });
  const tickets: Array<z.infer<typeof ticketSchema>> = [];
  const malformed: ItemOutcome[] = [];
  for (const item of raw) {
    const t = ticketSchema.safeParse(item);
    if (t.success) tickets.push(t.data);
    else malformed.push({ kind: 'malformed', messageId: null, reason: `malformed Freshdesk ticket: ${firstIssue(t.error)}`, raw: item });
  }
  return { tickets, size: raw.length, malformed };
}

/** A ticket's first message and its customers' replies. */
export async function ticketOutcomes(config: PolledSource, pollCtx: PollContext, ticket: z.infer<typeof ticketSchema>, ctx: HelpdeskContext): Promise<ItemOutcome[]> {
  const link = freshdeskTicketLink(ctx.url, ticket.id);
  const outcomes: ItemOutcome[] = [
    commentToMessage(
      { ticketId: ticket.id, commentId: FIRST_MESSAGE, subject: ticket.subject, body: ticket.description_text ?? ticket.description ?? '', html: ticket.description_text == null, authorId: ticket.requester_id, createdAt: ticket.created_at, link },
      ctx,
    ),
  ];
  for (let page = 1; page <= MAX_CONVERSATION_PAGES; page++) {
    const raw = await getJson(config, pollCtx, 'conversations', `/api/v2/tickets/${ticket.id}/conversations`, { per_page: String(FRESHDESK_PAGE_SIZE), page: String(page) });
    if (!Array.isArray(raw)) throw new MetricSourceError(config.name, `conversations of ticket ${ticket.id}: unexpected response: not a list`, { retryable: true, series: 'conversations' });
    for (const item of raw) {
      const c = conversationSchema.safeParse(item);
      if (!c.success) outcomes.push({ kind: 'malformed', messageId: null, reason: `malformed conversation of ticket ${ticket.id}: ${firstIssue(c.error)}`, raw: item });
      else if (c.data.private) outcomes.push({ kind: 'skipped', reason: 'internal-note' });
      else if (!c.data.incoming) outcomes.push({ kind: 'skipped', reason: 'agent-reply' });
      else {
        const conv = c.data;
        outcomes.push(commentToMessage({ ticketId: ticket.id, commentId: conv.id, body: conv.body_text ?? conv.body ?? '', html: conv.body_text == null, authorId: conv.user_id, createdAt: conv.created_at, link }, ctx));
      }
    }
    if (raw.length < FRESHDESK_PAGE_SIZE) break;
  }
  return outcomes;
}
