import { z } from 'zod';
import { CHANNELS, LANGS, type Message } from '../domain/message.js';

export const MAX_TEXT_LENGTH = 20_000;

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
    createdAt: z.string().regex(ISO_DATETIME, 'must be an ISO 8601 date-time with a time zone').refine((v) => !Number.isNaN(Date.parse(v)), 'not a valid date'),
    link: z.string().max(2000).regex(/^https?:\/\//i, 'only http(s) links').nullable(),
    meta: z.record(z.unknown()).optional(),
  })
  .strict();

export function parseMessage(value: unknown): Message {
  return messageSchema.parse(value) as Message;
}
