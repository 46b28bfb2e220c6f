/**
 * What a failed VK request means for the worker. VK answers HTTP 200 with `{error: {error_code, ...}}`:
 * 5 (token invalid or expired), 27/28 (a token of the wrong kind for the method) stop the source;
 * 6 (too many requests per second; vk-io waits and asks again, so it arrives here only when VK keeps
 * refusing past the request timeout), 9 (flood control) and 29 (a method's daily quota spent) wait;
 * 10 (internal server error) and transport failures are retried with backoff; anything else is a
 * request VK will not answer (a bad query or community id): an error, not retried.
 * Messages never include the token (vk-io's own messages carry only the code and VK's text).
 */
import { APIError } from 'vk-io';
import { RadarError } from '../../platform/errors.js';
import { SourceAuthError, SourceRateLimitError } from '../poll.js';

/** Error 6 still refused after the request timeout: ask again after this long. */
export const TOO_MANY_WAIT_MS = 2_000;
/** Error 9 (flood control): VK says no reset; a minute is modest. */
export const FLOOD_WAIT_MS = 60_000;
/** Error 29 (rate limit reached: a method's daily quota per token): VK says no reset; try again in an hour. */
export const QUOTA_WAIT_MS = 3_600_000;

const AUTH_CODES = new Set([5, 27, 28]);

export class VkApiError extends RadarError {
  constructor(source: string, message: string, retryable: boolean, readonly vkCode: number | null = null) {
    super('ERR_SOURCE', message, { context: { source, vkCode }, retryable });
    this.name = 'VkApiError';
  }
}

/** A call still unanswered after this long (vk-io re-asks on error 6 without end) becomes this error. */
export class VkStillThrottledError extends Error {
  constructor(readonly method: string) {
    super(`VK kept answering "too many requests" to ${method}`);
    this.name = 'VkStillThrottledError';
  }
}

const clip = (text: string) => text.replace(/\s+/g, ' ').slice(0, 200);

export function mapVkError(source: string, error: unknown, now: number): Error {
  if (error instanceof RadarError) return error;
  if (error instanceof VkStillThrottledError) {
    const resetAt = now + TOO_MANY_WAIT_MS;
    return new SourceRateLimitError(source, resetAt, { limit: null, remaining: 0, resetAt });
  }
  if (error instanceof APIError) {
    const code = Number(error.code);
    if (AUTH_CODES.has(code)) return new SourceAuthError(source, `VK rejected the access token (error ${code}: ${clip(error.message)})`);
    if (code === 6 || code === 9 || code === 29) {
      const resetAt = now + (code === 29 ? QUOTA_WAIT_MS : code === 9 ? FLOOD_WAIT_MS : TOO_MANY_WAIT_MS);
      return new SourceRateLimitError(source, resetAt, { limit: null, remaining: 0, resetAt });
    }
    if (code === 10) return new VkApiError(source, `VK API internal error (error 10: ${clip(error.message)})`, true, code);
    return new VkApiError(source, `VK API refused the request (${clip(error.message)}); check the query and communityId`, false, code);
  }
  const why = error instanceof Error ? `${error.name === 'AbortError' ? 'request timeout' : clip(error.message)}` : String(error);
  return new VkApiError(source, `VK API request failed: ${why}`, true);
}
