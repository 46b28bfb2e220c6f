/**
 * Zendesk polling: the incremental ticket event export (`GET /api/v2/incremental/ticket_events.json?
 * start_time=<unix s>&include=comment_events`), page by page. Each page's comments are queued, then the
 * cursor moves to the page's `end_time` (the next page's `start_time`); events at that very second may
 * come again and are the same messages (ids `helpdesk:<source>:<ticket>:<comment id>`, the comment of
 * the ticket's creating audit as `description`, as the webhook names it). Whether a comment's author is
 * a customer (`end-user`) is asked of `/api/v2/users/show_many.json` and remembered.
 */
import { z } from 'zod';
import { commentToMessage, FIRST_MESSAGE, type HelpdeskContext, type ItemOutcome } from './message.js';
import { getJson, type PolledSource } from './api-request.js';
import { MetricSourceError } from '../metric-pull/http.js';
import type { PollContext } from '../poll.js';
import { firstIssue } from './vendor.js';
import { zendeskTicketLink } from './zendesk-webhook.js';

export interface ZendeskCursor {
  /** Unix seconds: the next export starts here. */
  readonly startTime: number;
}

/** Zendesk refuses a `start_time` less than a minute old. */
const MIN_AGE_S = 60;
/** Authors whose role is remembered (bounded: the oldest are forgotten first). */
const MAX_KNOWN_AUTHORS = 20_000;

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]);

const pageSchema = z
  .object({
    ticket_events: z.array(z.unknown()),
    next_page: z.string().nullish(),
    end_time: z.number().int().nonnegative(),
    end_of_stream: z.boolean(),
  })
  .passthrough();

const childSchema = z.object({ id, event_type: z.string() }).passthrough();
const commentSchema = z
  .object({
    id,
    event_type: z.literal('Comment'),
    body: z.string().nullish(),
    plain_body: z.string().nullish(),
    public: z.boolean(),
    author_id: id.nullish(),
    created_at: z.string().nullish(),
  })
  .passthrough();
const eventSchema = z
  .object({
    id,
    ticket_id: id,
    timestamp: z.number().int().nonnegative(),
    created_at: z.string().nullish(),
    event_type: z.string().nullish(),
    child_events: z.array(z.unknown()).default([]),
  })
  .passthrough();

const usersSchema = z.object({ users: z.array(z.object({ id, role: z.string() }).passthrough()) }).passthrough();

export function parseZendeskCursor(value: unknown): ZendeskCursor | null {
  const t = (value as { startTime?: unknown } | null)?.startTime;
  return typeof t === 'number' && Number.isInteger(t) && t >= 0 ? { startTime: t } : null;
}

export interface PageResult {
  readonly fetched: number;
  readonly skipped: number;
  readonly deadLettered: number;
}

/** Remembers each author's role (`end-user`, `agent`, `admin`), asking Zendesk for the ones not known. */
export class AuthorRoles {
  private readonly roles = new Map<string, string>();

  async resolve(config: PolledSource, ctx: PollContext, ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((i) => !this.roles.has(i));
    for (let i = 0; i < missing.length; i += 100) {
      const batch = missing.slice(i, i + 100);
      const body = usersSchema.safeParse(await getJson(config, ctx, 'users', '/api/v2/users/show_many.json', { ids: batch.join(',') }));
      if (!body.success) throw new MetricSourceError(config.name, `users: unexpected response: ${firstIssue(body.error)}`, { retryable: true, series: 'users' });
      for (const user of body.data.users) this.remember(String(user.id), user.role);
      // A deleted user is not returned: treat as an end-user only if Zendesk says so; otherwise unknown → skipped.
      for (const asked of batch) if (!this.roles.has(asked)) this.remember(asked, 'unknown');
    }
  }

  role(authorId: string): string | undefined {
    return this.roles.get(authorId);
  }

  private remember(authorId: string, role: string): void {
    if (this.roles.size >= MAX_KNOWN_AUTHORS) {
      const oldest = this.roles.keys().next().value;
      if (oldest !== undefined) this.roles.delete(oldest);
    }
    this.roles.set(authorId, role);
  }
}

