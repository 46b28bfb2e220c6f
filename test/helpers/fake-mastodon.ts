/**
 * A local server speaking the Mastodon REST API as documented (docs.joinmastodon.org), for driving the
 * real masto client in tests: `GET /api/v1/timelines/tag/:hashtag`, `GET /api/v2/search?type=statuses`,
 * `GET /api/v1/notifications?types[]=mention`, newest first, `since_id` / `max_id` / `min_id` / `limit`
 * (at most 40) semantics, a `Link` header, snake_case Status entities with HTML `content`, Bearer token
 * check (401 `{"error":"The access token is invalid"}`; search and notifications need a token), and
 * `X-RateLimit-Limit/Remaining/Reset` (reset an ISO time) with 429 once the window is spent.
 */
import type { IncomingMessage } from 'node:http';
import { FakeApiBase, type RecordedRequest, type Reply } from './fake-api-base.js';

export interface FakeStatus {
  readonly id: string;
  /** HTML, as Mastodon sends it. */
  readonly content: string;
  /** `user` or `user@host`. */
  readonly acct: string;
  readonly createdAt?: string;
  readonly language?: string | null;
  readonly tags?: readonly string[];
  /** The id of the boosted status: this status is a boost. */
  readonly reblogOf?: string;
  readonly spoilerText?: string;
  /** A mention of the token's account: also listed in its notifications. */
  readonly mentionsMe?: boolean;
}

/** A Mastodon id for a status created at `ms` (milliseconds << 16, plus a sequence). */
export function mastodonIdAt(ms: number, seq = 0): string {
  return ((BigInt(ms) << 16n) + BigInt(seq)).toString();
}

export class FakeMastodon extends FakeApiBase {
  readonly statuses = new Map<string, FakeStatus>();
  readonly tokens: Set<string>;
  /** `127.0.0.1:<port>`: the instance host in message ids. */
  host = '';

  private constructor(options: { tokens?: readonly string[]; limit?: number }) {
    super({ limit: options.limit ?? 300, windowMs: 5 * 60_000 });
    this.tokens = new Set(options.tokens ?? ['TEST']);
  }

  static async start(options: { tokens?: readonly string[]; limit?: number } = {}): Promise<FakeMastodon> {
    const fake = new FakeMastodon(options);
    await fake.listen();
    fake.host = new URL(fake.url).host;
    return fake;
  }

  add(...statuses: FakeStatus[]): this {
    for (const s of statuses) this.statuses.set(s.id, s);
    return this;
  }

  /** List requests (what a poll costs). */
  get lists(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/api/'));
  }

  private entity(s: FakeStatus): Record<string, unknown> {
    const [username, domain] = s.acct.split('@');
    const createdAt = s.createdAt ?? new Date(Number(BigInt(s.id) >> 16n)).toISOString();
    const reblog = s.reblogOf === undefined ? null : this.statuses.get(s.reblogOf);
    return {
      id: s.id,
      created_at: createdAt,
      in_reply_to_id: null,
      in_reply_to_account_id: null,
      sensitive: false,
      spoiler_text: s.spoilerText ?? '',
      visibility: 'public',
      language: s.language === undefined ? 'en' : s.language,
      uri: `https://${domain ?? this.host}/users/${username}/statuses/${s.id}`,
      url: `https://${domain ?? this.host}/@${username}/${s.id}`,
      replies_count: 0,
      reblogs_count: 0,
      favourites_count: 0,
      content: reblog ? '' : s.content,
      reblog: reblog ? this.entity(reblog) : null,
      account: { id: `acc-${s.acct}`, username, acct: s.acct, display_name: username, url: `https://${domain ?? this.host}/@${username}` },
      media_attachments: [],
      mentions: [],
      tags: (s.tags ?? []).map((t) => ({ name: t, url: `https://${this.host}/tags/${t}` })),
      emojis: [],
      card: null,
      poll: null,
    };
  }

  private rateHeaders(): Record<string, string> {
    return { 'x-ratelimit-limit': String(this.limit), 'x-ratelimit-remaining': String(this.remaining), 'x-ratelimit-reset': new Date(this.windowEnd).toISOString() };
  }

