import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseDuration } from '../../config/duration.js';
import { bucketStart, isCounterSeries } from '../../series/counts.js';
import { fillGaps, rate } from '../../series/rate.js';
import type { ApiDeps } from '../deps.js';
import { HttpError, parseInput } from '../errors.js';
import { SERIES_KEY, pointsFromBody, seriesPointsBody, seriesQuerySchema } from '../schemas.js';

const MAX_POINTS = 5000;

/** Picks a step: the requested one, else the stored bucket, coarsened so a range gives at most MAX_POINTS. */
export function chooseStep(requested: string | undefined, base: number, from: number, to: number): number {
  if (requested !== undefined) {
    const ms = parseDuration(requested);
    if (ms === null || ms <= 0) throw new HttpError(400, 'ERR_VALIDATION', `query.step: "${requested}" is not a duration`, 'query.step');
    const step = Math.max(base, Math.round(ms / base) * base);
    if ((to - from) / step > MAX_POINTS) throw new HttpError(400, 'ERR_VALIDATION', `query.step: too many points (at most ${MAX_POINTS})`, 'query.step');
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
    const step = deps.config.series.step;
    const bucketed = new Map<number, number>();
    for (const p of points) {
      const t = bucketStart(p.t, step);
      bucketed.set(t, mode === 'add' || bucketed.has(t) ? (bucketed.get(t) ?? 0) + p.v : p.v);
    }
    const rows = [...bucketed].map(([t, v]) => ({ t, v }));
    if (mode === 'add') await deps.store.series.add(rows.map((r) => ({ key, ...r })));
    else await deps.store.series.set(key, rows);
    return reply.status(202).send({ key, accepted: points.length, buckets: rows.length });
  });

  /** Points of a series in [from, to) at `step`; `with=band` adds the detector's expected band and scores. */
  app.get('/api/series/:key', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { key } = parseInput(z.object({ key: z.string().regex(SERIES_KEY) }), request.params, 'params');
    const q = parseInput(seriesQuerySchema, request.query, 'query');
    const now = deps.clock.now();
    const base = deps.config.series.step;
    const to = q.to ?? bucketStart(now, base) + base;
    const from = q.from ?? to - 24 * 3_600_000;
    if (from >= to) throw new HttpError(400, 'ERR_VALIDATION', 'query.from: must be before to', 'query.from');
    const step = chooseStep(q.step, base, from, to);
    const alignedFrom = bucketStart(from, step);
    const isCounter = isCounterSeries(key);
    let points = await deps.store.series.read(key, alignedFrom, to, step, q.agg);
    if (q.fill ?? isCounter) points = fillGaps(points, alignedFrom, to, step, 0);
    let reference: string | null = null;
    if (q.rate) {
      reference = deps.config.series.reference;
      const ref = await deps.store.series.read(reference, alignedFrom, to, step, 'sum');
      points = rate(points, ref);
    }
    const result: Record<string, unknown> = { key, from: alignedFrom, to, step, agg: q.agg, ...(reference ? { rate: { per: 1_000_000, reference } } : {}), points };
    if (q.with === 'band') {
      if (!deps.detector) throw new HttpError(503, 'ERR_DETECTOR', 'the detector is not running in this process');
      result.band = await deps.detector.band(key, alignedFrom, to, step);
    }
    return result;
  });

  /** Known series keys (pushed and computed). */
  app.get('/api/series', { preHandler: app.requireRole('viewer') }, async () => ({ keys: await deps.store.series.keys() }));
}