/** The comments of one page of ticket events → outcomes (with the author roles already resolved). */
export function ticketEventOutcomes(events: readonly unknown[], roles: AuthorRoles, ctx: HelpdeskContext): ItemOutcome[] {
  const outcomes: ItemOutcome[] = [];
  for (const raw of events) {
    const parsed = eventSchema.safeParse(raw);
    if (!parsed.success) {
      outcomes.push({ kind: 'malformed', messageId: null, reason: `malformed ticket event: ${firstIssue(parsed.error)}`, raw });
      continue;
    }
    const event = parsed.data;
    const children = event.child_events.map((c) => childSchema.safeParse(c)).filter((c) => c.success).map((c) => c.data);
    const creating = children.some((c) => c.event_type === 'Create');
    const subjectEvent = children.find((c) => c.event_type === 'Create' && c.field_name === 'subject');
    const subject = typeof subjectEvent?.value === 'string' ? subjectEvent.value : typeof subjectEvent?.subject === 'string' ? subjectEvent.subject : null;
    for (const child of event.child_events) {
      if ((child as { event_type?: unknown } | null)?.event_type !== 'Comment') continue;
      const comment = commentSchema.safeParse(child);
      if (!comment.success) {
        outcomes.push({ kind: 'malformed', messageId: null, reason: `malformed comment event of ticket ${event.ticket_id}: ${firstIssue(comment.error)}`, raw: child });
        continue;
      }
      const c = comment.data;
      const author = c.author_id == null ? null : String(c.author_id);
      if (!c.public) outcomes.push({ kind: 'skipped', reason: 'internal-note' });
      else if (author === null || roles.role(author) !== 'end-user') outcomes.push({ kind: 'skipped', reason: 'agent-reply' });
      else {
        outcomes.push(
          commentToMessage(
            {
              ticketId: event.ticket_id,
              commentId: creating ? FIRST_MESSAGE : c.id,
              subject: creating ? subject : null,
              body: c.plain_body ?? c.body ?? '',
              html: false,
              authorId: author,
              createdAt: c.created_at ?? event.created_at ?? event.timestamp * 1000,
              link: zendeskTicketLink(ctx.url, event.ticket_id),
              meta: { zendeskCommentId: String(c.id) },
            },
            ctx,
          ),
        );
      }
    }
  }
  return outcomes;
}

/** Author ids of the public comments on a page (the ones whose role decides). */
export function commentAuthors(events: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const raw of events) {
    const children = (raw as { child_events?: unknown } | null)?.child_events;
    if (!Array.isArray(children)) continue;
    for (const c of children as Array<{ event_type?: unknown; public?: unknown; author_id?: unknown }>) {
      if (c?.event_type === 'Comment' && c.public === true && (typeof c.author_id === 'number' || typeof c.author_id === 'string')) out.push(String(c.author_id));
    }
  }
  return out;
}

export interface ZendeskPage {
  readonly events: readonly unknown[];
  readonly endTime: number;
  readonly nextPage: string | null;
  readonly endOfStream: boolean;
}

/** One page of the export: from `start_time`, or the `next_page` link of the page before. */
export async function fetchZendeskPage(config: PolledSource, ctx: PollContext, from: { readonly startTime: number } | { readonly nextPage: string }): Promise<ZendeskPage> {
  const raw =
    'nextPage' in from
      ? await getJson(config, ctx, 'ticket_events', from.nextPage)
      : await getJson(config, ctx, 'ticket_events', '/api/v2/incremental/ticket_events.json', { start_time: String(from.startTime), include: 'comment_events' });
  const page = pageSchema.safeParse(raw);
  if (!page.success) throw new MetricSourceError(config.name, `ticket_events: unexpected response: ${firstIssue(page.error)}`, { retryable: true, series: 'ticket_events' });
  return { events: page.data.ticket_events, endTime: page.data.end_time, nextPage: page.data.next_page ?? null, endOfStream: page.data.end_of_stream };
}

/** Where the first page starts: the cursor, else `lookback` ago; never less than a minute ago. */
export function zendeskStart(cursor: ZendeskCursor | null, now: number, lookbackMs: number): number {
  const latest = Math.floor(now / 1000) - MIN_AGE_S;
  const start = cursor?.startTime ?? Math.floor((now - lookbackMs) / 1000);
  return Math.max(0, Math.min(start, latest));
}
