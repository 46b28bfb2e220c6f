/**
 * The fields every polled source's config repeats (its name, a base URL, a poll interval, a request
 * timeout, a page budget, a language filter): one definition each, so a rule such as "at least 100ms"
 * or "a trailing slash is dropped" holds for every source. Each source keeps its own description.
 */
import { z } from 'zod';
import { duration } from './duration.js';

const NAME_DESCRIPTION = 'Source name: shown in /api/sources and on every message it produces (`source`). Unique across all sources.';

/** A source's name: it keys cursors, status and `source` on messages, so it is unique across kinds. */
export function sourceName(description: string = NAME_DESCRIPTION) {
  return z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be letters, digits, _ . - (at most 100)')
    .describe(description);
}

/** An http(s) base URL without its trailing slash. */
export function httpUrl(description: string) {
  return z
    .string()
    .url()
    .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
    .transform((u) => u.replace(/\/+$/, ''))
    .describe(description);
}

/** A period (poll interval, request timeout) of at least 100ms, with its default. */
export function period(defaultValue: string, description: string) {
  return duration()
    .default(defaultValue)
    .refine((ms) => ms >= 100, 'must be at least 100ms')
    .describe(description);
}

/** How many pages one poll may read before it leaves the rest to the next poll. */
export function pagesPerPoll(description: string, { max = 100, defaultValue = 10 }: { readonly max?: number; readonly defaultValue?: number } = {}) {
  return z.number().int().min(1).max(max).default(defaultValue).describe(description);
}

/** An optional filter of ISO 639-1 language codes (absent: every language). */
export function languageCodes(description: string) {
  return z
    .array(z.string().regex(/^[a-z]{2,3}$/, 'must be an ISO 639-1 code such as en or ru'))
    .min(1)
    .optional()
    .describe(description);
}
