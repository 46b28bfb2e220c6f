/**
 * A local server speaking Reddit's OAuth API as documented (reddit.com/dev/api, the OAuth2 wiki), for
 * driving the Reddit source's fetch client in tests: `POST /api/v1/access_token` (client credentials,
 * HTTP Basic; 401 for a wrong id/secret), `GET /r/:sub/new`, `GET /r/:sub/comments`, `GET /search?sort=new`
 * with a Bearer token (401 for an unknown or revoked token), Listings newest first (`{kind: "Listing",
 * data: {after, before, children: [{kind: "t3" | "t1", data}]}}`), `after` / `before` / `limit` (≤ 100)
 * semantics, a User-Agent required, and `X-Ratelimit-Used/Remaining/Reset` (seconds) with 429 once spent.
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { FakeApiBase, type RecordedRequest, type Reply } from './fake-api-base.js';

export interface FakeRedditItem {
  /** Base-36 id; ids grow with time. */
  readonly id: string;
  readonly kind: 't3' | 't1';
  readonly subreddit: string;
  readonly author: string;
  readonly createdUtc: number;
  readonly title?: string;
  readonly selftext?: string;
  readonly body?: string;
  readonly crosspostParent?: string;
}

/** A Reddit-like id for the `n`-th item created at `ms` (grows with time, as Reddit's do). */
export function redditIdAt(ms: number, n = 0): string {
  return (BigInt(Math.floor(ms)) * 1000n + BigInt(n)).toString(36);
}

export class FakeReddit extends FakeApiBase {
  readonly items = new Map<string, FakeRedditItem>();
  /** client id → secret. */
  readonly clients: Map<string, string>;
  /** token → client id. */
  readonly issued = new Map<string, string>();

  private constructor(options: { clients?: Readonly<Record<string, string>>; limit?: number }) {
    super({ limit: options.limit ?? 600, windowMs: 600_000 });
    this.clients = new Map(Object.entries(options.clients ?? { CLIENT: 'SECRET' }));
  }

  static async start(options: { clients?: Readonly<Record<string, string>>; limit?: number } = {}): Promise<FakeReddit> {
    const fake = new FakeReddit(options);
    await fake.listen();
    return fake;
  }

  add(...items: FakeRedditItem[]): this {
    for (const i of items) this.items.set(`${i.kind}_${i.id}`, i);
    return this;
  }

  /** Revokes every token issued so far (the next API request gets 401). */
  revokeTokens(): this {
    this.issued.clear();
    return this;
  }

