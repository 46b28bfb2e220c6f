/**
 * Google Play reviews through the Android Publisher API v3 (`reviews.list`), authorised by a service
 * account: an RS256 JWT signed with its private key is exchanged for an access token (OAuth2
 * JWT-bearer grant, RFC 7523) at the token URI, and the token is reused until shortly before it expires.
 */
import type { GooglePlaySourceConfig } from '../../config/appstore.js';
import { SourceAuthError } from '../poll.js';
import { loadServiceAccount, type ServiceAccount } from './credentials.js';
import { AppStoreApiError, httpError, problem, requestJson } from './errors.js';
import { signJwt } from './jwt.js';
import { reviewsPageSchema, type ReviewsClient, type ReviewsPage } from './reviews-page.js';

export const GOOGLE_PLAY_API_BASE = 'https://androidpublisher.googleapis.com';
export const ANDROID_PUBLISHER_SCOPE = 'https://www.googleapis.com/auth/androidpublisher';
/** Reviews per page: the most `reviews.list` gives (`maxResults`). */
export const GOOGLE_PLAY_PAGE_SIZE = 100;
/** Lifetime of the signed assertion (Google accepts at most one hour). */
const ASSERTION_TTL_S = 3600;
/** Renew the access token this long before it expires. */
const TOKEN_MARGIN_MS = 60_000;

export function createGooglePlayClient(config: GooglePlaySourceConfig, now: () => number = Date.now): ReviewsClient {
  let account: ServiceAccount | null = null;
  let token: { value: string; expiresAt: number } | null = null;
  const base = config.apiBase ?? GOOGLE_PLAY_API_BASE;

  async function accessToken(signal?: AbortSignal): Promise<string> {
    const at = now();
    if (token && token.expiresAt - TOKEN_MARGIN_MS > at) return token.value;
    account ??= loadServiceAccount(config);
    const iat = Math.floor(at / 1000);
    const assertion = signJwt(
      'RS256',
      { typ: 'JWT', ...(account.privateKeyId === null ? {} : { kid: account.privateKeyId }) },
      { iss: account.clientEmail, scope: ANDROID_PUBLISHER_SCOPE, aud: account.tokenUri, iat, exp: iat + ASSERTION_TTL_S },
      account.key,
    );
    const res = await requestJson(
      config.name,
      'Google OAuth2 token endpoint',
      account.tokenUri,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      },
      config.requestTimeout,
      signal,
    );
    // invalid_grant / invalid_client come as 400: a rejected key, not a bad request of ours.
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new SourceAuthError(config.name, `Google refused the service account (HTTP ${res.status}${problem(res.body)})`);
    }
    if (res.status < 200 || res.status >= 300) throw httpError(config.name, 'Google OAuth2 token endpoint', res.status, res.headers, res.body, now(), null);
    const body = res.body as { access_token?: unknown; expires_in?: unknown } | null;
    if (typeof body?.access_token !== 'string' || body.access_token === '') throw new AppStoreApiError(config.name, 'Google OAuth2 token endpoint sent no access_token', true, res.status);
    const ttl = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : 3600_000;
    token = { value: body.access_token, expiresAt: at + ttl };
    return token.value;
  }

  function url(pageToken: string | null): string {
    const u = new URL(`${base}/androidpublisher/v3/applications/${encodeURIComponent(config.packageName)}/reviews`);
    u.searchParams.set('maxResults', String(GOOGLE_PLAY_PAGE_SIZE));
    if (pageToken !== null) u.searchParams.set('token', pageToken);
    if (config.translationLanguage !== undefined) u.searchParams.set('translationLanguage', config.translationLanguage);
    return u.toString();
  }

  return {
    async page(ref, signal): Promise<ReviewsPage> {
      for (let attempt = 0; ; attempt++) {
        const res = await requestJson(config.name, 'Google Play reviews API', url(ref), { headers: { authorization: `Bearer ${await accessToken(signal)}`, accept: 'application/json' } }, config.requestTimeout, signal);
        if (res.status === 401 && attempt === 0) {
          token = null; // revoked or expired early: one fresh token, then give up
          continue;
        }
        if (res.status < 200 || res.status >= 300) throw httpError(config.name, 'Google Play reviews API', res.status, res.headers, res.body, now(), null);
        const page = reviewsPageSchema.googlePlay.safeParse(res.body);
        if (!page.success) throw new AppStoreApiError(config.name, `Google Play reviews API sent an unexpected page: ${page.error.issues[0]?.path.join('.') || '(root)'}: ${page.error.issues[0]?.message ?? ''}`, true, res.status);
        return { items: page.data.reviews ?? [], next: page.data.tokenPagination?.nextPageToken ?? null, rateLimit: null };
      }
    },
  };
}
