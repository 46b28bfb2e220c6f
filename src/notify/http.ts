/**
 * One HTTP request for a notifier, with a timeout, classified into success or a `NotifyError`:
 * 5xx, 408, 429 (waiting for Retry-After), timeouts, resets and refused connections retry;
 * any other 4xx does not.
 */
import type { Clock } from '../platform/clock.js';
import { NotifyError } from './errors.js';

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface PostOptions {
  readonly notifier: string;
  readonly timeoutMs: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  /** Reads a retry delay from an error body (Telegram puts it in JSON). */
  readonly retryAfterFromBody?: (text: string) => number | null;
}

/** Parses a Retry-After header: delta seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Never put the URL in messages: webhook URLs and bot paths carry secrets. */
function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

export async function postJson(url: string, body: unknown, options: PostOptions): Promise<HttpResponse> {
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'complaint-radar', ...options.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'error',
    });
    text = await response.text();
  } catch (error) {
    const reason = networkReason(error);
    throw new NotifyError(options.notifier, `${options.notifier}: request failed: ${reason}`, { retryable: true, cause: error });
  }
  const { status } = response;
  if (status >= 200 && status < 300) return { status, headers: response.headers, text };
  const snippet = text.slice(0, 200).replace(/\s+/g, ' ');
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), options.clock.now()) ?? options.retryAfterFromBody?.(text) ?? null;
    throw new NotifyError(options.notifier, `${options.notifier}: rate limited (429): ${snippet}`, { retryable: true, status, retryAfterMs });
  }
  const retryable = status >= 500 || status === 408;
  throw new NotifyError(options.notifier, `${options.notifier}: HTTP ${status}: ${snippet}`, { retryable, status });
}