  /** Newest first, with Mastodon's paging: since_id / max_id bound the range; min_id gives the oldest page after it. */
  private page<T extends { id: string }>(items: readonly T[], q: Readonly<Record<string, string>>): T[] {
    const limit = Math.min(40, Math.max(1, Number(q.limit ?? 20) || 20));
    const since = q.since_id === undefined ? null : BigInt(q.since_id);
    const max = q.max_id === undefined ? null : BigInt(q.max_id);
    const min = q.min_id === undefined ? null : BigInt(q.min_id);
    const inRange = items
      .map((item) => ({ item, id: BigInt(item.id) }))
      .filter(({ id }) => (since === null || id > since) && (max === null || id < max) && (min === null || id > min))
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map(({ item }) => item);
    return min !== null && since === null ? inRange.slice(-limit) : inRange.slice(0, limit);
  }

  protected route(r: RecordedRequest, _req: IncomingMessage): Reply | 'hang' {
    if (r.token !== null && !this.tokens.has(r.token)) return { status: 401, body: { error: 'The access token is invalid' } };
    const fault = this.takeFault(r);
    if (fault?.kind === 'hang') return 'hang';
    if (!this.spend(r.time)) return { status: 429, body: { error: 'Too many requests' }, headers: this.rateHeaders() };
    const headers = this.rateHeaders();
    if (fault?.kind === 'status') return { status: fault.status, body: fault.body ?? { error: fault.status === 429 ? 'Too many requests' : 'Error' }, headers: { ...headers, ...(fault.status === 429 ? { 'x-ratelimit-remaining': '0' } : {}), ...fault.headers } };
    if (fault?.kind === 'malformed-json') return { status: 200, raw: '[{"id":"1","content":"cut off', headers };

    let list: Array<Record<string, unknown>>;
    const tag = /^\/api\/v1\/timelines\/tag\/([^/]+)$/.exec(r.path);
    if (tag) {
      const name = decodeURIComponent(tag[1] ?? '').toLowerCase();
      const matching = [...this.statuses.values()].filter((s) => (s.tags ?? []).some((t) => t.toLowerCase() === name));
      list = this.page(matching, r.query).map((s) => this.entity(s));
    } else if (r.path === '/api/v2/search') {
      if (r.token === null) return { status: 401, body: { error: 'The access token is invalid' } };
      if (r.query.type !== 'statuses') return { status: 422, body: { error: 'type must be statuses in this fake' } };
      const words = (r.query.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      const matching = [...this.statuses.values()].filter((s) => s.reblogOf === undefined && words.every((w) => s.content.toLowerCase().includes(w)));
      const statuses = this.page(matching, r.query).map((s) => this.entity(s));
      if (fault?.kind === 'bad-shape') return { status: 200, body: { accounts: [], statuses: 'none', hashtags: [] }, headers };
      if (fault?.kind === 'bad-item') statuses.splice(Math.floor(statuses.length / 2), 0, fault.item as Record<string, unknown>);
      return { status: 200, body: { accounts: [], statuses, hashtags: [] }, headers };
    } else if (r.path === '/api/v1/notifications') {
      if (r.token === null) return { status: 401, body: { error: 'The access token is invalid' } };
      const types = [...r.params.getAll('types[]'), ...r.params.getAll('types')];
      const mentions = [...this.statuses.values()].filter((s) => s.mentionsMe).map((s) => ({ id: (BigInt(s.id) + 7n).toString(), status: s }));
      const wanted = types.length === 0 || types.includes('mention') ? mentions : [];
      list = this.page(wanted, r.query).map((n) => ({ id: n.id, type: 'mention', created_at: new Date(Number(BigInt(n.status.id) >> 16n)).toISOString(), account: this.entity(n.status).account, status: this.entity(n.status) }));
    } else {
      return { status: 404, body: { error: 'Record not found' } };
    }
    if (fault?.kind === 'bad-shape') return { status: 200, body: { statuses: list }, headers };
    if (fault?.kind === 'bad-item') list.splice(Math.floor(list.length / 2), 0, fault.item as Record<string, unknown>);
    const link: Record<string, string> = list.length === 0 ? {} : { link: `<${this.url}${r.path}?max_id=${String(list[list.length - 1]?.id)}>; rel="next", <${this.url}${r.path}?min_id=${String(list[0]?.id)}>; rel="prev"` };
    return { status: 200, body: list, headers: { ...headers, ...link } };
  }
}
