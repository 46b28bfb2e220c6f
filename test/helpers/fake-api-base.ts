/**
 * What the fake social-network servers (fake-mastodon.ts, fake-bluesky.ts, fake-reddit.ts) share: a
 * loopback HTTP server, every request recorded with its arrival time, faults queued per test (an HTTP
 * status, a malformed JSON body, a body of the wrong shape, a bad item among good ones, no answer), a
 * request window that answers 429 once spent, and a clean close that also ends hanging requests.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from './listen.js';

export type FakeFault =
  | { readonly kind: 'status'; readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: 'malformed-json' }
  | { readonly kind: 'bad-shape' }
  | { readonly kind: 'bad-item'; readonly item: unknown }
  | { readonly kind: 'hang' };

export interface RecordedRequest {
  readonly time: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Every value of each query key (for `types[]=a&types[]=b`). */
  readonly params: URLSearchParams;
  readonly token: string | null;
  readonly body: string;
  status: number;
  fault: FakeFault['kind'] | null;
}

interface QueuedFault {
  readonly fault: FakeFault;
  remaining: number;
  readonly match: ((r: RecordedRequest) => boolean) | undefined;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly raw?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export abstract class FakeApiBase {
  readonly requests: RecordedRequest[] = [];
  /** Requests per window before 429. */
  limit: number;
  windowMs: number;
  protected windowEnd = 0;
  protected used = 0;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<http.ServerResponse>();
  private faults: QueuedFault[] = [];
  private base = '';

  protected constructor(options: { limit?: number; windowMs?: number }) {
    this.limit = options.limit ?? 300;
    this.windowMs = options.windowMs ?? 5 * 60_000;
    this.server = http.createServer((req, res) => void this.dispatch(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  protected async listen(): Promise<void> {
    const port = await listenOnLoopback(this.server);
    this.base = `http://127.0.0.1:${port}`;
  }

  get url(): string {
    return this.base;
  }

  /** Answers the next `times` matching requests with `fault`. */
  failNext(fault: FakeFault, times = 1, match?: (r: RecordedRequest) => boolean): this {
    this.faults.push({ fault, remaining: times, match });
    return this;
  }

  /** Spends the request window: every counted request gets 429 until `resetAt` (epoch ms, rounded up to a second). */
  exhaustUntil(resetAt: number): this {
    this.windowEnd = Math.ceil(resetAt / 1000) * 1000;
    this.used = this.limit;
    return this;
  }

  get rateLimitResetAt(): number {
    return this.windowEnd;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Rolls the window over when it ended; true when the request may be served (and counts it). */
  protected spend(now: number): boolean {
    if (now >= this.windowEnd) {
      this.windowEnd = Math.ceil((now + this.windowMs) / 1000) * 1000;
      this.used = 0;
    }
    if (this.used >= this.limit) return false;
    this.used += 1;
    return true;
  }

  protected get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  protected takeFault(record: RecordedRequest): FakeFault | null {
    const queued = this.faults.find((f) => f.remaining > 0 && (f.match === undefined || f.match(record)));
    if (!queued) return null;
    queued.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    record.fault = queued.fault.kind;
    return queued.fault;
  }

  /** The answer to one request; `'hang'` leaves it unanswered. */
  protected abstract route(record: RecordedRequest, req: http.IncomingMessage): Reply | 'hang' | Promise<Reply | 'hang'>;

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const auth = req.headers.authorization ?? '';
    const record: RecordedRequest = {
      time: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      params: url.searchParams,
      token: /^Bearer /i.test(auth) ? auth.slice(7) : null,
      body: Buffer.concat(chunks).toString('utf8'),
      status: 0,
      fault: null,
    };
    this.requests.push(record);
    let reply: Reply | 'hang';
    try {
      reply = await this.route(record, req);
    } catch (error) {
      reply = { status: 500, body: { error: String(error) } };
    }
    if (reply === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    record.status = reply.status;
    const text = reply.raw ?? JSON.stringify(reply.body ?? {});
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...reply.headers });
    res.end(text);
  }
}
