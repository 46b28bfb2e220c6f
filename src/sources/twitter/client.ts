/**
 * The real twitter-api-v2 client for one source. Its base URL (`https://api.x.com`) is fixed, so a
 * plugin's `onBeforeRequestConfig` rewrites each request's URL to `apiBase` (a proxy, or a local fake
 * server in tests) and sets the request timeout; an `http.Agent` lets it speak plain HTTP, which
 * its https transport otherwise refuses.
 */
import http from 'node:http';
import https from 'node:https';
import { TwitterApi, type ITwitterApiClientPlugin, type TwitterApiReadOnly } from 'twitter-api-v2';
import type { TwitterSourceConfig } from '../../config/twitter.js';

export const X_API_BASE = 'https://api.x.com';

/** Rewrites `https://api.x.com/...` to `<apiBase>/...` and gives every request a timeout. */
export function requestPlugin(options: { readonly apiBase?: string; readonly timeoutMs: number }): ITwitterApiClientPlugin {
  const base = options.apiBase?.replace(/\/+$/, '');
  return {
    onBeforeRequestConfig({ params }) {
      params.timeout ??= options.timeoutMs;
      if (base !== undefined && base !== X_API_BASE && params.url.startsWith(X_API_BASE)) params.url = base + params.url.slice(X_API_BASE.length);
    },
  };
}

export function createTwitterClient(config: Pick<TwitterSourceConfig, 'bearerToken' | 'apiBase' | 'requestTimeout'>): TwitterApiReadOnly {
  const plain = config.apiBase?.startsWith('http://') ?? false;
  const client = new TwitterApi(config.bearerToken, {
    plugins: [requestPlugin({ ...(config.apiBase === undefined ? {} : { apiBase: config.apiBase }), timeoutMs: config.requestTimeout })],
    httpAgent: plain ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true }),
  });
  return client.readOnly;
}
