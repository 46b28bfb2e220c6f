/**
 * A local server speaking the X API v2 recent-search contract (`GET /2/tweets/search/recent`) as X
 * documents it, for driving the real twitter-api-v2 client in tests: `data` newest first, only the
 * requested `tweet.fields`, `includes.users` for `expansions=author_id`, `meta{newest_id, oldest_id,
 * result_count, next_token}`, `since_id` / `until_id` / `start_time` / `end_time` / `max_results`
 * (10–100) semantics, bearer check (401), a 15-minute request window with `x-rate-limit-*` headers
 * (429 once spent). Faults are switchable per test: 503, 401/403, 429, a malformed JSON body, a body of
 * the wrong shape, a page that never answers. Every request is recorded with its arrival time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export interface FakeTweet {
  readonly id: string;
  readonly text: string;
  readonly authorId: string;
  /** ISO time; default: derived from the id (snowflake). */
  readonly createdAt?: string;
  readonly lang?: string;
  readonly conversationId?: string;
  readonly referenced?: ReadonlyArray<{ readonly type: 'retweeted' | 'quoted' | 'replied_to'; readonly id: string }>;
  /** Only returned to queries containing this word (case-insensitive); untagged tweets match every query. */
  readonly tag?: string;
}

export interface FakeUser {
  readonly id: string;
  readonly username: string;
  readonly name?: string;
}

export type FakeFault =
  | { readonly kind: 'status'; readonly status: number; readonly body?: unknown }
  | { readonly kind: 'malformed-json' }
  | { readonly kind: 'bad-shape' }
  | { readonly kind: 'bad-tweet'; readonly tweet: unknown }
  | { readonly kind: 'hang' };

export interface RecordedRequest {
  /** Epoch ms when the request arrived. */
  readonly time: number;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly token: string | null;
  /** HTTP status answered (0 for a request left hanging). */
  status: number;
  readonly fault: FakeFault['kind'] | null;
}

export interface FakeXOptions {
  /** Bearer tokens accepted (default: `TEST`). */
  readonly tokens?: readonly string[];
  /** Requests per window (default 450, recent search's app limit). */
  readonly limit?: number;
  /** Window length (default 15 minutes). */
  readonly windowMs?: number;
}

const X_EPOCH = 1288834974657n;

/** A snowflake id for a tweet created at `ms` (sequence `seq` within that millisecond). */
export function snowflakeAt(ms: number, seq = 0): string {
  return (((BigInt(ms) - X_EPOCH) << 22n) + BigInt(seq)).toString();
}

function timeOfId(id: string): number {
  return Number((BigInt(id) >> 22n) + X_EPOCH);
}

function problem(status: number, title: string, detail = title): Record<string, unknown> {
  return { title, detail, type: status === 400 ? 'https://api.twitter.com/2/problems/invalid-request' : 'about:blank', status };
}

interface QueuedFault {
  readonly fault: FakeFault;
  remaining: number;
  readonly match: ((query: Readonly<Record<string, string>>, token: string | null) => boolean) | undefined;
}

export class FakeXServer {
  readonly requests: RecordedRequest[] = [];
  /** Tweets by id. */
  readonly tweets = new Map<string, FakeTweet>();
  readonly users = new Map<string, FakeUser>();
  readonly tokens: Set<string>;
  /** Serve at most this many tweets per page (below max_results), to force pagination in small tests. */
  pageSize: number | null = null;
  /** Apply `-is:retweet` in the query (X does); switch off to check the client drops retweets itself. */
  honourRetweetOperator = true;
  /** Extra delay before every answer (ms). */
  latencyMs = 0;

  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<http.ServerResponse>();
  private faults: QueuedFault[] = [];
  private readonly limit: number;
  private readonly windowMs: number;
  private windowEnd = 0;
  private used = 0;
  private baseUrl = '';

