import type { ClientRequest, IncomingMessage } from 'node:http';
import { ApiResponseError, type TwitterApiErrorData, type TwitterRateLimit } from 'twitter-api-v2';
import { describe, expect, it } from 'vitest';
import { requestPlugin } from '../../../src/sources/twitter/client.js';
import { DEFAULT_RATE_LIMIT_WAIT_MS, mapTwitterError } from '../../../src/sources/twitter/errors.js';
import { SourceAuthError, SourceRateLimitError } from '../../../src/sources/poll.js';

const NOW = 1_800_000_000_000;
const S = NOW / 1000;

function responseError(code: number, rateLimit?: TwitterRateLimit, data = { title: 'T', detail: 'D' } as unknown as TwitterApiErrorData): ApiResponseError {
  return new ApiResponseError(`Request failed with code ${code}`, {
    code,
    data,
    headers: {},
    request: {} as ClientRequest,
    response: {} as IncomingMessage,
    ...(rateLimit ? { rateLimit } : {}),
  });
}

describe('mapTwitterError', () => {
  it.each([
    ['429 waits for x-rate-limit-reset', responseError(429, { limit: 450, remaining: 0, reset: S + 90 }), NOW + 90_000],
    ['429 from the daily cap waits for the daily reset', responseError(429, { limit: 450, remaining: 12, reset: S + 90, day: { limit: 100, remaining: 0, reset: S + 3600 } }), NOW + 3_600_000],
    ['429 without headers waits a default', responseError(429), NOW + DEFAULT_RATE_LIMIT_WAIT_MS],
    ['429 with a reset in the past waits a default', responseError(429, { limit: 450, remaining: 0, reset: S - 5 }), NOW + DEFAULT_RATE_LIMIT_WAIT_MS],
  ])('%s', (_name, error, resetAt) => {
    const mapped = mapTwitterError('brand', error, NOW);
    expect(mapped).toBeInstanceOf(SourceRateLimitError);
    expect((mapped as SourceRateLimitError).resetAt).toBe(resetAt);
  });

  it.each([
    [401, SourceAuthError, false, /HTTP 401: T — D/],
    [403, SourceAuthError, false, /HTTP 403/],
    [500, Error, true, /answered HTTP 500/],
    [503, Error, true, /answered HTTP 503/],
    [400, Error, false, /refused the search \(HTTP 400: T — D\); check the query/],
  ])('HTTP %i', (code, type, retryable, message) => {
    const mapped = mapTwitterError('brand', responseError(code), NOW);
    expect(mapped).toBeInstanceOf(type);
    expect(mapped.message).toMatch(message);
    expect((mapped as { retryable?: boolean }).retryable).toBe(retryable);
  });
});

describe('requestPlugin', () => {
  it.each([
    ['http://127.0.0.1:9/', 'https://api.x.com/2/tweets/search/recent', 'http://127.0.0.1:9/2/tweets/search/recent'],
    ['https://proxy.example/x', 'https://api.x.com/2/tweets/search/recent', 'https://proxy.example/x/2/tweets/search/recent'],
    [undefined, 'https://api.x.com/2/tweets/search/recent', 'https://api.x.com/2/tweets/search/recent'],
    ['http://127.0.0.1:9', 'https://upload.twitter.com/1.1/media', 'https://upload.twitter.com/1.1/media'],
  ])('apiBase %s rewrites %s', async (apiBase, url, expected) => {
    const params: { url: string; method: string; timeout?: number } = { url, method: 'GET' };
    const plugin = requestPlugin({ ...(apiBase === undefined ? {} : { apiBase }), timeoutMs: 1234 });
    await plugin.onBeforeRequestConfig?.({ params, url: new URL(url), client: {} as never });
    expect(params).toEqual({ url: expected, method: 'GET', timeout: 1234 });
  });
});
