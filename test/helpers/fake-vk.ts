/**
 * A local server speaking the VK API wire format (`POST /method/<name>`, form-encoded parameters with
 * `access_token` and `v`, HTTP 200 with `{response: ...}` or `{error: {error_code, error_msg,
 * request_params}}`), for driving the real vk-io client in tests: `newsfeed.search` (q, count ≤ 200,
 * start_time / end_time inclusive, `next_from` paging, newest first), `wall.get` (owner_id, offset,
 * count ≤ 100, newest first, a pinned post first) and `wall.getComments` (owner_id, post_id, offset,
 * count ≤ 100, sort, thread_items_count). Tokens are checked (error 5). A per-token requests-per-second
 * limit answers error 6 past it, as VK does. Faults are switchable per test: any VK error code, HTTP 5xx,
 * a malformed JSON body, a response of the wrong shape, an extra raw item, a request that never answers.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from './listen.js';

export interface FakeVkPost {
  readonly id: number;
  readonly ownerId: number;
  readonly fromId: number;
  /** Unix seconds. */
  readonly date: number;
  readonly text: string;
  readonly repostOf?: { readonly ownerId: number; readonly id: number };
  readonly pinned?: boolean;
  /** Only returned to searches containing this word; untagged posts match every search. */
  readonly tag?: string;
}

export interface FakeVkComment {
  readonly id: number;
  readonly postId: number;
  readonly fromId: number;
  readonly date: number;
  readonly text: string;
  /** Top-level comment this one replies to (it is then listed in that comment's thread). */
  readonly replyTo?: number;
}

export type FakeVkFault =
  | { readonly kind: 'vk-error'; readonly code: number; readonly message?: string }
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'malformed-json' }
  | { readonly kind: 'bad-shape' }
  | { readonly kind: 'hang' };

export interface VkRequest {
  readonly time: number;
  readonly method: string;
  readonly params: Readonly<Record<string, string>>;
  readonly token: string | null;
  /** VK error code answered, 0 for a response, -1 for a transport fault. */
  code: number;
}

const VK_MESSAGES: Record<number, string> = {
  5: 'User authorization failed: invalid access_token (4).',
  6: 'Too many requests per second',
  9: 'Flood control',
  10: 'Internal server error',
  29: 'Rate limit reached',
  100: 'One of the parameters specified was missing or invalid',
};

interface QueuedFault {
  readonly fault: FakeVkFault;
  remaining: number;
  readonly match: ((method: string, params: Readonly<Record<string, string>>) => boolean) | undefined;
}

export class FakeVkServer {
  readonly requests: VkRequest[] = [];
  readonly posts: FakeVkPost[] = [];
  readonly comments: FakeVkComment[] = [];
  readonly tokens: Set<string>;
  /** Extra raw items served on a page: appended to the items of the first page answered to `method`. */
  readonly extraItems: Array<{ method: string; item: unknown; at: number }> = [];
  /** Serve at most this many items per page (below `count`), to force paging in small tests. */
  pageSize: number | null = null;
  /** Requests per second per token before error 6 (null: no limit). */
  perSecond: number | null = null;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<http.ServerResponse>();
  private faults: QueuedFault[] = [];
  private baseUrl = '';

  private constructor(tokens: readonly string[]) {
    this.tokens = new Set(tokens);
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: { tokens?: readonly string[] } = {}): Promise<FakeVkServer> {
    const fake = new FakeVkServer(options.tokens ?? ['TEST']);
    fake.baseUrl = `http://127.0.0.1:${await listenOnLoopback(fake.server)}/method`;
    return fake;
  }

  /** `http://127.0.0.1:<port>/method`: the `apiBase` of a source pointed at this server. */
  get url(): string {
    return this.baseUrl;
  }

  addPosts(...posts: FakeVkPost[]): this {
    this.posts.push(...posts);
    return this;
  }

  addComments(...comments: FakeVkComment[]): this {
    this.comments.push(...comments);
    return this;
  }

  /** The next `times` requests (matching `match`) get `fault`. */
  failNext(fault: FakeVkFault, times = 1, match?: (method: string, params: Readonly<Record<string, string>>) => boolean): void {
    this.faults.push({ fault, remaining: times, match });
  }

