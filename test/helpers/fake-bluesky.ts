/**
 * A local server speaking the AT Protocol XRPC endpoints a Bluesky search client uses, as the lexicons
 * define them, for driving the real @atproto/api agent in tests: `com.atproto.server.createSession`
 * (401 `AuthenticationRequired` for a wrong identifier or app password), `refreshSession`,
 * `getSession`, and `app.bsky.feed.searchPosts` (Bearer access token; 400 `ExpiredToken` once expired)
 * with `q`, `sort=latest`, `since` (inclusive) / `until` (exclusive) on sortAt (the earlier of createdAt
 * and indexedAt), `limit` (≤ 100) and an offset `cursor`, PostViews with valid CIDs, and the
 * `ratelimit-limit/remaining/reset/policy` headers with 429 `RateLimitExceeded` once spent.
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { FakeApiBase, type RecordedRequest, type Reply } from './fake-api-base.js';

export interface FakePost {
  /** The record key (TID-like). */
  readonly rkey: string;
  readonly did: string;
  readonly handle: string;
  readonly text: string;
  /** Epoch ms. */
  readonly indexedAt: number;
  /** Epoch ms; default indexedAt. */
  readonly createdAt?: number;
  readonly langs?: readonly string[];
}

/** A valid CID (the lexicon checks the format). */
const CID = 'bafyreibnoelefnzgwbcacyt4vh52ymxvzbjq7mmqhtcnwarfq4lzegsiqe';

export const postUri = (p: Pick<FakePost, 'did' | 'rkey'>) => `at://${p.did}/app.bsky.feed.post/${p.rkey}`;

export class FakeBluesky extends FakeApiBase {
  readonly posts = new Map<string, FakePost>();
  /** identifier → app password. */
  readonly accounts: Map<string, string>;
  private readonly access = new Map<string, string>();
  private readonly refresh = new Map<string, string>();

  private constructor(options: { accounts?: Readonly<Record<string, string>>; limit?: number }) {
    super({ limit: options.limit ?? 3000, windowMs: 5 * 60_000 });
    this.accounts = new Map(Object.entries(options.accounts ?? { 'brand.bsky.social': 'app-pass-word-test' }));
  }

  static async start(options: { accounts?: Readonly<Record<string, string>>; limit?: number } = {}): Promise<FakeBluesky> {
    const fake = new FakeBluesky(options);
    await fake.listen();
    return fake;
  }

  add(...posts: FakePost[]): this {
    for (const p of posts) this.posts.set(postUri(p), p);
    return this;
  }

  /** Every access token issued so far expires (the agent must refresh). */
  expireAccessTokens(): this {
    this.access.clear();
    return this;
  }

  get searches(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/xrpc/app.bsky.feed.searchPosts');
  }

  get logins(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/xrpc/com.atproto.server.createSession');
  }

  private session(identifier: string): Record<string, unknown> {
    const did = `did:plc:${Buffer.from(identifier).toString('hex').slice(0, 24).padEnd(24, 'a')}`;
    const accessJwt = randomBytes(16).toString('hex');
    const refreshJwt = randomBytes(16).toString('hex');
    this.access.set(accessJwt, identifier);
    this.refresh.set(refreshJwt, identifier);
    return { did, handle: identifier, accessJwt, refreshJwt, active: true, email: 'x@example.org', emailConfirmed: true };
  }

  private rateHeaders(): Record<string, string> {
    return { 'ratelimit-limit': String(this.limit), 'ratelimit-remaining': String(this.remaining), 'ratelimit-reset': String(Math.floor(this.windowEnd / 1000)), 'ratelimit-policy': `${this.limit};w=300` };
  }

  private view(p: FakePost): Record<string, unknown> {
    return {
      uri: postUri(p),
      cid: CID,
      author: { did: p.did, handle: p.handle, displayName: p.handle.split('.')[0], labels: [] },
      record: { $type: 'app.bsky.feed.post', text: p.text, createdAt: new Date(p.createdAt ?? p.indexedAt).toISOString(), ...(p.langs ? { langs: p.langs } : {}) },
      replyCount: 0,
      repostCount: 0,
      likeCount: 0,
      indexedAt: new Date(p.indexedAt).toISOString(),
      labels: [],
    };
  }

