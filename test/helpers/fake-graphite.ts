/**
 * A local server speaking Graphite's render API (`/render?target=…&from=…&until=…&format=json`) the way
 * graphite-web answers from whisper files: series matched by path with `*` per node, datapoints
 * `[value|null, seconds]` stamped with the start of their interval, from the interval after `from` up
 * to `until`, `null` where nothing was stored. The test adds datapoints, may require basic auth, and
 * may make the next requests fail or answer garbage. Every request is recorded.
 */
import { createServer, type Server } from 'node:http';
import { listenOnLoopback } from './listen.js';

export interface FakeGraphite {
  readonly url: string;
  readonly requests: Array<{ readonly target: string; readonly from: number; readonly until: number; readonly authorization: string | null; readonly status: number }>;
  /** Stores `value` at `seconds` (rounded down to the series' interval) of `path`. */
  add(path: string, seconds: number, value: number, intervalSeconds?: number): void;
  /** The next `n` requests get this status and body. */
  fail(n: number, fault: { status: number; body: string }): void;
  requireBasic(user: string, password: string): void;
  close(): Promise<void>;
}

function matches(pattern: string, path: string): boolean {
  const p = pattern.split('.');
  const q = path.split('.');
  return p.length === q.length && p.every((part, i) => part === '*' || part === q[i]);
}

export async function startFakeGraphite(): Promise<FakeGraphite> {
  const series = new Map<string, { interval: number; points: Map<number, number> }>();
  const requests: FakeGraphite['requests'] = [];
  const faults: Array<{ status: number; body: string }> = [];
  let basic: string | null = null;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const target = url.searchParams.get('target') ?? '';
    const from = Number(url.searchParams.get('from'));
    const until = Number(url.searchParams.get('until'));
    const authorization = req.headers.authorization ?? null;
    const record = (status: number) => requests.push({ target, from, until, authorization, status });
    if (basic !== null && authorization !== basic) {
      record(401);
      res.writeHead(401).end('Unauthorized');
      return;
    }
    const fault = faults.shift();
    if (fault) {
      record(fault.status);
      res.writeHead(fault.status, { 'content-type': 'application/json' }).end(fault.body);
      return;
    }
    if (url.pathname !== '/render' || url.searchParams.get('format') !== 'json' || !Number.isFinite(from) || !Number.isFinite(until)) {
      record(400);
      res.writeHead(400).end('bad request');
      return;
    }
    const out = [];
    for (const [path, s] of [...series].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!matches(target, path)) continue;
      const datapoints: Array<[number | null, number]> = [];
      for (let t = Math.floor(from / s.interval) * s.interval + s.interval; t <= until; t += s.interval) datapoints.push([s.points.get(t) ?? null, t]);
      out.push({ target: path, tags: { name: path }, datapoints });
    }
    record(200);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    add(path, seconds, value, intervalSeconds = 60) {
      const s = series.get(path) ?? { interval: intervalSeconds, points: new Map<number, number>() };
      series.set(path, s);
      s.points.set(Math.floor(seconds / s.interval) * s.interval, value);
    },
    fail(n, fault) {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    requireBasic(user, password) {
      basic = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
