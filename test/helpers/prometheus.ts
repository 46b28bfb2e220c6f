/**
 * A throwaway real Prometheus for integration tests: the Debian `prometheus` binary as a child process
 * on a free loopback port, with a temp data dir, scraping the tests' own exporters every second and/or
 * filled beforehand with history by `promtool tsdb create-blocks-from openmetrics`. Without the binary
 * the tests fail with how to install it (never a silent skip).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './dovecot.js';
import { listenOnLoopback } from './listen.js';

export const PROMETHEUS_USER = 'radar';
export const PROMETHEUS_PASSWORD = 'radar-test-password';
const WEB_CONFIG = new URL('../fixtures/prometheus/web.yml', import.meta.url).pathname;

function findBinary(name: 'prometheus' | 'promtool'): string {
  for (const p of [`/usr/bin/${name}`, `/usr/local/bin/${name}`]) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is not installed: the metric source tests need a real Prometheus. Install it with \`apt-get install prometheus\` (Debian/Ubuntu; .ci/run does).`);
  }
}

/** One sample of backfilled history: `metric{labels} value seconds`. */
export interface HistorySample {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Epoch ms (whole seconds). */
  readonly t: number;
}

export interface PrometheusOptions {
  /** host:port of exporters scraped every second. */
  readonly scrape?: readonly string[];
  /** Samples written into the TSDB before start (promtool). */
  readonly history?: readonly HistorySample[];
  /** Require basic auth (user radar, password radar-test-password). */
  readonly basicAuth?: boolean;
}

export interface TestPrometheus {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** SIGTERM and wait for the exit (the data dir is kept). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data dir. */
  start(): Promise<void>;
  /** Stops it and removes its data dir. */
  close(): Promise<void>;
  log(): string;
}

