/**
 * Reddit's OAuth API over fetch: an application-only token (client credentials grant at
 * `<authBase>/api/v1/access_token`, cached until it expires), listings from `<apiBase>` with the token,
 * the app's User-Agent on every request, `X-Ratelimit-Remaining/Used/Reset` read from every answer.
 * Errors come out as what the worker acts on; no message includes the secret or the token.
 */
import type { RedditSourceConfig } from '../../config/reddit.js';
import { SourceAuthError, SourceRateLimitError } from '../poll.js';
import type { RateLimitInfo } from '../source-state.js';
import { headerNumber, SocialApiError } from '../social/index.js';

/** When a 429 carries no usable `X-Ratelimit-Reset`, wait this long. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/** `X-Ratelimit-Used/Remaining/Reset` (reset: seconds from now; remaining may be fractional) → ours. */
export function redditRateLimit(headers: Headers, now: number): RateLimitInfo | null {
  const used = headerNumber(headers.get('x-ratelimit-used'));
  const remaining = headerNumber(headers.get('x-ratelimit-remaining'));
  const reset = headerNumber(headers.get('x-ratelimit-reset'));
  if (used === null && remaining === null && reset === null) return null;
  return {
    limit: used !== null && remaining !== null ? Math.round(used + remaining) : null,
    remaining: remaining === null ? null : Math.floor(remaining),
    resetAt: reset === null ? null : now + reset * 1000,
  };
}

export interface Listing {
  readonly body: unknown;
  readonly rateLimit: RateLimitInfo | null;
}

export class RedditClient {
  private token: { readonly value: string; readonly expiresAt: number } | null = null;

  constructor(
    private readonly config: Pick<RedditSourceConfig, 'name' | 'clientId' | 'clientSecret' | 'userAgent' | 'apiBase' | 'authBase' | 'requestTimeout'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** GET `<apiBase><path>?<params>` with a token; one new token and one retry when the token was refused. */
  async get(path: string, params: Readonly<Record<string, string>>): Promise<Listing> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const url = `${this.config.apiBase}${path}?${new URLSearchParams(params).toString()}`;
      const response = await this.fetch(url, { headers: { authorization: `Bearer ${token}`, 'user-agent': this.config.userAgent, accept: 'application/json' } });
      const rateLimit = redditRateLimit(response.headers, this.now());
      if (response.status === 401 && attempt === 0) {
        this.token = null; // expired or revoked: one fresh token
        await response.body?.cancel();
        continue;
      }
      if (!response.ok) throw await this.failure(response, rateLimit, 'Reddit');
      const text = await response.text();
      try {
        return { body: JSON.parse(text) as unknown, rateLimit };
      } catch {
        throw new SocialApiError(this.config.name, `Reddit sent a malformed response (HTTP ${response.status}): not JSON`, true, response.status);
      }
    }
  }

  private async accessToken(): Promise<string> {
    if (this.token !== null && this.token.expiresAt > this.now()) return this.token.value;
    const basic = Buffer.from(`${this.config.clientId}:${this.config.clientSecret}`).toString('base64');
    const response = await this.fetch(`${this.config.authBase}/api/v1/access_token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'user-agent': this.config.userAgent, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    if (!response.ok) throw await this.failure(response, redditRateLimit(response.headers, this.now()), 'Reddit token endpoint');
    const body = (await response.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown; error?: unknown } | null;
    if (typeof body?.access_token !== 'string' || body.access_token === '') {
      // Reddit answers a bad client id/secret for this grant with 200 {"error": "invalid_grant"} or 401.
      if (typeof body?.error === 'string') throw new SourceAuthError(this.config.name, `Reddit refused the app credentials (${body.error.slice(0, 100)})`);
      throw new SocialApiError(this.config.name, 'Reddit token endpoint sent no access_token', true);
    }
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    this.token = { value: body.access_token, expiresAt: this.now() + Math.max(0, seconds - 60) * 1000 };
    return this.token.value;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(this.config.requestTimeout) });
    } catch (error) {
      const e = error as Error & { cause?: unknown };
      const why = e.name === 'TimeoutError' ? 'timeout' : `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}`;
      throw new SocialApiError(this.config.name, `Reddit request failed: ${why.slice(0, 200)}`, true);
    }
  }

  private async failure(response: Response, rateLimit: RateLimitInfo | null, who: string): Promise<Error> {
    const status = response.status;
    const text = (await response.text().catch(() => '')).slice(0, 2000);
    let why = '';
    try {
      const body = JSON.parse(text) as { message?: unknown; error?: unknown; reason?: unknown };
      const parts = [body.message, body.reason, body.error].filter((p): p is string => typeof p === 'string' && p !== '');
      why = parts.length === 0 ? '' : `: ${parts.join(' — ').slice(0, 200)}`;
    } catch {
      /* not JSON: the status says enough */
    }
    if (status === 429) {
      const now = this.now();
      const resetAt = rateLimit?.resetAt != null && rateLimit.resetAt > now ? rateLimit.resetAt : now + DEFAULT_RATE_LIMIT_WAIT_MS;
      return new SourceRateLimitError(this.config.name, resetAt, { limit: rateLimit?.limit ?? null, remaining: 0, resetAt });
    }
    if (status === 401) return new SourceAuthError(this.config.name, `${who} rejected the app credentials (HTTP 401${why})`);
    if (status >= 500) return new SocialApiError(this.config.name, `${who} answered HTTP ${status}${why}`, true, status);
    return new SocialApiError(this.config.name, `${who} refused the request (HTTP ${status}${why}); check the subreddits, the search and the User-Agent`, false, status);
  }
}
