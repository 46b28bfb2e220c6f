import { z } from 'zod';
import { CHANNELS, LANGS, type Message } from '../domain/message.js';

export const MAX_TEXT_LENGTH = 20_000;

/** Earliest `createdAt` accepted anywhere (2000-01-01T00:00:00Z): older is a wrong clock or a bad parse. */
export const MIN_CREATED_AT = Date.UTC(2000, 0, 1);

/** Default of `ingest.maxFutureSkew`: how far in the future a `createdAt` may be (clocks differ a little). */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 10 * 60_000;

/**
 * Why a message time (epoch ms) is not accepted at `now`, or null when it is: it must be a time, not
 * before `MIN_CREATED_AT`, and at most `maxFutureSkewMs` after `now` (a far-future message would sit at
 * the top of every newest-first list forever and count in buckets nobody has reached yet).
 *
 * @example timeProblem(1e20, now, 600_000) // 'is not a date (epoch ms 1e+20 is out of range)'
 */
export function timeProblem(ms: number, now: number, maxFutureSkewMs: number): string | null {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) return `is not a date (epoch ms ${ms} is out of range)`;
  if (ms < MIN_CREATED_AT) return `is before ${new Date(MIN_CREATED_AT).toISOString()}`;
  if (ms > now + maxFutureSkewMs) {
    return `is more than ${Math.round(maxFutureSkewMs / 60_000)} min in the future (${new Date(ms).toISOString()}; ingest.maxFutureSkew)`;
  }
  return null;
}

/** The largest epoch ms a JavaScript Date holds (±100,000,000 days). */
export const MAX_DATE_MS = 8.64e15;

/** ISO 8601 date-time with seconds and a zone (zod's own `.datetime()` rebuilds its regex on every call). */
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** The one schema a Message must pass wherever it enters (API, queue, sources). */
export const messageSchema = z
  .object({
    id: z.string().min(1).max(512),
    channel: z.enum(CHANNELS),
    source: z.string().min(1).max(200),
    author: z.string().max(200).nullable(),
    text: z.string().max(MAX_TEXT_LENGTH),
    lang: z.enum(LANGS).nullable(),
    createdAt: z
      .string()
      .regex(ISO_DATETIME, 'must be an ISO 8601 date-time with a time zone')
      .refine((v) => !Number.isNaN(Date.parse(v)), 'not a valid date')
      .refine((v) => Date.parse(v) >= MIN_CREATED_AT, `is before ${new Date(MIN_CREATED_AT).toISOString()}`),
    link: z.string().max(2000).regex(/^https?:\/\//i, 'only http(s) links').nullable(),
    meta: z.record(z.unknown()).optional(),
  })
  .strict();

export function parseMessage(value: unknown): Message {
  return messageSchema.parse(value) as Message;
}

const CHANNEL_SET: ReadonlySet<unknown> = new Set(CHANNELS);
const LANG_SET: ReadonlySet<unknown> = new Set(LANGS);
const HTTP_LINK = /^https?:\/\//i;
const MESSAGE_KEYS: ReadonlySet<string> = new Set(Object.keys(messageSchema.shape));

const isString = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/**
 * Does `value` pass `messageSchema` as it is? The ingest worker's fast path (zod costs as much per
 * message as classifying it): a plain check of the same rules that may say `false` where zod would
 * accept, never `true` where zod would refuse (a test holds it to that), so a `false` goes on to zod,
 * which decides and says why.
 *
 * @example isValidMessage(JSON.parse(job.data).message)
 */
export function isValidMessage(value: unknown): value is Message {
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) if (!MESSAGE_KEYS.has(key)) return false;
  const v = value;
  if (!isString(v.id, 1, 512) || !CHANNEL_SET.has(v.channel) || !isString(v.source, 1, 200)) return false;
  if (v.author !== null && !isString(v.author, 0, 200)) return false;
  if (!isString(v.text, 0, MAX_TEXT_LENGTH) || (v.lang !== null && !LANG_SET.has(v.lang))) return false;
  if (typeof v.createdAt !== 'string' || !ISO_DATETIME.test(v.createdAt)) return false;
  const at = Date.parse(v.createdAt);
  if (Number.isNaN(at) || at < MIN_CREATED_AT) return false;
  if (v.link !== null && !(isString(v.link, 0, 2000) && HTTP_LINK.test(v.link))) return false;
  return v.meta === undefined ? !('meta' in v) : isPlainObject(v.meta);
}