function openMetrics(samples: readonly HistorySample[]): string {
  const byMetric = new Map<string, HistorySample[]>();
  for (const s of samples) {
    const list = byMetric.get(s.metric);
    if (list) list.push(s);
    else byMetric.set(s.metric, [s]);
  }
  const lines: string[] = [];
  for (const [metric, list] of byMetric) {
    lines.push(`# TYPE ${metric} gauge`);
    const series = new Map<string, HistorySample[]>();
    for (const s of list) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(',');
      const points = series.get(labels);
      if (points) points.push(s);
      else series.set(labels, [s]);
    }
    for (const [labels, points] of series) {
      for (const p of [...points].sort((a, b) => a.t - b.t)) lines.push(`${metric}${labels ? `{${labels}}` : ''} ${p.value} ${p.t / 1000}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

export async function startPrometheus(options: PrometheusOptions = {}): Promise<TestPrometheus> {
  const binary = findBinary('prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'radar-prom-'));
  const data = join(dir, 'data');
  if (options.history && options.history.length > 0) {
    const file = join(dir, 'history.om');
    writeFileSync(file, openMetrics(options.history));
    execFileSync(findBinary('promtool'), ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=384h', file, data], { stdio: 'pipe' });
  }
  const scrape = options.scrape ?? [];
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      ...(scrape.length > 0 ? ['  - job_name: exporter', '    static_configs:', `      - targets: [${scrape.map((s) => `'${s}'`).join(', ')}]`] : []),
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let output = '';
  const start = async (): Promise<void> => {
    const proc = spawn(
      binary,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=60d',
        `--web.listen-address=127.0.0.1:${port}`,
        ...(options.basicAuth ? [`--web.config.file=${WEB_CONFIG}`] : []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const auth = options.basicAuth ? { authorization: `Basic ${Buffer.from(`${PROMETHEUS_USER}:${PROMETHEUS_PASSWORD}`).toString('base64')}` } : undefined;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`prometheus exited early (${proc.exitCode ?? proc.signalCode}):\n${output.slice(-3000)}`);
      const ready = await fetch(`${url}/-/ready`, { ...(auth ? { headers: auth } : {}), signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`prometheus not ready on ${port} within 30 s:\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    url,
    port,
    dir,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => output,
  };
}

/** A tiny exporter: serves the gauges the test sets, in the text exposition format. */
export interface TestExporter {
  readonly target: string;
  set(metric: string, labels: Readonly<Record<string, string>>, value: number): void;
  close(): Promise<void>;
}

export async function startExporter(): Promise<TestExporter> {
  const gauges = new Map<string, { metric: string; labels: string; value: number }>();
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const metrics = [...new Set([...gauges.values()].map((g) => g.metric))];
    const lines = metrics.flatMap((m) => [`# TYPE ${m} gauge`, ...[...gauges.values()].filter((g) => g.metric === m).map((g) => `${m}${g.labels} ${g.value}`)]);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  const port = await listenOnLoopback(server);
  return {
    target: `127.0.0.1:${port}`,
    set(metric, labels, value) {
      const text = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
      gauges.set(`${metric}{${text}}`, { metric, labels: text ? `{${text}}` : '', value });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A proxy in front of a server that the test steers: it can require a bearer token, fail the next
 * requests with a status, hold them past the client's timeout, or answer with a body of its own.
 * Every request is recorded (path and Authorization header).
 */
export interface FaultProxy {
  readonly url: string;
  readonly requests: Array<{ readonly path: string; readonly authorization: string | null; readonly status: number }>;
  /** The next `n` requests get `fault`. */
  fail(n: number, fault: { status: number; body?: string } | 'hang'): void;
  /** The requests with these ordinals (0: the first request the proxy sees) get `fault`. */
  failAt(ordinals: readonly number[], fault: { status: number; body?: string } | 'hang'): void;
  requireBearer(token: string | null): void;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const requests: Array<{ path: string; authorization: string | null; status: number }> = [];
  const faults: Array<{ status: number; body?: string } | 'hang'> = [];
  const planned = new Map<number, { status: number; body?: string } | 'hang'>();
  let seen = 0;
  let bearer: string | null = null;
  const hanging = new Set<import('node:http').ServerResponse>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const authorization = req.headers.authorization ?? null;
    const record = (status: number) => requests.push({ path: req.url ?? '', authorization, status });
    if (bearer !== null && authorization !== `Bearer ${bearer}`) {
      record(401);
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"status":"error","error":"unauthorized"}');
      return;
    }
    const ordinal = seen++;
    const fault = planned.get(ordinal) ?? faults.shift();
    if (fault === 'hang') {
      record(0);
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (fault) {
      record(fault.status);
      res.writeHead(fault.status, { 'content-type': 'application/json' }).end(fault.body ?? '{"status":"error","error":"injected"}');
      return;
    }
    try {
      const answer = await fetch(`${upstream}${req.url ?? ''}`, {
        method: req.method ?? 'GET',
        headers: { ...(req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {}) },
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      });
      const body = Buffer.from(await answer.arrayBuffer());
      record(answer.status);
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(body);
    } catch {
      record(502);
      res.writeHead(502).end('upstream down');
    }
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail(n, fault) {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    failAt(ordinals, fault) {
      for (const o of ordinals) planned.set(o, fault);
    },
    requireBearer(token) {
      bearer = token;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Asks Prometheus directly (no radar code): bucket start → value per label value of `label`, as the radar maps them. */
export async function directQuery(url: string, query: string, from: number, to: number, stepMs: number, label: string): Promise<Map<string, Map<number, number>>> {
  const out = new Map<string, Map<number, number>>();
  for (let start = from; start <= to; start += 10_000 * stepMs) {
    const end = Math.min(to, start + 9_999 * stepMs);
    const form = new URLSearchParams({ query, start: String((start + stepMs) / 1000), end: String((end + stepMs) / 1000), step: String(stepMs / 1000) });
    const body = (await (await fetch(`${url}/api/v1/query_range`, { method: 'POST', body: form })).json()) as {
      data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
    };
    for (const r of body.data.result) {
      const name = r.metric[label] ?? '';
      const points = out.get(name) ?? new Map<number, number>();
      for (const [s, v] of r.values) points.set(Math.round(s * 1000) - stepMs, Number(v));
      out.set(name, points);
    }
  }
  return out;
}
