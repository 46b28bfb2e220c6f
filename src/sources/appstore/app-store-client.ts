/**
 * App Store customer reviews through the App Store Connect API (`GET /v1/apps/{id}/customerReviews`,
 * newest first, `links.next` paging), authorised by an ES256 JWT made from the API key (issuer id,
 * key id, .p8 key) with a 20-minute expiry, renewed shortly before it runs out.
 */
import type { KeyObject } from 'node:crypto';
import type { AppStoreSourceConfig } from '../../config/appstore.js';
import { loadAppStoreKey } from './credentials.js';
import { AppStoreApiError, appleRateLimit, httpError, requestJson } from './errors.js';
import { signJwt } from './jwt.js';
import { reviewsPageSchema, type ReviewsClient, type ReviewsPage } from './reviews-page.js';

export const APP_STORE_API_BASE = 'https://api.appstoreconnect.apple.com';
/** Reviews per page: the most the endpoint gives. */
export const APP_STORE_PAGE_SIZE = 200;
/** Apple refuses tokens that live longer than 20 minutes. */
export const APP_STORE_TOKEN_TTL_S = 20 * 60;
const TOKEN_MARGIN_MS = 60_000;

export function createAppStoreClient(config: AppStoreSourceConfig, now: () => number = Date.now): ReviewsClient {
  let key: KeyObject | null = null;
  let token: { value: string; expiresAt: number } | null = null;
  const base = config.apiBase ?? APP_STORE_API_BASE;
  const origin = new URL(base).origin;

  function bearer(): string {
    const at = now();
    if (token && token.expiresAt - TOKEN_MARGIN_MS > at) return token.value;
    key ??= loadAppStoreKey(config);
    const iat = Math.floor(at / 1000);
    const value = signJwt('ES256', { kid: config.keyId, typ: 'JWT' }, { iss: config.issuerId, iat, exp: iat + APP_STORE_TOKEN_TTL_S, aud: 'appstoreconnect-v1' }, key);
    token = { value, expiresAt: (iat + APP_STORE_TOKEN_TTL_S) * 1000 };
    return value;
  }

  /** The first page, or a `links.next` URL: only ever on the API's own origin (the token goes with it). */
  function url(ref: string | null): string {
    if (ref === null) return `${base}/v1/apps/${encodeURIComponent(config.appId)}/customerReviews?sort=-createdDate&limit=${APP_STORE_PAGE_SIZE}`;
    let next: URL;
    try {
      next = new URL(ref, base);
    } catch {
      throw new AppStoreApiError(config.name, 'App Store Connect sent a links.next that is not a URL', false);
    }
    // A fake server or proxy in apiBase: Apple's absolute links point at the real host.
    if (next.origin === new URL(APP_STORE_API_BASE).origin && origin !== next.origin) next = new URL(next.pathname + next.search, base);
    if (next.origin !== origin) throw new AppStoreApiError(config.name, `App Store Connect links.next points to another host (${next.origin}); not followed`, false);
    return next.toString();
  }

  return {
    async page(ref, signal): Promise<ReviewsPage> {
      const res = await requestJson(config.name, 'App Store Connect API', url(ref), { headers: { authorization: `Bearer ${bearer()}`, accept: 'application/json' } }, config.requestTimeout, signal);
      const rateLimit = appleRateLimit(res.headers.get('x-rate-limit'));
      if (res.status < 200 || res.status >= 300) throw httpError(config.name, 'App Store Connect API', res.status, res.headers, res.body, now(), rateLimit);
      const page = reviewsPageSchema.appStore.safeParse(res.body);
      if (!page.success) throw new AppStoreApiError(config.name, `App Store Connect API sent an unexpected page: ${page.error.issues[0]?.path.join('.') || '(root)'}: ${page.error.issues[0]?.message ?? ''}`, true, res.status);
      return { items: page.data.data, next: page.data.links?.next ?? null, rateLimit };
    },
  };
}
