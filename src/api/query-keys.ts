/**
 * Repeated query keys (`?from=1&from=2`) are refused for every route: the query parser would make an
 * array of them, which one schema reads as "invalid", another silently as its first or last value.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

/**
 * The first key that appears more than once in the query of `url`, or null.
 *
 * @example repeatedQueryKey('/api/series/x?from=1&from=2') // 'from'
 */
export function repeatedQueryKey(url: string): string | null {
  const at = url.indexOf('?');
  if (at === -1) return null;
  const seen = new Set<string>();
  for (const key of new URLSearchParams(url.slice(at + 1)).keys()) {
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return null;
}

/** `onRequest` hook: a 400 `ERR_VALIDATION` naming the repeated key (`query.from`). */
export async function rejectRepeatedQueryKeys(request: FastifyRequest): Promise<void> {
  const key = repeatedQueryKey(request.url);
  if (key !== null) {
    const field = `query.${key.slice(0, 100)}`;
    throw new HttpError(400, 'ERR_VALIDATION', `${field}: given more than once (send each query parameter once)`, field);
  }
}
