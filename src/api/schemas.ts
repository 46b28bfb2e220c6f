import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CHANNELS, LANGS, type Message } from '../domain/message.js';
import { hashAuthor } from '../platform/hash.js';
import { MAX_DATE_MS, MAX_TEXT_LENGTH } from '../queues/message-schema.js';
import { decodeMessageCursor } from '../store/message-store.js';

const DATE_RANGE = `is outside the range of dates (|epoch ms| ≤ ${MAX_DATE_MS})`;

/** A time given as epoch milliseconds or an ISO 8601 string, within the range of a Date. */
export const timeInput = z.union([
  z.number().finite().refine((n) => Math.abs(n) <= MAX_DATE_MS, DATE_RANGE),
  z
    .string()
    .min(1)
    .max(40)
    .transform((s, ctx) => {
      const n = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
      if (Number.isFinite(n) && Math.abs(n) > MAX_DATE_MS) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: DATE_RANGE });
        return z.NEVER;
      }
      if (!Number.isFinite(n)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${s}" is not a time (epoch ms or ISO 8601)` });
        return z.NEVER;
      }
      return n;
    }),
]);

/** A message pushed through `POST /api/messages`. */
export const pushedMessageSchema = z
  .object({
    id: z.string().min(1).max(400).regex(/^[\w.:@\-/+=]+$/, 'letters, digits and _.:@-/+= only').optional().describe('Stable id; re-sending the same id stores it once. Default: a new UUID.'),
    channel: z.enum(CHANNELS).describe(`One of ${CHANNELS.join(', ')}.`),
    text: z.string().min(1).max(MAX_TEXT_LENGTH).describe('The message text.'),
    author: z.string().max(200).nullable().optional().describe('Author id or address; stored hashed.'),
    createdAt: timeInput.optional().describe('When the user wrote it (default: now).'),
    lang: z.enum(LANGS).nullable().optional().describe('en or ru; detected when absent.'),
    link: z.string().url().max(2000).regex(/^https?:\/\//i, 'only http(s) links').nullable().optional().describe('Link to the original (http or https).'),
    source: z.string().min(1).max(200).regex(/^[\w.-]+$/).optional().describe('Source name (default api).'),
    meta: z.record(z.unknown()).optional().describe('Extra fields kept with the message.'),
  })
  .strict();

/** One message, an array of them, or `{messages: [...]}`; at most 1000 per request. */
export const pushMessagesBody = z.array(pushedMessageSchema).min(1, 'at least one message').max(1000, 'at most 1000 messages per request');

/** Normalises the accepted body shapes to an array, so validation errors name the exact field (`body[3].channel`). */
export function messagesFromBody(body: unknown): unknown {
  if (Array.isArray(body)) return body;
  if (body !== null && typeof body === 'object' && 'messages' in body && Object.keys(body).length === 1) return (body as { messages: unknown }).messages;
  return [body];
}

/** The Message a pushed item becomes; `authorKey` keys the author hash (the deployment's author key). */
export function toMessage(input: z.infer<typeof pushedMessageSchema>, now: number, authorKey: string): Message {
  const id = input.id === undefined ? `api:${randomUUID()}` : input.id.includes(':') ? input.id : `api:${input.id}`;
  return {
    id,
    channel: input.channel,
    source: input.source ?? 'api',
    author: input.author ? hashAuthor(authorKey, input.author) : null,
    text: input.text,
    lang: input.lang ?? null,
    createdAt: new Date(input.createdAt ?? now).toISOString(),
    link: input.link ?? null,
    ...(input.meta === undefined ? {} : { meta: input.meta }),
  };
}

const boolParam = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Filters on store reviews' meta (channel appstore): app version, stars, country. */
export const reviewFilters = {
  appVersion: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\p{L}\p{N} ._+()-]+$/u, 'must be an app version such as 4.12.0')
    .describe('Store reviews of this app version (`meta.appVersion`, e.g. `4.12.0`). Only app-store reviews match.'),
  rating: z
    .string()
    .max(20)
    .regex(/^[1-5](,[1-5]){0,4}$/, 'must be stars 1 to 5, or a comma list such as 1,2')
    .transform((v) => [...new Set(v.split(',').map(Number))].sort())
    .describe('Store reviews with these stars (`1,2` for the low ratings). Only app-store reviews match.'),
  country: z
    .string()
    .regex(/^[A-Za-z]{2,3}$/, 'must be a country code such as USA')
    .transform((v) => v.toUpperCase())
    .describe('Store reviews from this country (`meta.country`, the App Store territory such as `USA`). Only app-store reviews match.'),
};

export const messageQuerySchema = z
  .object({
    complaint: boolParam.optional(),
    category: z.string().max(100).optional(),
    channel: z.enum(CHANNELS).optional(),
    lang: z.enum(LANGS).optional(),
    source: z.string().max(200).optional(),
    q: z.string().max(200).optional(),
    appVersion: reviewFilters.appVersion.optional(),
    rating: reviewFilters.rating.optional(),
    country: reviewFilters.country.optional(),
    from: timeInput.optional(),
    to: timeInput.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z
      .string()
      .max(500)
      .refine((c) => decodeMessageCursor(c) !== null, 'is not a cursor this API gave (use nextCursor from the previous page)')
      .optional(),
  })
  .strict();

export const labelBodySchema = z
  .object({
    complaint: z.boolean(),
    category: z.string().min(1).max(100).nullable().optional(),
  })
  .strict();

export { SERIES_KEY } from '../series/series-key.js';

const pointsArray = z.array(z.object({ t: timeInput, v: z.number().finite() }).strict()).min(1).max(100_000);

/** `[{t, v}, ...]` or `{points: [...], mode: 'set' | 'add'}`. */
export const seriesPointsBody = z
  .object({ points: pointsArray, mode: z.enum(['set', 'add']).default('set') })
  .strict();

export function pointsFromBody(body: unknown): unknown {
  return Array.isArray(body) ? { points: body } : body;
}

export const seriesQuerySchema = z
  .object({
    from: timeInput.optional(),
    to: timeInput.optional(),
    step: z.string().max(20).optional(),
    agg: z.enum(['sum', 'avg', 'max', 'min']).default('sum'),
    fill: boolParam.optional(),
    with: z.enum(['band']).optional(),
    rate: boolParam.optional(),
  })
  .strict();