  protected route(r: RecordedRequest, _req: IncomingMessage): Reply | 'hang' {
    if (r.path === '/xrpc/com.atproto.server.createSession' && r.method === 'POST') {
      const body = JSON.parse(r.body || '{}') as { identifier?: string; password?: string };
      if (body.identifier === undefined || this.accounts.get(body.identifier.toLowerCase()) !== body.password) {
        return { status: 401, body: { error: 'AuthenticationRequired', message: 'Invalid identifier or password' } };
      }
      return { status: 200, body: this.session(body.identifier.toLowerCase()) };
    }
    if (r.path === '/xrpc/com.atproto.server.refreshSession' && r.method === 'POST') {
      const who = r.token === null ? undefined : this.refresh.get(r.token);
      if (who === undefined) return { status: 400, body: { error: 'ExpiredToken', message: 'Token has been revoked' } };
      this.refresh.delete(r.token as string);
      return { status: 200, body: this.session(who) };
    }
    if (r.path === '/xrpc/com.atproto.server.getSession') {
      const who = r.token === null ? undefined : this.access.get(r.token);
      if (who === undefined) return { status: 401, body: { error: 'AuthenticationRequired', message: 'Authentication Required' } };
      const s = this.session(who);
      return { status: 200, body: { did: s.did, handle: s.handle, active: true, email: s.email, emailConfirmed: true } };
    }
    if (r.path !== '/xrpc/app.bsky.feed.searchPosts') return { status: 501, body: { error: 'MethodNotImplemented', message: 'Method Not Implemented' } };
    if (r.token === null) return { status: 401, body: { error: 'AuthenticationRequired', message: 'Authentication Required' } };
    if (!this.access.has(r.token)) return { status: 400, body: { error: 'ExpiredToken', message: 'Token has expired' } };
    const fault = this.takeFault(r);
    if (fault?.kind === 'hang') return 'hang';
    if (!this.spend(r.time)) return { status: 429, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }, headers: { ...this.rateHeaders(), 'ratelimit-remaining': '0' } };
    const headers = this.rateHeaders();
    if (fault?.kind === 'status') return { status: fault.status, body: fault.body ?? { error: fault.status === 429 ? 'RateLimitExceeded' : 'InternalServerError', message: 'fault' }, headers: { ...headers, ...(fault.status === 429 ? { 'ratelimit-remaining': '0' } : {}), ...fault.headers } };
    if (fault?.kind === 'malformed-json') return { status: 200, raw: '{"posts": [{"uri": "at://', headers };
    if (fault?.kind === 'bad-shape') return { status: 200, body: { posts: 'none' }, headers };
    if (r.query.q === undefined || r.query.q === '') return { status: 400, body: { error: 'InvalidRequest', message: 'Error: Params must have the property "q"' } };

    const words = r.query.q.toLowerCase().split(/\s+/).filter(Boolean);
    const since = r.query.since === undefined ? null : Date.parse(r.query.since);
    const until = r.query.until === undefined ? null : Date.parse(r.query.until);
    const sortAt = (p: FakePost) => Math.min(p.indexedAt, p.createdAt ?? p.indexedAt);
    const matching = [...this.posts.values()]
      .filter((p) => words.some((w) => p.text.toLowerCase().includes(w)) && (since === null || sortAt(p) >= since) && (until === null || sortAt(p) < until))
      .sort((a, b) => sortAt(b) - sortAt(a) || (postUri(a) < postUri(b) ? 1 : -1));
    const limit = Math.min(100, Math.max(1, Number(r.query.limit ?? 25) || 25));
    const offset = r.query.cursor === undefined ? 0 : Number(r.query.cursor);
    const page = matching.slice(offset, offset + limit);
    const posts: unknown[] = page.map((p) => this.view(p));
    if (fault?.kind === 'bad-item') posts.splice(Math.floor(posts.length / 2), 0, fault.item);
    const more = matching.length > offset + limit;
    return { status: 200, body: { posts, hitsTotal: matching.length, ...(more ? { cursor: String(offset + limit) } : {}) }, headers };
  }
}