  get listings(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'GET');
  }

  private child(i: FakeRedditItem): Record<string, unknown> {
    const name = `${i.kind}_${i.id}`;
    const common = { id: i.id, name, author: i.author, author_fullname: `t2_${i.author.toLowerCase()}`, subreddit: i.subreddit, subreddit_name_prefixed: `r/${i.subreddit}`, created_utc: i.createdUtc, score: 1, ups: 1 };
    if (i.kind === 't1') return { kind: 't1', data: { ...common, body: i.body ?? '', link_id: 't3_zzz', parent_id: 't3_zzz', permalink: `/r/${i.subreddit}/comments/zzz/title/${i.id}/` } };
    return {
      kind: 't3',
      data: { ...common, title: i.title ?? '', selftext: i.selftext ?? '', is_self: true, url: `https://www.reddit.com/r/${i.subreddit}/comments/${i.id}/x/`, permalink: `/r/${i.subreddit}/comments/${i.id}/x/`, over_18: false, ...(i.crosspostParent ? { crosspost_parent: i.crosspostParent, crosspost_parent_list: [] } : {}) },
    };
  }

  private rateHeaders(now: number): Record<string, string> {
    return { 'x-ratelimit-used': String(this.limit - this.remaining), 'x-ratelimit-remaining': `${this.remaining}.0`, 'x-ratelimit-reset': String(Math.max(0, Math.ceil((this.windowEnd - now) / 1000))) };
  }

  protected route(r: RecordedRequest, req: IncomingMessage): Reply | 'hang' {
    if (!req.headers['user-agent'] || /^(node|undici)/i.test(String(req.headers['user-agent']))) return { status: 429, body: { message: 'Too Many Requests', error: 429 } };
    if (r.method === 'POST' && r.path === '/api/v1/access_token') {
      const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const [id, secret] = Buffer.from(basic ?? '', 'base64').toString().split(':');
      if (id === undefined || this.clients.get(id) !== secret) return { status: 401, body: { message: 'Unauthorized', error: 401 } };
      if (new URLSearchParams(r.body).get('grant_type') !== 'client_credentials') return { status: 200, body: { error: 'unsupported_grant_type' } };
      const token = randomBytes(12).toString('hex');
      this.issued.set(token, id);
      return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: 86400, scope: '*' } };
    }
    if (r.method !== 'GET') return { status: 405, body: { message: 'Method Not Allowed', error: 405 } };
    if (r.token === null || !this.issued.has(r.token)) return { status: 401, body: { message: 'Unauthorized', error: 401 } };
    const fault = this.takeFault(r);
    if (fault?.kind === 'hang') return 'hang';
    if (!this.spend(r.time)) return { status: 429, body: { message: 'Too Many Requests', error: 429 }, headers: { ...this.rateHeaders(r.time), 'x-ratelimit-remaining': '0.0' } };
    const headers = this.rateHeaders(r.time);
    if (fault?.kind === 'status') return { status: fault.status, body: fault.body ?? { message: 'Error', error: fault.status }, headers: { ...headers, ...fault.headers } };
    if (fault?.kind === 'malformed-json') return { status: 200, raw: '{"kind": "Listing", "data": {"children": [', headers };
    if (fault?.kind === 'bad-shape') return { status: 200, body: { kind: 'Listing', data: { children: 'none' } }, headers };

    let matching: FakeRedditItem[];
    const sub = /^\/r\/([A-Za-z0-9_]+)\/(new|comments)$/.exec(r.path);
    if (sub) {
      const kind = sub[2] === 'new' ? 't3' : 't1';
      matching = [...this.items.values()].filter((i) => i.kind === kind && i.subreddit.toLowerCase() === sub[1]?.toLowerCase());
    } else if (r.path === '/search') {
      if (r.query.sort !== 'new') return { status: 400, body: { message: 'this fake sorts by new only', error: 400 } };
      const words = (r.query.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      matching = [...this.items.values()].filter((i) => i.kind === 't3' && words.every((w) => `${i.title ?? ''} ${i.selftext ?? ''}`.toLowerCase().includes(w)));
    } else {
      return { status: 404, body: { message: 'Not Found', error: 404 } };
    }
    const num = (fullname: string) => BigInt(`0x0`) + [...fullname.replace(/^t\d_/, '')].reduce((n, c) => n * 36n + BigInt(Number.parseInt(c, 36)), 0n);
    const ordered = matching.sort((a, b) => (num(a.id) < num(b.id) ? 1 : -1));
    const limit = Math.min(100, Math.max(1, Number(r.query.limit ?? 25) || 25));
    let page: FakeRedditItem[];
    let more: boolean;
    if (r.query.before) {
      const before = num(r.query.before);
      const newer = ordered.filter((i) => num(i.id) > before);
      page = newer.slice(-limit);
      more = newer.length > limit;
    } else {
      const after = r.query.after ? num(r.query.after) : null;
      const older = after === null ? ordered : ordered.filter((i) => num(i.id) < after);
      page = older.slice(0, limit);
      more = older.length > limit;
    }
    const children = page.map((i) => this.child(i));
    if (fault?.kind === 'bad-item') children.splice(Math.floor(children.length / 2), 0, fault.item as Record<string, unknown>);
    const last = page[page.length - 1];
    return {
      status: 200,
      body: { kind: 'Listing', data: { after: more && last ? `${last.kind}_${last.id}` : null, before: null, dist: children.length, modhash: '', geo_filter: null, children } },
      headers,
    };
  }
}
