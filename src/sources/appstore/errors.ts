/**
 * What a failed store request means for the worker: wait for the reset (429), stop the source
 * (401/403), or retry with backoff (5xx, timeouts, resets, malformed bodies); other 4xx are not
 * retried. Messages never include a key or a token.
 */
import { RadarError } from '../../platform/errors.js';
import { SourceAuthError, SourceRateLimitError } from '../poll.js';
import type { RateLimitInfo } from '../source-state.js';

/** When a 429 says nothing about when to come back, wait this long. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

export class AppStoreApiError extends RadarError {
  constructor(source: string, message: string, retryable: boolean, readonly status: number | null = null) {
    super('ERR_SOURCE', message, { context: { source, status }, retryable });
    this.name = 'AppStoreApiError';
  }
}

/** `Retry-After` (seconds or an HTTP date) as epoch ms, or null. */
export function retryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\s*\d+\s*$/.test(value)) return now + Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? date : null;
}

/**
 * App Store Connect's `X-Rate-Limit: user-hour-lim:3600;user-hour-rem:3599;` as a rate limit (the
 * header gives no reset time: the hour rolls).
 */
export function appleRateLimit(value: string | null): RateLimitInfo | null {
  if (value === null) return null;
  const lim = /user-hour-lim:(\d+)/.exec(value);
  const rem = /user-hour-rem:(\d+)/.exec(value);
  if (!lim && !rem) return null;
  return { limit: lim ? Number(lim[1]) : null, remaining: rem ? Number(rem[1]) : null, resetAt: null };
}

/** A short, safe description of an error body (Google's `error.message`, Apple's `errors[0].detail`). */
export function problem(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const b = body as { error?: unknown; error_description?: unknown; errors?: Array<{ title?: unknown; detail?: unknown }> };
  const google = typeof b.error === 'object' && b.error !== null ? (b.error as { message?: unknown }).message : b.error;
  const parts = [google, b.error_description, b.errors?.[0]?.title, b.errors?.[0]?.detail].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length === 0 ? '' : `: ${[...new Set(parts)].join(' — ').slice(0, 300)}`;
}

/** The error for a non-2xx answer of `what` (e.g. `Google Play reviews API`). */
export function httpError(source: string, what: string, status: number, headers: Headers, body: unknown, now: number, rateLimit: RateLimitInfo | null): Error {
  if (status === 429) {
    const at = retryAfter(headers.get('retry-after'), now);
    const resetAt = at !== null && at > now ? at : now + DEFAULT_RATE_LIMIT_WAIT_MS;
    return new SourceRateLimitError(source, resetAt, { limit: rateLimit?.limit ?? null, remaining: 0, resetAt });
  }
  if (status === 401 || status === 403) return new SourceAuthError(source, `${what} rejected the credentials (HTTP ${status}${problem(body)})`);
  if (status >= 500) return new AppStoreApiError(source, `${what} answered HTTP ${status}${problem(body)}`, true, status);
  return new AppStoreApiError(source, `${what} refused the request (HTTP ${status}${problem(body)}); check the config`, false, status);
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** One HTTP request with a timeout; network failures and unreadable bodies become retryable errors. */
export async function requestJson(source: string, what: string, url: string, init: RequestInit, timeoutMs: number, signal?: AbortSignal): Promise<JsonResponse> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: combined, redirect: 'error' });
  } catch (error) {
    const why = timeout.aborted ? `no answer within ${timeoutMs}ms` : error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new AppStoreApiError(source, `${what} request failed: ${why.slice(0, 200)}`, true);
  }
  const text = await response.text().catch(() => '');
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      if (response.ok) throw new AppStoreApiError(source, `${what} sent a body that is not JSON (HTTP ${response.status})`, true, response.status);
    }
  }
  return { status: response.status, headers: response.headers, body };
}
