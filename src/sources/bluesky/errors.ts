/**
 * What a failed Bluesky request means for the worker: wait for `ratelimit-reset` (429), stop the
 * source (401: wrong identifier or app password, a revoked session, a taken-down account), or retry
 * (5xx, timeouts, malformed answers). Messages never include the password or the session tokens.
 */
import { XRPCError } from '@atproto/api';
import { SourceAuthError, SourceRateLimitError } from '../poll.js';
import type { RateLimitInfo } from '../source-state.js';
import { headerNumber, SocialApiError } from '../social/index.js';

export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

type HeaderLookup = (name: string) => string | null | undefined;

/** `ratelimit-limit/remaining/reset` (reset: epoch seconds) → ours. */
export function blueskyRateLimit(get: HeaderLookup): RateLimitInfo | null {
  const limit = headerNumber(get('ratelimit-limit'));
  const remaining = headerNumber(get('ratelimit-remaining'));
  const reset = headerNumber(get('ratelimit-reset'));
  if (limit === null && remaining === null && reset === null) return null;
  return { limit, remaining, resetAt: reset === null ? null : reset * 1000 };
}

export function mapBlueskyError(source: string, error: unknown, now: number): Error {
  if (error instanceof SourceAuthError || error instanceof SourceRateLimitError || error instanceof SocialApiError) return error;
  if (error instanceof XRPCError) {
    const status = error.status;
    const why = [error.error, error.message].filter((p) => typeof p === 'string' && p !== '' && p !== 'Unknown').filter((p, i, all) => all.indexOf(p) === i).join(' — ').slice(0, 200);
    const detail = why === '' ? '' : `: ${why}`;
    if (status === 429) {
      const headers = error.headers ?? {};
      const info = blueskyRateLimit((name) => headers[name]);
      const resetAt = info?.resetAt != null && info.resetAt > now ? info.resetAt : now + DEFAULT_RATE_LIMIT_WAIT_MS;
      return new SourceRateLimitError(source, resetAt, { limit: info?.limit ?? null, remaining: 0, resetAt });
    }
    if (status === 401 || error.error === 'AuthenticationRequired' || error.error === 'AccountTakedown' || error.error === 'InvalidToken') {
      return new SourceAuthError(source, `Bluesky rejected the login (HTTP ${status}${detail})`);
    }
    if (status >= 500) return new SocialApiError(source, `Bluesky answered HTTP ${status}${detail}`, true, status);
    if (status >= 400) return new SocialApiError(source, `Bluesky refused the search (HTTP ${status}${detail}); check the query`, false, status);
    const cause = error.cause instanceof Error ? error.cause : null;
    const text = cause?.name === 'TimeoutError' ? 'timeout' : `${error.message}${cause ? ` (${cause.message})` : ''}`;
    return new SocialApiError(source, `Bluesky request failed: ${text.slice(0, 200)}`, true);
  }
  const text = error instanceof Error ? error.message : String(error);
  return new SocialApiError(source, `Bluesky request failed: ${text.slice(0, 200)}`, true);
}
