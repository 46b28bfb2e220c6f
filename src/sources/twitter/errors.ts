/**
 * What a failed X request means for the worker: wait for the reset (429), stop the source (401/403),
 * or retry with backoff (5xx, timeouts, resets, malformed bodies). Messages never include the token.
 */
import { ApiPartialResponseError, ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { RadarError } from '../../platform/errors.js';
import { SourceAuthError, SourceRateLimitError } from '../poll.js';
import type { RateLimitInfo } from '../source-state.js';

/** When a 429 carries no `x-rate-limit-reset`, wait this long (the shortest X window is 15 minutes; be modest). */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

interface XWindow {
  readonly limit?: number;
  readonly remaining?: number;
  readonly reset?: number;
}
interface XRateLimit extends XWindow {
  /** x-app-limit-24hour-*: a 429 may come from the daily cap while the 15-minute window has room. */
  readonly day?: XWindow;
  readonly userDay?: XWindow;
}

/** twitter-api-v2's `{limit, remaining, reset (epoch s)}` → ours (epoch ms). Null when the response had no headers. */
export function toRateLimitInfo(rateLimit: XRateLimit | undefined | null): RateLimitInfo | null {
  if (!rateLimit || rateLimit.limit === undefined || !Number.isFinite(rateLimit.limit)) return null;
  const finite = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n : null);
  const reset = finite(rateLimit.reset);
  return { limit: finite(rateLimit.limit), remaining: finite(rateLimit.remaining), resetAt: reset === null ? null : reset * 1000 };
}

/** Errors of the X API that are not auth or rate limits: retryable unless the request itself is wrong (4xx). */
export class TwitterApiError extends RadarError {
  constructor(source: string, message: string, retryable: boolean, readonly status: number | null = null) {
    super('ERR_SOURCE', message, { context: { source, status }, retryable });
    this.name = 'TwitterApiError';
  }
}

function problem(data: unknown): string {
  if (typeof data !== 'object' || data === null) return '';
  const d = data as { title?: unknown; detail?: unknown; errors?: Array<{ message?: unknown }> };
  const parts = [d.title, d.detail, d.errors?.[0]?.message].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length === 0 ? '' : `: ${[...new Set(parts)].join(' — ').slice(0, 300)}`;
}

/** Maps anything the client throws to the error that tells the worker what to do. */
export function mapTwitterError(source: string, error: unknown, now: number): Error {
  if (error instanceof ApiResponseError) {
    if (error.code === 429 || error.rateLimitError) {
      const info = toRateLimitInfo(error.rateLimit);
      const rl = error.rateLimit as XRateLimit | undefined;
      const resets = [rl, rl?.day, rl?.userDay]
        .filter((w): w is XWindow => w !== undefined && w.remaining === 0 && w.reset !== undefined && Number.isFinite(w.reset))
        .map((w) => (w.reset as number) * 1000);
      const latest = Math.max(info?.resetAt ?? 0, ...resets);
      const resetAt = latest > now ? latest : now + DEFAULT_RATE_LIMIT_WAIT_MS;
      return new SourceRateLimitError(source, resetAt, info ?? { limit: null, remaining: 0, resetAt });
    }
    if (error.code === 401 || error.code === 403) {
      return new SourceAuthError(source, `X API rejected the bearer token (HTTP ${error.code}${problem(error.data)})`);
    }
    if (error.code >= 500) return new TwitterApiError(source, `X API answered HTTP ${error.code}${problem(error.data)}`, true, error.code);
    return new TwitterApiError(source, `X API refused the search (HTTP ${error.code}${problem(error.data)}); check the query`, false, error.code);
  }
  if (error instanceof ApiPartialResponseError) {
    const status = error.response?.statusCode ?? null;
    return new TwitterApiError(source, `X API sent a malformed response (HTTP ${status ?? '?'}): ${error.responseError.message.slice(0, 200)}`, true, status);
  }
  if (error instanceof ApiRequestError) {
    // twitter-api-v2 1.29 stores the cause as `error` but its `requestError` getter reads `requestError`.
    const inner: unknown = error.requestError ?? (error as unknown as { _options?: { error?: unknown } })._options?.error;
    const why = inner instanceof Error ? inner.message : error.message;
    return new TwitterApiError(source, `X API request failed: ${why.slice(0, 200)}`, true);
  }
  return error instanceof Error ? error : new Error(String(error));
}
