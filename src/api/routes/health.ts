import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps.js';
import { checkFreshness } from '../freshness.js';
import { refreshScrapeMetrics } from '../scrape-metrics.js';

async function redisOk(deps: ApiDeps): Promise<boolean> {
  try {
    return (await Promise.race([deps.redis.ping(), new Promise<string>((r) => setTimeout(() => r('timeout'), 1500))])) === 'PONG';
  } catch {
    return false;
  }
}

export function registerHealthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const startedAt = deps.clock.now();
  /**
   * 200 when Redis and the database answer, every configured source was polled and the detector ticked
   * within a few intervals (see api/freshness.ts); 503 otherwise, `reasons` saying what is wrong.
   */
  app.get('/health', async (_request, reply) => {
    const [redis, database] = await Promise.all([redisOk(deps), deps.store.ping()]);
    const fresh = database ? await checkFreshness(deps, deps.clock.now(), startedAt).catch(() => null) : null;
    const reasons = [
      ...(redis ? [] : ['Redis does not answer']),
      ...(database ? [] : ['the database does not answer']),
      ...(database && fresh === null ? ['source and detector state could not be read'] : []),
      ...(fresh?.problems ?? []).map((p) => `${p.name}: ${p.reason}`),
    ];
    const ok = reasons.length === 0;
    const classifier = deps.classifier.lastError === null ? 'ok' : 'error';
    return reply.status(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'unavailable',
      reasons,
      checks: {
        redis: redis ? 'ok' : 'unavailable',
        database: database ? 'ok' : 'unavailable',
        sources: fresh?.sources ?? 'unknown',
        detector: fresh?.detector ?? 'unknown',
        classifier,
        ...(deps.classifier.lastError === null ? {} : { classifierError: deps.classifier.lastError }),
      },
      problems: fresh?.problems ?? [],
      classifierLoadedAt: deps.classifier.loadedAt ? new Date(deps.classifier.loadedAt).toISOString() : null,
      // The model version this process classifies with (roll-outs can be watched process by process).
      ...(deps.classifier.version === undefined ? {} : { classifierVersion: deps.classifier.version }),
    });
  });

  /** Prometheus text format. Queue depth, source lag and firing alerts are read at scrape time. */
  app.get('/metrics', async (_request, reply) => {
    await refreshScrapeMetrics(deps);
    return reply.header('Content-Type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
