/**
 * The metric sources: Prometheus-compatible servers (`/api/v1/query_range`: Prometheus, VictoriaMetrics,
 * Thanos, Mimir) and Graphite (`/render?format=json`). Each entry is one server with its auth, and a
 * list of series to pull: a query (PromQL expression or Graphite target) and the series-name template
 * its results are stored under. Parsed strictly here; `src/sources/prometheus/` and
 * `src/sources/graphite/` turn each entry into a poll handler.
 */
import { z } from 'zod';
import { httpUrl, period } from './source-fields.js';
import { parseNameTemplate } from '../series/name-template.js';
import { duration } from './duration.js';
import { fromEnvironment } from './secret.js';
import { uniqueNames } from './unique-names.js';

/** Prometheus refuses a range query of more than 11,000 points per series. */
export const PROMETHEUS_MAX_POINTS = 11_000;

const sourceName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be letters, digits, _ . - (at most 100)')
  .describe('Source name: shown in /api/sources. Unique across all sources.');

const nameTemplate = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = parseNameTemplate(value);
    if ('problem' in parsed) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `series name template ${parsed.problem}` });
  })
  .describe(
    'Radar series the results are stored under. A query returning several series needs a placeholder that tells them apart: `errors.{service}` makes one series per `service` label (`errors.auth`, `errors.mail`); Graphite also takes path nodes, `{1}` of `app.web1.errors` being `web1`. Label values are kept as key characters (`A-Za-z0-9_.:-`, anything else becomes `_`).',
  );

const basicAuth = z
  .object({
    user: z.string().min(1).describe('User name.'),
    password: fromEnvironment(z.string().min(1, 'must not be empty (is the variable set?)').describe('Password; keep it in the environment: `${PROMETHEUS_PASSWORD}`. Never logged.'), 'PROMETHEUS_PASSWORD'),
  })
  .strict()
  .describe('HTTP basic auth (user and a password from the environment).');

/** What a Prometheus and a Graphite entry share. */
const common = {
  name: sourceName,
  url: httpUrl('Base URL of the server, e.g. `http://prometheus:9090` (the API path is appended; a path prefix such as `/prometheus` is kept).'),
  bearerToken: fromEnvironment(
    z.string().min(1, 'must not be empty (is the variable set?)').optional().describe('Sent as `Authorization: Bearer …`; keep it in the environment: `${PROMETHEUS_TOKEN}`. Never logged.'),
    'PROMETHEUS_TOKEN',
  ),
  basicAuth: basicAuth.optional(),
  pollInterval: period('1m', 'How often the source is polled (one poll cluster-wide); each poll fetches every complete bucket since the cursor.'),
  requestTimeout: period('30s', 'A request with no complete answer for this long fails; the poll is retried with backoff and resumes from the cursor (no bucket is lost).'),
  delay: duration()
    .default('1m')
    .describe('How long after a bucket ends it is taken as complete and pulled (scrape and ingestion lag). A bucket pulled is never pulled again, so a bucket the server had no sample for by then stays a gap.'),
  backfill: duration()
    .default('14d')
    .describe('First poll of a series: pull this much history (the detector learns from two weeks). Also the furthest back a poll catches up after a long outage.'),
  concurrency: z.number().int().min(1).max(64).default(4).describe('Queries of this source in flight at once.'),
  maxResponseBytes: z
    .number()
    .int()
    .min(1024)
    .default(64 * 1024 * 1024)
    .describe('Largest response body read; a larger one fails the query without retry (lower maxSeries or maxPointsPerRequest).'),
};

const seriesCommon = {
  name: nameTemplate,
  step: duration()
    .refine((ms) => ms >= 1000, 'must be at least 1s')
    .optional()
    .describe('Resolution pulled; a whole multiple of series.step (default: series.step). Each value lands in the bucket it describes; with a coarser step the buckets in between stay gaps.'),
  maxSeries: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(100)
    .describe('Most radar series one query may create. Past it, series are kept in name order and the others are left out, logged and counted (`overCap` in the source cursor, `skipped` in its status).'),
};

const uniqueTemplates = (list: ReadonlyArray<{ readonly name: string }>, ctx: z.RefinementCtx): void => {
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    if (seen.has(entry.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'name'], message: `duplicate series name "${entry.name}"` });
    seen.add(entry.name);
  });
};

const oneAuth = (value: { bearerToken?: string | undefined; basicAuth?: unknown }, ctx: z.RefinementCtx): void => {
  if (value.bearerToken !== undefined && value.basicAuth !== undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['basicAuth'], message: 'use bearerToken or basicAuth, not both' });
  }
};

export const prometheusSeriesSchema = z
  .object({
    ...seriesCommon,
    query: z.string().trim().min(1, 'must not be empty').max(20_000).describe('PromQL expression, e.g. `sum by (service) (rate(http_requests_total{code=~"5.."}[1m])) * 60`. Its value at the end of each bucket is stored for that bucket.'),
  })
  .strict()
  .describe('One PromQL expression pulled into one or more radar series.');

export const prometheusSourceSchema = z
  .object({
    ...common,
    maxPointsPerRequest: z
      .number()
      .int()
      .min(2)
      .max(1_000_000)
      .default(PROMETHEUS_MAX_POINTS)
      .describe('Points per series in one request; longer ranges (the backfill) are split. Prometheus refuses more than 11,000.'),
    series: z.array(prometheusSeriesSchema).min(1).superRefine(uniqueTemplates).describe('What to pull.'),
  })
  .strict()
  .superRefine(oneAuth)
  .describe('A Prometheus-compatible server (Prometheus, VictoriaMetrics, Thanos, Mimir) read through /api/v1/query_range.');

export const graphiteSeriesSchema = z
  .object({
    ...seriesCommon,
    target: z.string().trim().min(1, 'must not be empty').max(20_000).describe('Graphite target, e.g. `sumSeries(app.*.logins)`; several returned series need a placeholder in `name`.'),
    aggregate: z
      .enum(['avg', 'sum', 'max', 'min', 'last'])
      .default('avg')
      .describe('When the target is finer than `step`, how the datapoints in one bucket become its value (counts per 10 s want `sum`).'),
  })
  .strict()
  .describe('One Graphite target pulled into one or more radar series.');

export const graphiteSourceSchema = z
  .object({
    ...common,
    maxPointsPerRequest: z.number().int().min(2).max(1_000_000).default(PROMETHEUS_MAX_POINTS).describe('Buckets per series in one request; longer ranges (the backfill) are split.'),
    series: z.array(graphiteSeriesSchema).min(1).superRefine(uniqueTemplates).describe('What to pull.'),
  })
  .strict()
  .superRefine(oneAuth)
  .describe('A Graphite server read through /render?format=json.');

export const prometheusSourcesSchema = z.array(prometheusSourceSchema).default([]).superRefine(uniqueNames('source')).describe('Prometheus-compatible servers to pull series from.');
export const graphiteSourcesSchema = z.array(graphiteSourceSchema).default([]).superRefine(uniqueNames('source')).describe('Graphite servers to pull series from.');

export type PrometheusSourceInput = z.input<typeof prometheusSourceSchema>;
export type PrometheusSourceConfig = z.output<typeof prometheusSourceSchema>;
export type GraphiteSourceInput = z.input<typeof graphiteSourceSchema>;
export type GraphiteSourceConfig = z.output<typeof graphiteSourceSchema>;
/** Either kind: what the shared pull machinery reads. */
export type MetricSourceConfig = PrometheusSourceConfig | GraphiteSourceConfig;
