/**
 * `/metrics` and a tiny `/health` for a process that runs workers without the HTTP api
 * (`radar worker detect notify`): Prometheus scrapes every process, not only the api's. Listens on
 * `metrics.host:metrics.port` (METRICS_PORT), 127.0.0.1 by default; off unless a port is set.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { refreshScrapeMetrics } from '../src/api/scrape-metrics.js';
import type { ServiceContext } from './context.js';

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

async function redisAnswers(ctx: ServiceContext): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), 1500);
    });
    return (await Promise.race([ctx.redis.ping(), timeout])) === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

export async function startMetricsServer(ctx: ServiceContext, options: { host: string; port: number }): Promise<MetricsServer> {
  const log = ctx.log.child({ module: 'metrics-server' });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'application/json', JSON.stringify({ error: 'METHOD_NOT_ALLOWED', message: 'GET only' }));
    void (async () => {
      if (path === '/metrics') {
        await refreshScrapeMetrics(ctx);
        return send(res, 200, ctx.metrics.registry.contentType, await ctx.metrics.registry.metrics());
      }
      if (path === '/health') {
        const [redis, database] = await Promise.all([redisAnswers(ctx), ctx.store.ping()]);
        const ok = redis && database;
        const body = { status: ok ? 'ok' : 'unavailable', checks: { redis: redis ? 'ok' : 'unavailable', database: database ? 'ok' : 'unavailable' } };
        return send(res, ok ? 200 : 503, 'application/json', JSON.stringify(body));
      }
      return send(res, 404, 'application/json', JSON.stringify({ error: 'NOT_FOUND', message: `${path} is not served here (only /metrics and /health)` }));
    })().catch((error: unknown) => {
      log.error({ err: error }, 'metrics request failed');
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: 'INTERNAL', message: 'metrics request failed' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info({ url }, 'metrics listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * `/health` (503, `status: "starting"`) on the port the process will serve on, while it waits for its
 * database at start; everything else is a 503 too. Closed just before the real listener takes the port.
 */
export async function startStartingServer(options: { host: string; port: number; waitingFor: () => string | null }): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reason = options.waitingFor();
    const body = { status: 'starting', checks: { database: reason === null ? 'connecting' : 'unavailable' }, ...(reason === null ? {} : { reason }) };
    if (path === '/health') return send(res, 503, 'application/json', JSON.stringify(body));
    return send(res, 503, 'application/json', JSON.stringify({ error: 'STARTING', message: 'this process is starting: it waits for its database' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
