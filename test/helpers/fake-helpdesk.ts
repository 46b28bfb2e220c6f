/**
 * A local server speaking the two polled help-desk APIs as their documentation describes them:
 *
 * - Zendesk: `GET /api/v2/incremental/ticket_events.json?start_time=<unix s>&include=comment_events`
 *   (events with `timestamp >= start_time`, oldest first, `perPage` per page; `next_page` (a full URL
 *   with the next `start_time`), `end_time` = the last event's timestamp, `end_of_stream` when fewer
 *   than `perPage` remain; a `start_time` less than a minute ago is a 400 as Zendesk answers) and
 *   `GET /api/v2/users/show_many.json?ids=1,2` (`{users: [{id, role}]}`); Basic auth
 *   `<email>/token:<token>`.
 * - Freshdesk: `GET /api/v2/tickets?updated_since=&order_by=updated_at&order_type=asc&per_page=&page=`
 *   (tickets with `updated_at >= updated_since`, ascending; `description_text` only with
 *   `include=description`) and `GET /api/v2/tickets/<id>/conversations?per_page=&page=`; Basic auth
 *   `<api key>:X`.
 *
 * Faults per test: a status (401, 429 with `Retry-After`, 500) on N requests of a path (after `skip`
 * served normally), with any body. Every request is recorded.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from './listen.js';

export interface ZendeskUser {
  readonly id: number;
  readonly role: 'end-user' | 'agent' | 'admin';
}

/** One audit of the export: `timestamp` in unix seconds; `child_events` as Zendesk sends them. */
export interface ZendeskTicketEvent {
  readonly id: number;
  readonly ticket_id: number;
  readonly timestamp: number;
  readonly created_at: string;
  readonly updater_id: number;
  readonly via: string;
  readonly event_type: 'Audit';
  readonly child_events: ReadonlyArray<Record<string, unknown>>;
}

