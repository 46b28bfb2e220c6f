import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps.js';

export function registerSourceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  /** Every source: last poll, last success, last error, cursor, messages fetched, rate limit. */
  app.get('/api/sources', { preHandler: app.requireRole('viewer') }, async () => {
    const now = deps.clock.now();
    const items = (await deps.sources.list()).map((s) => ({
      ...s,
      lagSeconds: s.lastSuccessAt ? Math.max(0, Math.round((now - Date.parse(s.lastSuccessAt)) / 1000)) : null,
    }));
    return { items };
  });
}
