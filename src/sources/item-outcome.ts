/**
 * What every message source does with one page of fetched items: each item is a message, a skip with
 * its reason, or a malformed item. The page's messages are enqueued in one batch and its malformed
 * items dead-lettered next to them (a bad item never costs its neighbours); the caller moves its
 * cursor past the page only after both.
 */
import type { Message } from '../domain/message.js';
import type { PollContext } from './poll.js';

export type ItemOutcome<SkipReason extends string = string> =
  | { readonly kind: 'message'; readonly message: Message }
  | { readonly kind: 'skipped'; readonly reason: SkipReason }
  | { readonly kind: 'malformed'; readonly messageId: string | null; readonly reason: string; readonly raw: unknown };

export interface PageCounts {
  fetched: number;
  skipped: number;
  deadLettered: number;
}

export const emptyCounts = (): PageCounts => ({ fetched: 0, skipped: 0, deadLettered: 0 });

/**
 * The dead-letter payload of an item, whatever it is (JSON; a cycle or a BigInt falls back to String).
 *
 * @example deadItemPayload({ id: 1 }) // '{"id":1}'
 */
export function deadItemPayload(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return String(value);
  }
}

/** Enqueues the page's messages (one batch), then dead-letters its malformed items, and adds to `counts`. */
export async function storeOutcomes(ctx: PollContext, source: string, outcomes: readonly ItemOutcome[], counts: PageCounts): Promise<void> {
  const messages: Message[] = [];
  for (const o of outcomes) {
    if (o.kind === 'message') messages.push(o.message);
    else if (o.kind === 'skipped') counts.skipped += 1;
  }
  if (messages.length > 0) await ctx.enqueue(messages);
  counts.fetched += messages.length;
  for (const o of outcomes) {
    if (o.kind !== 'malformed') continue;
    await ctx.deadLetter({ messageId: o.messageId, source, payload: deadItemPayload(o.raw), reason: o.reason, attempts: 1 });
    counts.deadLettered += 1;
  }
}
