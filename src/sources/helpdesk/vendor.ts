/** What each help-desk vendor's webhook adapter provides (one file per vendor: zendesk.ts, jira.ts, …). */
import type { z } from 'zod';
import type { HelpdeskContext, ItemOutcome } from './message.js';
import type { Verdict } from './signature.js';

export interface HookDelivery {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body exactly as received: signatures are over these bytes. */
  readonly body: Buffer;
}

export interface WebhookSettings {
  readonly secrets: readonly string[];
  /** How far a signed delivery timestamp may be from now (ms). */
  readonly tolerance: number;
  /** How old a signed event time in the body may be (ms). */
  readonly maxEventAge: number;
}

export type ParseResult = { readonly ok: true; readonly outcomes: readonly ItemOutcome[] } | { readonly ok: false; readonly error: string };

export interface WebhookAdapter {
  /** Checks the signature (and the signed delivery timestamp, where the vendor sends one) over the raw body. */
  verify(delivery: HookDelivery, settings: WebhookSettings, now: number): Verdict;
  /** The event's time (epoch ms) from the signed body, for the replay window; null where the vendor puts none there. */
  eventTime(body: unknown): number | null;
  /** The delivery's comments; `ok: false` when the body is not this vendor's payload at all (400, dead-lettered). */
  parse(body: unknown, ctx: HelpdeskContext): ParseResult;
}

/** A short description of what is wrong with a value that failed `schema` (first issue). */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

export const idSchemaNote = 'a ticket or comment id (number or string)';
