/**
 * One ticket comment → one Message, or why not. Pure: no IO, no clock (`now` is an argument). Shared by
 * every vendor's webhook parser and poller, so a comment has the same id whichever way it arrives:
 * `helpdesk:<source>:<ticket id>:<comment id>` (`description` for a ticket's first message).
 */
import type { Message } from '../../domain/message.js';
import type { ItemOutcome as SourceItemOutcome } from '../item-outcome.js';
import { keyedHash } from '../../platform/hash.js';
import { MAX_TEXT_LENGTH, timeProblem } from '../../queues/message-schema.js';
import type { HelpdeskVendor } from '../../config/helpdesk.js';
import { htmlToPlainText, stripQuotesAndSignature } from '../imap/clean-text.js';

/** Why a comment is not a customer's words. */
export type SkipReason = 'agent-reply' | 'internal-note' | 'first-comment-again' | 'event-type' | 'empty';

export type ItemOutcome = SourceItemOutcome<SkipReason>;

/** Comment id of a ticket's first message (its description). */
export const FIRST_MESSAGE = 'description';

/** Ticket and comment ids are short tokens: anything else is not a vendor id. */
const ID = /^[A-Za-z0-9_.-]{1,80}$/;

export interface HelpdeskContext {
  readonly source: string;
  readonly vendor: HelpdeskVendor;
  /** Base URL of the help desk (links are made from it). */
  readonly url: string;
  readonly authorKey: string;
  readonly now: number;
  readonly maxFutureSkewMs: number;
}

export interface Comment {
  readonly ticketId: string | number;
  readonly commentId: string | number;
  /** Subject or title: kept in front of the first message's text. */
  readonly subject?: string | null | undefined;
  readonly body: string;
  readonly html: boolean;
  /** The vendor's id of the author (hashed with the deployment key before it is stored). */
  readonly authorId?: string | number | null | undefined;
  /** When it was written: ISO text or epoch ms. */
  readonly createdAt: string | number;
  readonly link: string;
  readonly meta?: Readonly<Record<string, unknown>>;
}

export function messageId(source: string, ticketId: string | number, commentId: string | number): string {
  return `helpdesk:${source}:${ticketId}:${commentId}`;
}

/** The text a customer wrote: HTML to text, quoted history and signature cut (mail replies carry both). */
export function commentText(body: string, html: boolean): string {
  const plain = html ? htmlToPlainText(body) : body;
  return stripQuotesAndSignature(plain).replace(/[ \t]+/g, ' ').trim();
}

export function commentToMessage(comment: Comment, ctx: HelpdeskContext): ItemOutcome {
  const ticketId = String(comment.ticketId);
  const commentId = String(comment.commentId);
  if (!ID.test(ticketId) || !ID.test(commentId)) {
    return { kind: 'malformed', messageId: null, reason: `ticket id "${ticketId.slice(0, 40)}" / comment id "${commentId.slice(0, 40)}" is not an id`, raw: comment };
  }
  const id = messageId(ctx.source, ticketId, commentId);
  const at = typeof comment.createdAt === 'number' ? comment.createdAt : Date.parse(comment.createdAt);
  const problem = timeProblem(at, ctx.now, ctx.maxFutureSkewMs);
  if (problem !== null) return { kind: 'malformed', messageId: id, reason: `createdAt ${problem}`, raw: comment };
  const body = commentText(comment.body, comment.html);
  const subject = comment.subject?.replace(/\s+/g, ' ').trim() ?? '';
  const text = subject !== '' && !body.startsWith(subject) ? `${subject}\n\n${body}`.trim() : body;
  if (text === '') return { kind: 'skipped', reason: 'empty' };
  const author = comment.authorId === null || comment.authorId === undefined || String(comment.authorId) === '' ? null : keyedHash('hd', ctx.authorKey, `${ctx.source}:${String(comment.authorId)}`, 24);
  return {
    kind: 'message',
    message: {
      id,
      channel: 'helpdesk',
      source: ctx.source,
      author,
      text: text.slice(0, MAX_TEXT_LENGTH),
      lang: null,
      createdAt: new Date(at).toISOString(),
      link: comment.link.slice(0, 2000),
      meta: { vendor: ctx.vendor, ticketId, commentId, ...(comment.meta ?? {}) },
    },
  };
}