  /** Requests to one method (what a poll costs). */
  calls(method: string): VkRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if (req.method === 'POST') for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) params[k] = v;
    const method = url.pathname.replace(/^\/method\//, '');
    const token = params.access_token ?? null;
    const { access_token: _drop, ...logged } = params;
    const record: VkRequest = { time: Date.now(), method, params: logged, token, code: 0 };
    this.requests.push(record);

    const send = (body: unknown, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const error = (code: number, message = VK_MESSAGES[code] ?? 'Unknown error occurred') => {
      record.code = code;
      send({ error: { error_code: code, error_msg: message, request_params: Object.entries({ ...logged, method }).map(([key, value]) => ({ key, value })) } });
    };

    if (token === null || !this.tokens.has(token)) return error(5);
    if (this.perSecond !== null) {
      const recent = this.requests.filter((r) => r.token === token && r.code !== 6 && r.time > record.time - 1000).length;
      if (recent > this.perSecond) return error(6);
    }
    const fault = this.takeFault(method, logged);
    if (fault) {
      switch (fault.kind) {
        case 'vk-error':
          return error(fault.code, fault.message);
        case 'http':
          record.code = -1;
          return send('<html>bad gateway</html>', fault.status);
        case 'malformed-json':
          record.code = -1;
          return send('{"response": {"items": [');
        case 'bad-shape':
          return send({ response: { items: 'nope' } });
        case 'hang':
          record.code = -1;
          this.hanging.add(res);
          return;
      }
    }
    switch (method) {
      case 'newsfeed.search':
        return send({ response: this.search(logged) });
      case 'wall.get':
        return send({ response: this.wall(logged) });
      case 'wall.getComments':
        return send({ response: this.getComments(logged) });
      default:
        return error(3, 'Unknown method passed');
    }
  }

  private takeFault(method: string, params: Readonly<Record<string, string>>): FakeVkFault | null {
    const queued = this.faults.find((f) => f.remaining > 0 && (f.match === undefined || f.match(method, params)));
    if (!queued) return null;
    queued.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return queued.fault;
  }

  private page(p: Readonly<Record<string, string>>, max: number): { offset: number; count: number } {
    const count = Math.min(Number(p.count ?? 20), max, this.pageSize ?? Infinity);
    return { offset: Number(p.offset ?? 0), count };
  }

  private extras(method: string, items: unknown[]): unknown[] {
    const extra = this.extraItems.filter((e) => e.method === method);
    if (extra.length === 0) return items;
    for (const e of extra) this.extraItems.splice(this.extraItems.indexOf(e), 1);
    const out = [...items];
    for (const e of extra) out.splice(Math.min(e.at, out.length), 0, e.item);
    return out;
  }

  private search(p: Readonly<Record<string, string>>): unknown {
    const q = (p.q ?? '').toLowerCase();
    const from = p.start_time === undefined ? 0 : Number(p.start_time);
    const to = p.end_time === undefined ? Infinity : Number(p.end_time);
    const all = this.posts
      .filter((post) => post.date >= from && post.date <= to && (post.tag === undefined || q.includes(post.tag)))
      .sort((a, b) => b.date - a.date || b.id - a.id);
    const offset = p.start_from === undefined ? 0 : Number(p.start_from.replace(/^o:/, ''));
    const { count } = this.page(p, 200);
    const items = all.slice(offset, offset + count).map(postJson);
    const next = offset + count < all.length ? `o:${offset + count}` : undefined;
    return { items: this.extras('newsfeed.search', items), count: items.length, total_count: all.length, ...(next === undefined ? {} : { next_from: next }) };
  }

  private wall(p: Readonly<Record<string, string>>): unknown {
    const owner = Number(p.owner_id);
    const mine = this.posts.filter((post) => post.ownerId === owner);
    const pinned = mine.filter((post) => post.pinned);
    const rest = mine.filter((post) => !post.pinned).sort((a, b) => b.id - a.id);
    const all = [...pinned, ...rest];
    const { offset, count } = this.page(p, 100);
    return { count: all.length, items: this.extras('wall.get', all.slice(offset, offset + count).map(postJson)) };
  }

  private getComments(p: Readonly<Record<string, string>>): unknown {
    const postId = Number(p.post_id);
    const threadItems = Math.min(Number(p.thread_items_count ?? 0), 10);
    const top = this.comments.filter((c) => c.postId === postId && c.replyTo === undefined).sort((a, b) => (p.sort === 'desc' ? b.id - a.id : a.id - b.id));
    const { offset, count } = this.page(p, 100);
    const items = top.slice(offset, offset + count).map((c) => {
      const replies = this.comments.filter((r) => r.replyTo === c.id).sort((a, b) => a.id - b.id);
      return { ...commentJson(c, Number(p.owner_id)), thread: { count: replies.length, items: replies.slice(0, threadItems).map((r) => commentJson(r, Number(p.owner_id))), can_post: true } };
    });
    return { count: top.length, current_level_count: top.length, items: this.extras('wall.getComments', items) };
  }
}

function postJson(p: FakeVkPost): Record<string, unknown> {
  return {
    id: p.id,
    owner_id: p.ownerId,
    from_id: p.fromId,
    date: p.date,
    text: p.text,
    post_type: p.repostOf ? 'copy' : 'post',
    marked_as_ads: 0,
    ...(p.pinned ? { is_pinned: 1 } : {}),
    ...(p.repostOf ? { copy_history: [{ id: p.repostOf.id, owner_id: p.repostOf.ownerId, from_id: p.repostOf.ownerId, date: p.date - 60, text: 'original', post_type: 'post' }] } : {}),
    comments: { count: 0, can_post: 1 },
    likes: { count: 0 },
  };
}

function commentJson(c: FakeVkComment, ownerId: number): Record<string, unknown> {
  return { id: c.id, from_id: c.fromId, post_id: c.postId, owner_id: ownerId, parents_stack: c.replyTo === undefined ? [] : [c.replyTo], date: c.date, text: c.text, ...(c.replyTo === undefined ? {} : { reply_to_comment: c.replyTo }) };
}
