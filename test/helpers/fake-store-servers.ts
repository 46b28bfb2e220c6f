/**
 * Local servers speaking the two store review APIs as Google and Apple document them, for driving the
 * real clients in tests and benches:
 *
 * - FakeGooglePlay: the OAuth2 token endpoint (`POST /token`, grant type
 *   `urn:ietf:params:oauth:grant-type:jwt-bearer`; the RS256 assertion is verified with the service
 *   account's public key, and its iss / scope / aud / exp checked) and `GET
 *   /androidpublisher/v3/applications/{pkg}/reviews` (bearer token, newest `lastModified` first, only the
 *   last week, `maxResults`, opaque `token` paging in `tokenPagination.nextPageToken`, `translationLanguage` recorded).
 * - FakeAppStoreConnect: `GET /v1/apps/{id}/customerReviews?sort=-createdDate&limit=` (the ES256 JWT
 *   verified with the key's public key: kid, iss, aud `appstoreconnect-v1`, lifetime ≤ 20 minutes;
 *   newest first; absolute `links.next` with an opaque `cursor`; `X-Rate-Limit` header).
 *
 * Faults are queued per test: any status (with headers, e.g. Retry-After), a body of the wrong shape,
 * a raw review that does not match the documented shape. Every request is recorded.
 */
import { randomUUID, verify, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from './listen.js';

export type StoreFault =
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: unknown }
  | { readonly kind: 'bad-shape' };

export interface StoreRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  status: number;
  /** Claims of the verified JWT (assertion or bearer), null when none or not verified. */
  readonly claims: Readonly<Record<string, unknown>> | null;
}

interface Queued {
  readonly fault: StoreFault;
  remaining: number;
  readonly path: RegExp | undefined;
}

