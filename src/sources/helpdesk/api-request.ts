/**
 * One GET of a help desk's REST API through the shared classified request (`requestJson`): 401/403
 * stop the source (`SourceAuthError`), 429 waits for `Retry-After` (`SourceRateLimitError`), 5xx and
 * network failures retry from the cursor. The URL's query never appears in an error.
 */
import type { HelpdeskSourceConfig } from '../../config/helpdesk.js';
import { requestJson, type MetricAuth } from '../metric-pull/http.js';
import type { PollContext } from '../poll.js';

/** Largest API response read (a page of 1000 ticket events with comment bodies fits many times). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** When a 429 names no `Retry-After`: wait this long. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

export type PolledSource = HelpdeskSourceConfig & { readonly poll: NonNullable<HelpdeskSourceConfig['poll']> };

/** Zendesk: `<email>/token:<token>`; Freshdesk: `<api key>:X`. */
export function apiAuth(config: PolledSource): MetricAuth {
  if (config.vendor === 'zendesk') return { basicAuth: { user: `${config.poll.email ?? ''}/token`, password: config.poll.token } };
  return { basicAuth: { user: config.poll.token, password: 'X' } };
}

export function apiBase(config: PolledSource): string {
  return config.poll.apiBase ?? config.url;
}

/** GETs `path` (or an absolute URL the API gave, such as Zendesk's `next_page`) with `query`. */
export async function getJson(config: PolledSource, ctx: PollContext, what: string, pathOrUrl: string, query: Record<string, string> = {}): Promise<unknown> {
  const url = new URL(pathOrUrl, 'http://relative.invalid');
  // A `next_page` link is followed on our own base (a proxy or a fake server in tests), never elsewhere.
  const target = `${apiBase(config)}${url.pathname}`;
  const form = new URLSearchParams(url.search);
  for (const [k, v] of Object.entries(query)) form.set(k, v);
  return requestJson({
    source: config.name,
    series: what,
    url: target,
    method: 'GET',
    form,
    auth: apiAuth(config),
    timeoutMs: config.poll.requestTimeout,
    maxBytes: MAX_RESPONSE_BYTES,
    signal: ctx.signal,
    now: ctx.now,
    rateLimitWaitMs: DEFAULT_RATE_LIMIT_WAIT_MS,
    errorText: (body) => {
      try {
        const e = JSON.parse(body) as { error?: unknown; description?: unknown; message?: unknown };
        const parts = [e.error, e.description, e.message].filter((p): p is string => typeof p === 'string');
        return parts.length > 0 ? parts.join(': ').slice(0, 300) : null;
      } catch {
        return null;
      }
    },
  });
}