export interface FreshdeskTicket {
  readonly id: number;
  readonly subject: string;
  readonly description: string;
  readonly description_text: string;
  readonly requester_id: number;
  readonly status: number;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface FreshdeskConversation {
  readonly id: number;
  readonly body: string;
  readonly body_text: string;
  readonly incoming: boolean;
  readonly private: boolean;
  readonly user_id: number;
  readonly ticket_id: number;
  readonly source: number;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface Fault {
  /** Path prefix the fault applies to. */
  readonly path: string;
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** How many requests it answers (default 1). */
  times?: number;
  /** Matching requests served normally before it starts (default 0). */
  skip?: number;
}

export interface RecordedRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
}

export interface FakeHelpdesk {
  readonly url: string;
  readonly zendesk: { events: ZendeskTicketEvent[]; users: ZendeskUser[]; perPage: number; now: () => number };
  readonly freshdesk: { tickets: FreshdeskTicket[]; conversations: Map<number, FreshdeskConversation[]> };
  readonly requests: RecordedRequest[];
  fail(fault: Fault): void;
  close(): Promise<void>;
}

export const ZENDESK_EMAIL = 'radar@acme.example';
export const ZENDESK_TOKEN = 'zendesk-api-token-TEST';
export const FRESHDESK_KEY = 'freshdesk-api-key-TEST';

function basic(header: string | undefined): [string, string] | null {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? null : [text.slice(0, i), text.slice(i + 1)];
}

export async function startFakeHelpdesk(options: { now: () => number }): Promise<FakeHelpdesk> {
  const faults: Fault[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const state: { zendesk: FakeHelpdesk['zendesk']; freshdesk: FakeHelpdesk['freshdesk'] } = {
    zendesk: { events: [], users: [], perPage: 1000, now: options.now },
    freshdesk: { tickets: [], conversations: new Map() },
  };
  let base = '';

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      requests.push({ path: url.pathname, query, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const fault = faults.find((f) => url.pathname.startsWith(f.path) && (f.times ?? 1) > 0);
    if (fault && (fault.skip ?? 0) > 0) fault.skip = (fault.skip ?? 0) - 1;
    else if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      return send(fault.status, fault.body ?? { error: `HTTP ${fault.status}` }, { ...fault.headers });
    }
    const creds = basic(req.headers.authorization);

    if (url.pathname.startsWith('/api/v2/incremental/') || url.pathname.startsWith('/api/v2/users/')) {
      if (!creds || creds[0] !== `${ZENDESK_EMAIL}/token` || creds[1] !== ZENDESK_TOKEN) return send(401, { error: "Couldn't authenticate you" });
      if (url.pathname === '/api/v2/users/show_many.json') {
        const ids = new Set((query.ids ?? '').split(',').filter(Boolean).map(Number));
        return send(200, { users: state.zendesk.users.filter((u) => ids.has(u.id)).map((u) => ({ ...u, name: `user ${u.id}`, email: `u${u.id}@example.com` })) });
      }
      if (url.pathname === '/api/v2/incremental/ticket_events.json') {
        const start = Number(query.start_time);
        if (!Number.isInteger(start)) return send(400, { error: 'InvalidValue', description: 'start_time is required' });
        if (start > Math.floor(state.zendesk.now() / 1000) - 60) return send(400, { error: 'InvalidValue', description: 'Too recent start_time. Use a start_time older than 1 minute' });
        if (query.include !== 'comment_events') return send(400, { error: 'test fake: include=comment_events expected' });
        const matching = state.zendesk.events.filter((e) => e.timestamp >= start).sort((a, b) => a.timestamp - b.timestamp || a.id - b.id);
        const page = matching.slice(0, state.zendesk.perPage);
        const endOfStream = matching.length <= state.zendesk.perPage;
        const last = page.at(-1);
        const endTime = last ? last.timestamp : start;
        // Without include=comment_events Zendesk drops comment child events; the fake always got it.
        return send(200, {
          ticket_events: page,
          next_page: endOfStream ? null : `${base}/api/v2/incremental/ticket_events.json?start_time=${endTime}&include=comment_events`,
          count: page.length,
          end_time: endTime,
          end_of_stream: endOfStream,
        });
      }
      return send(404, { error: 'InvalidEndpoint' });
    }

    if (url.pathname.startsWith('/api/v2/tickets')) {
      if (!creds || creds[0] !== FRESHDESK_KEY || creds[1] !== 'X') return send(401, { code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' });
      const perPage = Math.min(100, Number(query.per_page ?? 30));
      const pageNo = Number(query.page ?? 1);
      const conv = /^\/api\/v2\/tickets\/(\d+)\/conversations$/.exec(url.pathname);
      if (conv) {
        const list = state.freshdesk.conversations.get(Number(conv[1])) ?? [];
        return send(200, list.slice((pageNo - 1) * perPage, pageNo * perPage));
      }
      if (url.pathname === '/api/v2/tickets') {
        const since = query.updated_since === undefined ? 0 : Date.parse(query.updated_since);
        if (Number.isNaN(since)) return send(400, { description: 'Validation failed', errors: [{ field: 'updated_since', message: 'invalid_date' }] });
        const withDescription = query.include === 'description';
        const list = state.freshdesk.tickets
          .filter((t) => Date.parse(t.updated_at) >= since)
          .sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at) || a.id - b.id)
          .slice((pageNo - 1) * perPage, pageNo * perPage)
          .map((t) => (withDescription ? t : { ...t, description: undefined, description_text: undefined }));
        return send(200, list);
      }
    }
    return send(404, { error: 'not found' });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listenOnLoopback(server);
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    zendesk: state.zendesk,
    freshdesk: state.freshdesk,
    requests,
    fail: (fault) => faults.push(fault),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A Zendesk audit with one comment (and, for a new ticket, the `Create` events that set its subject). */
export function zendeskAudit(options: {
  id: number;
  ticketId: number;
  at: number;
  commentId: number;
  authorId: number;
  body: string;
  public?: boolean;
  create?: { subject: string };
}): ZendeskTicketEvent {
  const iso = new Date(options.at).toISOString().replace('.000Z', 'Z');
  const comment = {
    id: options.commentId,
    via: { channel: 'web' },
    via_reference_id: null,
    type: 'Comment',
    event_type: 'Comment',
    author_id: options.authorId,
    body: options.body,
    html_body: `<div class="zd-comment"><p>${options.body}</p></div>`,
    plain_body: options.body,
    public: options.public ?? true,
    attachments: [],
    audit_id: options.id,
    created_at: iso,
  };
  const create = options.create
    ? [
        { id: options.commentId + 1, event_type: 'Create', field_name: 'subject', value: options.create.subject },
        { id: options.commentId + 2, event_type: 'Create', field_name: 'status', value: 'new' },
      ]
    : [];
  return { id: options.id, ticket_id: options.ticketId, timestamp: Math.floor(options.at / 1000), created_at: iso, updater_id: options.authorId, via: 'Web form', event_type: 'Audit', child_events: [comment, ...create] };
}