  private constructor(options: FakeXOptions) {
    this.tokens = new Set(options.tokens ?? ['TEST']);
    this.limit = options.limit ?? 450;
    this.windowMs = options.windowMs ?? 15 * 60 * 1000;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: FakeXOptions = {}): Promise<FakeXServer> {
    const fake = new FakeXServer(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** `http://127.0.0.1:<port>`: the `apiBase` of a source pointed at this server. */
  get url(): string {
    return this.baseUrl;
  }

  addUsers(...users: FakeUser[]): this {
    for (const u of users) this.users.set(u.id, u);
    return this;
  }

  addTweets(...tweets: FakeTweet[]): this {
    for (const t of tweets) this.tweets.set(t.id, t);
    this.sorted = null;
    return this;
  }

  /** Tweets newest first with their ids as numbers (cached until tweets are added). */
  private sorted: Array<{ readonly tweet: FakeTweet; readonly id: bigint; readonly at: number }> | null = null;

  private newestFirst(): Array<{ readonly tweet: FakeTweet; readonly id: bigint; readonly at: number }> {
    this.sorted ??= [...this.tweets.values()]
      .map((tweet) => ({ tweet, id: BigInt(tweet.id), at: tweet.createdAt === undefined ? timeOfId(tweet.id) : Date.parse(tweet.createdAt) }))
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return this.sorted;
  }

  /** Answers the next `times` matching search requests with `fault` (in the order queued). */
  failNext(fault: FakeFault, times = 1, match?: (query: Readonly<Record<string, string>>, token: string | null) => boolean): this {
    this.faults.push({ fault, remaining: times, match });
    return this;
  }

  clearFaults(): this {
    this.faults = [];
    return this;
  }

  /** Spends the request window: every request gets 429 until `resetAt` (epoch ms, rounded up to a second as X sends it). */
  exhaustUntil(resetAt: number): this {
    this.windowEnd = Math.ceil(resetAt / 1000) * 1000;
    this.used = this.limit;
    return this;
  }

  /** End of the current request window (epoch ms): what `x-rate-limit-reset` says, times 1000. */
  get rateLimitResetAt(): number {
    return this.windowEnd;
  }

  /** Search requests only (what a poll costs). */
  get searches(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/2/tweets/search/recent');
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private takeFault(query: Readonly<Record<string, string>>, token: string | null): FakeFault | null {
    const queued = this.faults.find((f) => f.remaining > 0 && (f.match === undefined || f.match(query, token)));
    if (!queued) return null;
    queued.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return queued.fault;
  }

  private rateHeaders(now: number): Record<string, string> {
    if (now >= this.windowEnd) {
      this.windowEnd = Math.ceil((now + this.windowMs) / 1000) * 1000;
      this.used = 0;
    }
    return {
      'x-rate-limit-limit': String(this.limit),
      'x-rate-limit-remaining': String(Math.max(0, this.limit - this.used)),
      'x-rate-limit-reset': String(Math.floor(this.windowEnd / 1000)),
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const now = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams.entries());
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? decodeURIComponent(auth.slice('Bearer '.length)) : null;
    const record: RecordedRequest = { time: now, path: url.pathname, query, token, status: 0, fault: null };
    this.requests.push(record);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));

    const send = (status: number, body: unknown, headers: Record<string, string> = {}, raw?: string) => {
      record.status = status;
      const text = raw ?? JSON.stringify(body);
      res.writeHead(status, {
        'content-type': status >= 400 ? 'application/problem+json' : 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
        ...headers,
      });
      res.end(text);
    };

    if (req.method !== 'GET' || url.pathname !== '/2/tweets/search/recent') return send(404, problem(404, 'Not Found Error'));
    if (token === null || !this.tokens.has(token)) return send(401, problem(401, 'Unauthorized'));

    const fault = this.takeFault(query, token);
    const rate = this.rateHeaders(now);
    if (fault?.kind === 'hang') {
      record.status = 0;
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (fault) Object.assign(record, { fault: fault.kind });
    if (fault?.kind === 'status') {
      const headers = fault.status === 429 ? { ...rate, 'x-rate-limit-remaining': '0' } : rate;
      return send(fault.status, fault.body ?? problem(fault.status, fault.status === 429 ? 'Too Many Requests' : fault.status >= 500 ? 'Service Unavailable' : 'Error'), headers);
    }
    if (this.used >= this.limit) return send(429, problem(429, 'Too Many Requests'), rate);
    this.used += 1;
    const headers = this.rateHeaders(now);

    const max = query.max_results === undefined ? 10 : Number(query.max_results);
    if (!Number.isInteger(max) || max < 10 || max > 100) {
      return send(400, { errors: [{ parameters: { max_results: [query.max_results] }, message: `The \`max_results\` query parameter value [${query.max_results}] is not between 10 and 100` }], ...problem(400, 'Invalid Request', 'One or more parameters to your request was invalid.') }, headers);
    }
    if (!query.query) return send(400, problem(400, 'Invalid Request', 'The `query` query parameter can not be empty'), headers);
    if (fault?.kind === 'malformed-json') return send(200, null, headers, '{"data":[{"id":"1","text":"cut off');
    if (fault?.kind === 'bad-shape') return send(200, { data: 'not a list', meta: { result_count: 'many' } }, headers);

    const page = this.search(query, max);
    if (fault?.kind === 'bad-tweet') page.data = [...(page.data ?? []), fault.tweet];
    return send(200, page, headers);
  }

  private search(q: Readonly<Record<string, string>>, max: number): { data?: unknown[]; includes?: { users: unknown[] }; meta: Record<string, unknown> } {
    const words = (q.query ?? '').toLowerCase();
    const fields = new Set((q['tweet.fields'] ?? '').split(',').filter(Boolean));
    const expandAuthor = (q.expansions ?? '').split(',').includes('author_id');
    const startMs = q.start_time === undefined ? null : Date.parse(q.start_time);
    const endMs = q.end_time === undefined ? null : Date.parse(q.end_time);
    const pageUntil = q.next_token === undefined ? null : Buffer.from(q.next_token, 'base64url').toString();
    const noRetweets = this.honourRetweetOperator && /(^|\s|\()-is:retweet\b/.test(words);

    const since = q.since_id === undefined ? null : BigInt(q.since_id);
    const until = q.until_id === undefined ? null : BigInt(q.until_id);
    const below = pageUntil === null ? null : BigInt(pageUntil);
    const matching = this.newestFirst()
      .filter(({ tweet: t, id, at }) =>
        (t.tag === undefined || words.includes(t.tag.toLowerCase())) &&
        !(noRetweets && t.referenced?.some((r) => r.type === 'retweeted')) &&
        (since === null || id > since) &&
        (until === null || id < until) &&
        (below === null || id < below) &&
        (startMs === null || at >= startMs) &&
        (endMs === null || at < endMs),
      )
      .map(({ tweet }) => tweet);
    const size = Math.min(max, this.pageSize ?? max);
    const page = matching.slice(0, size);
    if (page.length === 0) return { meta: { result_count: 0 } };
    const first = page[0] as FakeTweet;
    const last = page[page.length - 1] as FakeTweet;

    const data = page.map((t) => {
      const out: Record<string, unknown> = { id: t.id, text: t.text, edit_history_tweet_ids: [t.id] };
      if (fields.has('created_at')) out.created_at = t.createdAt ?? new Date(timeOfId(t.id)).toISOString();
      if (fields.has('lang')) out.lang = t.lang ?? 'und';
      if (fields.has('author_id')) out.author_id = t.authorId;
      if (fields.has('conversation_id')) out.conversation_id = t.conversationId ?? t.id;
      if (fields.has('referenced_tweets') && t.referenced && t.referenced.length > 0) out.referenced_tweets = t.referenced;
      return out;
    });
    const result: { data?: unknown[]; includes?: { users: unknown[] }; meta: Record<string, unknown> } = {
      data,
      meta: { newest_id: first.id, oldest_id: last.id, result_count: page.length },
    };
    if (expandAuthor) {
      const ids = [...new Set(page.map((t) => t.authorId))];
      result.includes = { users: ids.map((id) => this.users.get(id)).filter((u): u is FakeUser => u !== undefined).map((u) => ({ id: u.id, name: u.name ?? u.username, username: u.username })) };
    }
    if (matching.length > size) result.meta.next_token = Buffer.from(last.id).toString('base64url');
    return result;
  }
}
