/**
 * One `/api/v1/query_range` request (POST, form-encoded: long expressions fit) and its answer, parsed
 * strictly. The value evaluated at time T describes the bucket that ends at T (`rate(x[1m])` at 12:01
 * covers 12:00–12:01), so buckets [from, to] are asked for as evaluations from `from + step` to
 * `to + step`, and each value is stored at `T - step`. `NaN` and `±Inf` samples are gaps.
 */
import { z } from 'zod';
import type { Point } from '../../domain/point.js';
import type { PrometheusSourceConfig } from '../../config/metric-sources.js';
import type { PollContext } from '../poll.js';
import { MetricSourceError, requestJson } from '../metric-pull/http.js';
import type { CompiledEntry, PulledSeries } from '../metric-pull/poll-handler.js';

const sample = z.tuple([z.number(), z.string()]);

/** A `query_range` answer. */
export const queryRangeResponseSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.object({
      resultType: z.literal('matrix'),
      result: z.array(z.object({ metric: z.record(z.string()), values: z.array(sample).default([]) })),
    }),
    warnings: z.array(z.string()).optional(),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);

/** Prometheus puts its own reason in `{"error": "…"}`. */
export function prometheusErrorText(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; errorType?: unknown };
    return typeof parsed.error === 'string' ? `${typeof parsed.errorType === 'string' ? `${parsed.errorType}: ` : ''}${parsed.error}`.slice(0, 500) : null;
  } catch {
    return null;
  }
}

export type PrometheusEntry = PrometheusSourceConfig['series'][number];

/** Pulls buckets [from, to] of one entry. */
export async function queryRange(
  source: PrometheusSourceConfig,
  entry: CompiledEntry<PrometheusEntry>,
  range: { readonly from: number; readonly to: number },
  ctx: PollContext,
): Promise<PulledSeries[]> {
  const step = entry.step;
  const form = new URLSearchParams({
    query: entry.entry.query,
    start: String((range.from + step) / 1000),
    end: String((range.to + step) / 1000),
    step: String(step / 1000),
    timeout: `${Math.max(1, Math.floor(source.requestTimeout / 1000))}s`,
  });
  const body = await requestJson({
    source: source.name,
    series: entry.name,
    url: `${source.url}/api/v1/query_range`,
    method: 'POST',
    form,
    auth: source,
    timeoutMs: source.requestTimeout,
    maxBytes: source.maxResponseBytes,
    signal: ctx.signal,
    now: ctx.now,
    rateLimitWaitMs: source.pollInterval,
    errorText: prometheusErrorText,
  });
  const parsed = queryRangeResponseSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MetricSourceError(source.name, `${entry.name}: unexpected query_range response: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, {
      retryable: true,
      series: entry.name,
    });
  }
  if (parsed.data.status === 'error') {
    throw new MetricSourceError(source.name, `${entry.name}: ${parsed.data.errorType ?? 'error'}: ${parsed.data.error ?? 'no reason given'}`, { retryable: false, series: entry.name });
  }
  if (parsed.data.warnings?.length) ctx.log.warn({ source: source.name, series: entry.name, warnings: parsed.data.warnings.slice(0, 5) }, 'prometheus answered with warnings');
  return parsed.data.data.result.map((r) => ({
    labels: r.metric,
    nodes: [],
    points: r.values.flatMap(([seconds, value]): Point[] => {
      const v = Number(value);
      return Number.isFinite(v) ? [{ t: Math.round(seconds * 1000) - step, v }] : [];
    }),
  }));
}
