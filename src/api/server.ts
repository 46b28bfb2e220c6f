import type { FastifyInstance } from 'fastify';

/** Listens; returns the URL and a close function (graceful: in-flight requests finish). */
export async function startServer(app: FastifyInstance, options: { host: string; port: number }): Promise<{ url: string; close: () => Promise<void> }> {
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
