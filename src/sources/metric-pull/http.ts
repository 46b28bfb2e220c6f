/**
 * One request of a metric source: auth headers, a timeout, a bounded body, and every failure
 * classified so the poll worker knows what to do — 401/403 stop the source (`SourceAuthError`), a 429
 * waits (`SourceRateLimitError`), 5xx/408, timeouts, resets and unreadable bodies retry from the
 * cursor, any other 4xx (a bad query, a wrong path) stops the source until its config changes.
 */
import { parseRetryAfter } from '../../notify/http.js';
import { RadarError } from '../../platform/errors.js';
import { SourceAuthError, SourceRateLimitError } from '../poll.js';

export interface MetricAuth {
  readonly bearerToken?: string | undefined;
  readonly basicAuth?: { readonly user: string; readonly password: string } | undefined;
}

/** A metric source failed; `retryable` says whether the next poll (from the cursor) may succeed. */
export class MetricSourceError extends RadarError {
  constructor(source: string, message: string, options: { retryable: boolean; series?: string; status?: number; cause?: unknown }) {
    super('ERR_SOURCE', message, {
      context: { source, ...(options.series === undefined ? {} : { series: options.series }), ...(options.status === undefined ? {} : { status: options.status }) },
      cause: options.cause,
      retryable: options.retryable,
    });
    this.name = 'MetricSourceError';
  }
}

/** The Authorization header for `auth`, if any. */
export function authorization(auth: MetricAuth): Record<string, string> {
  if (auth.bearerToken !== undefined) return { authorization: `Bearer ${auth.bearerToken}` };
  if (auth.basicAuth !== undefined) return { authorization: `Basic ${Buffer.from(`${auth.basicAuth.user}:${auth.basicAuth.password}`).toString('base64')}` };
  return {};
}

export interface MetricRequest {
  readonly source: string;
  /** The series entry's name template (in error messages). */
  readonly series: string;
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** Form fields (the query string for GET, the form body for POST). */
  readonly form: URLSearchParams;
  readonly auth: MetricAuth;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly signal: AbortSignal;
  readonly now: () => number;
  /** When a 429 names no reset: wait this long. */
  readonly rateLimitWaitMs: number;
  /** Pulls the server's own error text out of an error body (Prometheus: `{"error": "…"}`). */
  readonly errorText?: (body: string) => string | null;
}

/** Never the URL's query or credentials in a message: the path only. */
function where(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(invalid url)';
  }
}

function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

async function readBounded(response: Response, maxBytes: number): Promise<string | null> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends the request and returns the parsed JSON body of a 2xx answer; throws a classified error otherwise. */
export async function requestJson(req: MetricRequest): Promise<unknown> {
  const label = `${req.series}: ${req.method} ${where(req.url)}`;
  const url = req.method === 'GET' ? `${req.url}?${req.form.toString()}` : req.url;
  const timeout = AbortSignal.timeout(req.timeoutMs);
  let response: Response;
  let body: string | null;
  try {
    response = await fetch(url, {
      method: req.method,
      headers: {
        accept: 'application/json',
        'user-agent': 'complaint-radar',
        ...(req.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...authorization(req.auth),
      },
      ...(req.method === 'POST' ? { body: req.form.toString() } : {}),
      signal: AbortSignal.any([timeout, req.signal]),
      redirect: 'error',
    });
    body = await readBounded(response, req.maxBytes);
  } catch (error) {
    const reason = req.signal.aborted && !timeout.aborted ? 'aborted (shutting down)' : networkReason(error);
    throw new MetricSourceError(req.source, `${label}: request failed: ${reason}`, { retryable: true, series: req.series, cause: error });
  }
  const { status } = response;
  if (body === null) {
    throw new MetricSourceError(req.source, `${label}: response larger than maxResponseBytes (${req.maxBytes}); lower maxSeries or maxPointsPerRequest`, { retryable: false, series: req.series, status });
  }
  if (status >= 200 && status < 300) {
    try {
      return JSON.parse(body) as unknown;
    } catch (cause) {
      throw new MetricSourceError(req.source, `${label}: response is not JSON: ${snippet(body)}`, { retryable: true, series: req.series, status, cause });
    }
  }
  const text = req.errorText?.(body) ?? snippet(body);
  if (status === 401 || status === 403) throw new SourceAuthError(req.source, `${label}: credentials rejected (HTTP ${status}): ${text}`);
  if (status === 429) {
    const wait = parseRetryAfter(response.headers.get('retry-after'), req.now()) ?? req.rateLimitWaitMs;
    throw new SourceRateLimitError(req.source, req.now() + wait, null);
  }
  const retryable = status >= 500 || status === 408;
  throw new MetricSourceError(req.source, `${label}: HTTP ${status}: ${text}`, { retryable, series: req.series, status });
}

function snippet(text: string): string {
  const flat = text.slice(0, 200).replace(/\s+/g, ' ').trim();
  return flat === '' ? '(empty body)' : flat;
}