function b64json(part: string | undefined): Record<string, unknown> | null {
  try {
    return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Verifies a compact JWS with `key` for `alg`; returns header and claims, or why it is refused. */
export function verifyJwt(jwt: string, alg: 'RS256' | 'ES256', key: KeyObject): { header: Record<string, unknown>; claims: Record<string, unknown> } | string {
  const parts = jwt.split('.');
  if (parts.length !== 3) return 'not a compact JWS';
  const header = b64json(parts[0]);
  const claims = b64json(parts[1]);
  if (!header || !claims) return 'undecodable header or claims';
  if (header.alg !== alg) return `alg must be ${alg}`;
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const sig = Buffer.from(parts[2] ?? '', 'base64url');
  const ok = alg === 'RS256' ? verify('sha256', data, key, sig) : sig.length === 64 && verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig);
  return ok ? { header, claims } : 'bad signature';
}

abstract class FakeServer {
  readonly requests: StoreRequest[] = [];
  url = '';
  /** The server's clock (epoch ms) for token expiry and Google's one-week window. */
  now: () => number = Date.now;
  /** Serve at most this many reviews per page (below what the client asks), to force paging in small tests. */
  pageSize: number | null = null;
  protected readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private faults: Queued[] = [];

  protected constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.dispatch(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  protected async listen(): Promise<void> {
    this.url = `http://127.0.0.1:${await listenOnLoopback(this.server)}`;
  }

  /** The next `times` requests (whose path matches, when given) get `fault`. */
  fail(fault: StoreFault, times = 1, path?: RegExp): void {
    this.faults.push({ fault, remaining: times, path });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  protected send(res: http.ServerResponse, record: StoreRequest, status: number, body: unknown, headers: Record<string, string> = {}): void {
    record.status = status;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }

  private dispatch(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', this.url);
    const record: StoreRequest = { path: u.pathname, query: Object.fromEntries(u.searchParams), status: 0, claims: null };
    this.requests.push(record);
    const queued = this.faults.find((f) => f.remaining > 0 && (f.path === undefined || f.path.test(u.pathname)));
    if (queued) {
      queued.remaining -= 1;
      this.faults = this.faults.filter((f) => f.remaining > 0);
      if (queued.fault.kind === 'status') return this.send(res, record, queued.fault.status, queued.fault.body ?? {}, { ...queued.fault.headers });
      return this.send(res, record, 200, { reviews: 'nope', data: 'nope' });
    }
    this.handle(req, u, body, res, record);
  }

  protected abstract handle(req: http.IncomingMessage, url: URL, body: string, res: http.ServerResponse, record: StoreRequest): void;

  /** Opaque page tokens: a real API's are, and a client must not build them. */
  private readonly tokens = new Map<string, number>();
  protected tokenFor(offset: number): string {
    const token = randomUUID().replaceAll('-', '');
    this.tokens.set(token, offset);
    return token;
  }
  protected offsetOf(token: string | undefined): number | null {
    if (token === undefined) return 0;
    return this.tokens.get(token) ?? null;
  }
}

// ---------------------------------------------------------------------------------------------------

/** A Google Play review as `reviews.list` returns it. */
export interface PlayReview {
  readonly reviewId: string;
  readonly authorName?: string;
  readonly comments: ReadonlyArray<Record<string, unknown>>;
}

function playTime(review: unknown): number {
  const c = (review as PlayReview).comments?.find((x) => x.userComment !== undefined)?.userComment as { lastModified?: { seconds?: unknown; nanos?: unknown } } | undefined;
  const s = Number(c?.lastModified?.seconds ?? 0);
  return s * 1000 + Math.floor(Number(c?.lastModified?.nanos ?? 0) / 1e6);
}

export class FakeGooglePlay extends FakeServer {
  /** Raw reviews (anything: a malformed one is served as it is). */
  reviews: unknown[] = [];
  /** Access tokens issued → expiry (epoch ms). */
  readonly accessTokens = new Map<string, number>();
  /** Token requests answered with a token. */
  grants = 0;

  private constructor(private readonly publicKey: KeyObject, readonly clientEmail: string, readonly packageName: string) {
    super();
  }

  static async start(options: { publicKey: KeyObject; clientEmail: string; packageName: string }): Promise<FakeGooglePlay> {
    const fake = new FakeGooglePlay(options.publicKey, options.clientEmail, options.packageName);
    await fake.listen();
    return fake;
  }

  get tokenUri(): string {
    return `${this.url}/token`;
  }

  /** Replaces a review with a new version of itself (an edit), or adds it. */
  upsert(review: PlayReview): void {
    this.reviews = [...this.reviews.filter((r) => (r as PlayReview).reviewId !== review.reviewId), review];
  }

  protected handle(req: http.IncomingMessage, url: URL, body: string, res: http.ServerResponse, record: StoreRequest): void {
    if (req.method === 'POST' && url.pathname === '/token') return this.token(body, res, record);
    const m = /^\/androidpublisher\/v3\/applications\/([^/]+)\/reviews$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return this.send(res, record, 404, { error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } });
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const expires = auth ? this.accessTokens.get(auth[1] as string) : undefined;
    if (expires === undefined || expires <= this.now()) {
      return this.send(res, record, 401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } });
    }
    if (decodeURIComponent(m[1] as string) !== this.packageName) {
      return this.send(res, record, 404, { error: { code: 404, message: 'Package not found', status: 'NOT_FOUND' } });
    }
    const offset = this.offsetOf(url.searchParams.get('token') ?? undefined);
    if (offset === null) return this.send(res, record, 400, { error: { code: 400, message: 'Invalid token', status: 'INVALID_ARGUMENT' } });
    const max = Math.min(Number(url.searchParams.get('maxResults') ?? '100'), this.pageSize ?? Infinity);
    const weekAgo = this.now() - 7 * 24 * 3600 * 1000;
    const listed = this.reviews.filter((r) => playTime(r) === 0 || playTime(r) >= weekAgo).sort((a, b) => playTime(b) - playTime(a));
    const page = listed.slice(offset, offset + max);
    const more = offset + max < listed.length;
    this.send(res, record, 200, {
      reviews: page,
      pageInfo: { totalResults: listed.length, resultPerPage: max, startIndex: offset },
      ...(more ? { tokenPagination: { nextPageToken: this.tokenFor(offset + max) } } : {}),
    });
  }

  private token(body: string, res: http.ServerResponse, record: StoreRequest): void {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return this.send(res, record, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
    }
    const checked = verifyJwt(form.get('assertion') ?? '', 'RS256', this.publicKey);
    if (typeof checked === 'string') return this.send(res, record, 400, { error: 'invalid_grant', error_description: `Invalid JWT: ${checked}` });
    const c = checked.claims;
    const now = Math.floor(this.now() / 1000);
    const problems = [
      c.iss !== this.clientEmail && 'iss',
      c.aud !== this.tokenUri && 'aud',
      c.scope !== 'https://www.googleapis.com/auth/androidpublisher' && 'scope',
      (typeof c.exp !== 'number' || typeof c.iat !== 'number' || c.exp <= now || c.exp - c.iat > 3600 || c.iat > now + 300) && 'exp/iat',
    ].filter(Boolean);
    if (problems.length > 0) return this.send(res, record, 400, { error: 'invalid_grant', error_description: `Invalid JWT claims: ${problems.join(', ')}` });
    (record as { claims: unknown }).claims = c;
    const token = `ya29.${randomUUID()}`;
    this.accessTokens.set(token, this.now() + 3600_000);
    this.grants += 1;
    this.send(res, record, 200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
  }
}

// ---------------------------------------------------------------------------------------------------

export class FakeAppStoreConnect extends FakeServer {
  /** Raw `customerReviews` resources. */
  reviews: unknown[] = [];
  /** Requests per hour reported in X-Rate-Limit. */
  hourLimit = 3600;

  private constructor(private readonly publicKey: KeyObject, readonly issuerId: string, readonly keyId: string, readonly appId: string) {
    super();
  }

  static async start(options: { publicKey: KeyObject; issuerId: string; keyId: string; appId: string }): Promise<FakeAppStoreConnect> {
    const fake = new FakeAppStoreConnect(options.publicKey, options.issuerId, options.keyId, options.appId);
    await fake.listen();
    return fake;
  }

  protected handle(req: http.IncomingMessage, url: URL, _body: string, res: http.ServerResponse, record: StoreRequest): void {
    const m = /^\/v1\/apps\/([^/]+)\/customerReviews$/.exec(url.pathname);
    const rateHeader = { 'x-rate-limit': `user-hour-lim:${this.hourLimit};user-hour-rem:${Math.max(0, this.hourLimit - this.requests.length)};` };
    const unauthorized = (detail: string) =>
      this.send(res, record, 401, { errors: [{ status: '401', code: 'NOT_AUTHORIZED', title: 'Authentication credentials are missing or invalid.', detail }] }, rateHeader);
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!auth) return unauthorized('Provide a properly configured and signed bearer token.');
    const checked = verifyJwt(auth[1] as string, 'ES256', this.publicKey);
    if (typeof checked === 'string') return unauthorized(`Provide a properly configured and signed bearer token (${checked}).`);
    const { header, claims: c } = checked;
    const now = Math.floor(this.now() / 1000);
    const problems = [
      header.kid !== this.keyId && 'kid',
      header.typ !== 'JWT' && 'typ',
      c.iss !== this.issuerId && 'iss',
      c.aud !== 'appstoreconnect-v1' && 'aud',
      (typeof c.exp !== 'number' || typeof c.iat !== 'number' || c.exp <= now || c.exp - c.iat > 20 * 60) && 'exp',
    ].filter(Boolean);
    if (problems.length > 0) return unauthorized(`Bearer token claims refused: ${problems.join(', ')}`);
    (record as { claims: unknown }).claims = c;
    if (!m || req.method !== 'GET') return this.send(res, record, 404, { errors: [{ status: '404', code: 'NOT_FOUND', title: 'The specified resource does not exist' }] }, rateHeader);
    if (m[1] !== this.appId) return this.send(res, record, 404, { errors: [{ status: '404', code: 'NOT_FOUND', title: 'The specified resource does not exist', detail: `There is no resource of type 'apps' with id '${m[1]}'` }] }, rateHeader);
    const offset = this.offsetOf(url.searchParams.get('cursor') ?? undefined);
    if (offset === null) return this.send(res, record, 400, { errors: [{ status: '400', code: 'PARAMETER_ERROR.INVALID', title: 'A parameter has an invalid value', detail: 'cursor' }] }, rateHeader);
    const limit = Math.min(Number(url.searchParams.get('limit') ?? '50'), 200, this.pageSize ?? Infinity);
    const time = (r: unknown) => Date.parse(String((r as { attributes?: { createdDate?: unknown } }).attributes?.createdDate ?? '')) || 0;
    const sort = url.searchParams.get('sort');
    const listed = [...this.reviews].sort((a, b) => (sort === '-createdDate' ? time(b) - time(a) : time(a) - time(b)));
    const page = listed.slice(offset, offset + limit);
    const self = `https://api.appstoreconnect.apple.com${url.pathname}${url.search}`;
    const next = new URL(`https://api.appstoreconnect.apple.com${url.pathname}`);
    if (sort) next.searchParams.set('sort', sort);
    next.searchParams.set('limit', String(limit));
    next.searchParams.set('cursor', this.tokenFor(offset + limit));
    this.send(
      res,
      record,
      200,
      {
        data: page,
        links: { self, ...(offset + limit < listed.length ? { next: next.toString() } : {}) },
        meta: { paging: { total: listed.length, limit } },
      },
      rateHeader,
    );
  }
}
