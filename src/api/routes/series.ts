import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { compileDetectorOptions } from '../../config/detect.js';
import { parseDuration } from '../../config/duration.js';
import { FOLLOWS_REFERENCE, followsReference } from '../../detect/reference-correlation.js';
import { bucketStart, isCounterSeries } from '../../series/counts.js';
import { fillGaps, rate } from '../../series/rate.js';
import type { ApiDeps } from '../deps.js';
import { HttpError, parseInput } from '../errors.js';
import { assertTimeInBounds } from '../time-bounds.js';
import { SERIES_KEY, pointsFromBody, seriesPointsBody, seriesQuerySchema } from '../schemas.js';

/** How much one read may cover: `series.maxRange` (ms) and `series.maxPoints` (range / step). */
export interface RangeLimits {
  readonly maxRange: number;
  readonly maxPoints: number;
}

const days = (ms: number): string => (ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${ms}ms`);

/** A range wider than `series.maxRange` is a 400 naming the limit (never a slow read). */
export function checkRange(from: number, to: number, limits: RangeLimits): void {
  if (from >= to) throw new HttpError(400, 'ERR_VALIDATION', 'query.from: must be before to', 'query.from');
  if (to - from > limits.maxRange) {
    throw new HttpError(400, 'ERR_VALIDATION', `query.from: the range from..to is wider than series.maxRange (${days(limits.maxRange)}); ask for a shorter range`, 'query.from');
  }
}

/** Picks a step: the requested one, else the stored bucket, coarsened so a range gives at most 1500 points. */
export function chooseStep(requested: string | undefined, base: number, from: number, to: number, limits: RangeLimits = { maxRange: Infinity, maxPoints: 5000 }): number {
  if (requested !== undefined) {
    const ms = parseDuration(requested);
    if (ms === null || ms <= 0) throw new HttpError(400, 'ERR_VALIDATION', `query.step: "${requested}" is not a duration`, 'query.step');
    const step = Math.max(base, Math.round(ms / base) * base);
    if ((to - from) / step > limits.maxPoints) {
      throw new HttpError(400, 'ERR_VALIDATION', `query.step: too many points (more than series.maxPoints = ${limits.maxPoints}); use a larger step or a shorter range`, 'query.step');
    }
    return step;
  }
  let step = base;
  const nice = [1, 5, 15, 30, 60, 180, 360, 720, 1440].map((m) => m * 60_000);
  for (const candidate of nice) {
    step = Math.max(base, candidate);
    if ((to - from) / step <= 1500) break;
  }
  return step;
}

export function registerSeriesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  /** Push points of a series (traffic, service metrics). `mode: set` (default) replaces a bucket, `add` adds. */
  app.post('/api/series/:key', { preHandler: app.requireRole('admin') }, async (request, reply) => {
    const { key } = parseInput(z.object({ key: z.string().regex(SERIES_KEY, 'letters, digits and _.:- only') }), request.params, 'params');
    if (isCounterSeries(key)) throw new HttpError(400, 'ERR_VALIDATION', `params.key: "${key}" is computed by the service and cannot be pushed`, 'params.key');
    const { points, mode } = parseInput(seriesPointsBody, pointsFromBody(request.body), 'body');
    const now = deps.clock.now();
    points.forEach((p, i) => assertTimeInBounds(p.t, now, deps.config.ingest.maxFutureSkew, `body.points[${i}].t`));
    const step = deps.config.series.step;
    const bucketed = new Map<number, number>();
    for (const p of points) {
      const t = bucketStart(p.t, step);
      bucketed.set(t, mode === 'add' || bucketed.has(t) ? (bucketed.get(t) ?? 0) + p.v : p.v);
    }
    const rows = [...bucketed].map(([t, v]) => ({ t, v }));
    // Points for buckets the detector already judged are late data: the same transaction marks them.
    await deps.store.pushSeries(key, rows, mode);
    return reply.status(202).send({ key, accepted: points.length, buckets: rows.length });
  });

  /**
   * Points of a series in [from, to) at `step`; `with=band` adds what the detector said (the stored
   * rows of the ticks that judged them: expected, band, score, reason, alert, learning, late, and the
   * correlation with the reference), one entry per point (`judged: false` where no tick has judged the
   * bucket yet), and `decoupling` (reference, whether the series normally follows it, the threshold).
   * The range is bounded.
   */
  app.get('/api/series/:key', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { key } = parseInput(z.object({ key: z.string().regex(SERIES_KEY) }), request.params, 'params');
    const q = parseInput(seriesQuerySchema, request.query, 'query');
    const now = deps.clock.now();
    const base = deps.config.series.step;
    const to = q.to ?? bucketStart(now, base) + base;
    const from = q.from ?? to - 24 * 3_600_000;
    const limits = { maxRange: deps.config.series.maxRange, maxPoints: deps.config.series.maxPoints };
    checkRange(from, to, limits);
    const step = chooseStep(q.step, base, from, to, limits);
    const alignedFrom = bucketStart(from, step);
    const isCounter = isCounterSeries(key);
    const reference = q.rate ? deps.config.series.reference : null;
    // The series and its reference at once (PostgreSQL: two connections).
    const [read, ref] = await Promise.all([
      deps.store.series.read(key, alignedFrom, to, step, q.agg),
      reference === null ? null : deps.store.series.read(reference, alignedFrom, to, step, 'sum'),
    ]);
    let points = read;
    if (q.fill ?? isCounter) points = fillGaps(points, alignedFrom, to, step, 0);
    if (ref !== null) points = rate(points, ref);
    const result: Record<string, unknown> = { key, from: alignedFrom, to, step, agg: q.agg, ...(reference ? { rate: { per: 1_000_000, reference } } : {}), points };
    if (q.with === 'band') {
      const rows = step <= base ? await deps.store.detectorPoints.read(key, alignedFrom, to) : await deps.store.detectorPoints.readAtStep(key, alignedFrom, to, step);
      const byT = new Map(rows.map(({ series: _series, ...r }) => [r.t, r]));
      const band: unknown[] = [];
      for (let t = alignedFrom; t < to; t += step) {
        const r = byT.get(t);
        band.push(
          r
            ? { ...r, judged: true }
            : { t, value: null, expected: null, lower: null, upper: null, score: 0, direction: null, reason: null, alert: false, learning: false, late: false, correlation: null, usualCorrelation: null, judged: false },
        );
      }
      result.band = band;
      result.learning = rows.at(-1)?.learning ?? null;
      // The decoupling lane: for a metric judged against a reference that it normally follows (the long
      // correlation the detector stored), the rolling correlation per point with the threshold marked. Never for
      // the complaint counters: they are judged as a share of traffic, but they are the signal, not a metric
      // expected to move with it (a day's wave can correlate them, and their "decoupling" would be noise).
      const reference = compileDetectorOptions(deps.config.detect, key)?.reference ?? null;
      const follows = reference !== null && !isCounter && followsReference(rows.map((r) => r.usualCorrelation));
      result.decoupling = { reference, follows, threshold: FOLLOWS_REFERENCE };
    }
    return result;
  });

  /**
   * Known series keys (pushed and computed), and for each what the detector last said of it:
   * `learning` (too little history to know its normal: shown, pages nobody), `judged`, or `unwatched`.
   */
  app.get('/api/series', { preHandler: app.requireRole('viewer') }, async () => {
    const keys = await deps.store.series.keys();
    const latest = await deps.store.detectorPoints.latest(keys);
    const series = keys.map((key) => {
      const last = latest.get(key);
      return { key, state: last === undefined ? 'unwatched' : last.learning ? 'learning' : 'judged', judgedUntil: last?.t ?? null };
    });
    return { keys, series };
  });
}
