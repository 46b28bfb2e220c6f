/**
 * Metric pulls: one poll cycle of 1,000 series at a 1-minute step, against a local HTTP server that
 * answers `/api/v1/query_range` like Prometheus (generated values; the tests use the real Prometheus).
 * Two shapes: 1,000 configured queries of one series each (1,000 requests a cycle, the worst case),
 * and 10 queries returning 100 series each by label. Each is measured in steady state (one new bucket
 * per series, the cycle that runs every minute) and catching up an hour (60 buckets per series), with
 * the points written to SQLite or PostgreSQL with their cursor. It keeps up when a cycle takes less than
 * the 60 s step.
 */
import { createServer, type Server } from 'node:http';
import type { BenchArgs } from './index.js';
import { prometheusSourceSchema } from '../src/config/metric-sources.js';
import { createPrometheusPollHandler } from '../src/sources/prometheus/index.js';
import { benchPollContext, benchService, redisAnswers } from './support.js';

const MINUTE = 60_000;

/** A query_range server: query `single{i}` gives one series, `multi{i}` gives 100 (label `service`). */
async function fakePrometheus(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests += 1;
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const query = form.get('query') ?? '';
      const start = Number(form.get('start'));
      const end = Number(form.get('end'));
      const step = Number(form.get('step'));
      const width = query.startsWith('multi') ? 100 : 1;
      const result = [];
      for (let s = 0; s < width; s++) {
        const values: Array<[number, string]> = [];
        for (let t = start; t <= end; t += step) values.push([t, String(((t / 60) % 1000) + s)]);
        result.push({ metric: width === 1 ? { __name__: query } : { __name__: query, service: `s${s}` }, values });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, requests: () => requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

interface Cycle {
  readonly seconds: number;
  readonly points: number;
  readonly requests: number;
}

async function measure(shape: 'single' | 'multi', prefix: string, db: 'sqlite' | 'postgres'): Promise<{ steady: Cycle; hour: Cycle }> {
  const service = await benchService(prefix, db);
  const fake = await fakePrometheus();
  try {
    const { ctx } = service;
    const series =
      shape === 'single'
        ? Array.from({ length: 1000 }, (_, i) => ({ name: `bench.q${i}`, query: `single${i}` }))
        : Array.from({ length: 10 }, (_, i) => ({ name: `bench.m${i}.{service}`, query: `multi${i}`, maxSeries: 100 }));
    const handler = createPrometheusPollHandler([prometheusSourceSchema.parse({ name: 'bench', url: fake.url, backfill: '1h', series })], { seriesStep: MINUTE });
    await ctx.sources.register('bench', 'prometheus');
    const pollAt = async (now: number): Promise<Cycle> => {
      const before = fake.requests();
      const ctxAt = { ...benchPollContext(ctx), now: () => now };
      const started = performance.now();
      const result = await handler.pollOnce({ source: 'bench' }, ctxAt);
      return { seconds: (performance.now() - started) / 1000, points: result.points, requests: fake.requests() - before };
    };
    const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * 3_600_000;
    const hour = await pollAt(t0); // first poll: the last hour (60 buckets per series)
    await pollAt(t0 + MINUTE); // warm
    const steady = await pollAt(t0 + 2 * MINUTE); // the every-minute cycle: one new bucket per series
    return { steady, hour };
  } finally {
    await fake.close();
    await service.cleanup();
  }
}

export default async function run(_args: BenchArgs): Promise<void> {
  if (!(await redisAnswers())) return;
  const id = `benchmp${process.pid}`;
  const line = (label: string, c: Cycle) =>
    `${label}: ${c.seconds.toFixed(2)} s for ${c.points.toLocaleString('en')} points in ${c.requests.toLocaleString('en')} requests, ${Math.round(c.points / c.seconds).toLocaleString('en')} points/s`;
  for (const db of ['sqlite', 'postgres'] as const) {
    for (const shape of ['single', 'multi'] as const) {
      const what = shape === 'single' ? '1,000 queries × 1 series' : '10 queries × 100 series';
      try {
        const r = await measure(shape, `${id}${db.slice(0, 2)}${shape.slice(0, 1)}`, db);
        const keeps = r.steady.seconds < 60 ? `keeps up (${(60 / r.steady.seconds).toFixed(0)}× headroom at a 1-minute step)` : 'does NOT keep up with a 1-minute step';
        process.stdout.write(`${db === 'sqlite' ? 'SQLite    ' : 'PostgreSQL'} ${what}: ${line('cycle', r.steady)}; ${keeps}; ${line('catch-up of 1 h', r.hour)}\n`);
      } catch (error) {
        process.stdout.write(`${db} ${what}: skipped (${(error as Error).message})\n`);
      }
    }
  }
}
