/**
 * What a failed Mastodon request means for the worker: wait for the reset (429, with Mastodon's
 * `X-RateLimit-*` headers), stop the source (401, or 403 for a token without the needed scope), or retry
 * (5xx, timeouts, resets, malformed bodies). Messages never include the token.
 */
import { MastoHttpError, MastoTimeoutError, MastoUnexpectedError, MastoDeserializeError } from 'masto';
import { SourceAuthError, SourceRateLimitError } from '../poll.js';
import type { RateLimitInfo } from '../source-state.js';
import { headerNumber, SocialApiError } from '../social/index.js';

/** When a 429 carries no usable `X-RateLimit-Reset`, wait this long (Mastodon's windows are 5 minutes). */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

interface HeaderSource {
  get(name: string): string | null;
}

/** `X-RateLimit-Limit/Remaining/Reset` (reset: an ISO time, as Mastodon sends it, or epoch seconds) → ours. */
export function mastodonRateLimit(headers: HeaderSource | null | undefined): RateLimitInfo | null {
  if (!headers) return null;
  const limit = headerNumber(headers.get('x-ratelimit-limit'));
  const remaining = headerNumber(headers.get('x-ratelimit-remaining'));
  const resetText = headers.get('x-ratelimit-reset');
  let resetAt: number | null = null;
  if (resetText !== null) {
    const asNumber = headerNumber(resetText);
    const parsed = asNumber === null ? Date.parse(resetText) : asNumber * 1000;
    resetAt = Number.isFinite(parsed) ? parsed : null;
  }
  if (limit === null && remaining === null && resetAt === null) return null;
  return { limit, remaining, resetAt };
}

function responseHeaders(error: MastoHttpError): HeaderSource | null {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Response ? cause.headers : null;
}

export function mapMastodonError(source: string, error: unknown, now: number): Error {
  if (error instanceof MastoHttpError) {
    const status = error.statusCode;
    const why = error.message ? `: ${error.message.slice(0, 200)}` : '';
    if (status === 429) {
      const info = mastodonRateLimit(responseHeaders(error));
      const resetAt = info?.resetAt != null && info.resetAt > now ? info.resetAt : now + DEFAULT_RATE_LIMIT_WAIT_MS;
      return new SourceRateLimitError(source, resetAt, { limit: info?.limit ?? null, remaining: 0, resetAt });
    }
    if (status === 401 || status === 403) return new SourceAuthError(source, `Mastodon rejected the access token (HTTP ${status}${why})`);
    if (status >= 500) return new SocialApiError(source, `Mastodon answered HTTP ${status}${why}`, true, status);
    return new SocialApiError(source, `Mastodon refused the request (HTTP ${status}${why}); check the hashtags and search`, false, status);
  }
  if (error instanceof MastoTimeoutError) return new SocialApiError(source, 'Mastodon request failed: timeout', true);
  if (error instanceof MastoUnexpectedError || error instanceof MastoDeserializeError || error instanceof SyntaxError) {
    return new SocialApiError(source, `Mastodon sent a malformed response: ${error.message.slice(0, 200)}`, true);
  }
  if (error instanceof SocialApiError || error instanceof SourceAuthError || error instanceof SourceRateLimitError) return error;
  const why = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
  return new SocialApiError(source, `Mastodon request failed: ${why.slice(0, 200)}`, true);
}
