/**
 * A local server speaking the Telegram Bot API wire format (`POST /bot<token>/<method>` with a JSON or
 * form body; `{ok: true, result}` or `{ok: false, error_code, description, parameters}`), for driving the
 * real grammY client in tests. `getUpdates` as Telegram documents it: updates with `update_id >= offset`,
 * and every update below `offset` confirmed (forgotten for good); `limit` 1–100; `timeout` holds the
 * request until an update arrives or the time is up (long polling); `allowed_updates` filters by kind.
 * Unknown tokens get 401 (as a revoked token does). Faults are switchable per test: any status with a
 * description and `retry_after`, a malformed JSON body, a result of the wrong shape, a request that
 * never answers. Every request is recorded with its arrival time and the offset it confirmed.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from './listen.js';

export type FakeTelegramFault =
  | { readonly kind: 'status'; readonly status: number; readonly description?: string; readonly retryAfter?: number }
  | { readonly kind: 'malformed-json' }
  | { readonly kind: 'bad-shape' }
  | { readonly kind: 'hang' };

export interface TelegramRequest {
  readonly time: number;
  readonly method: string;
  readonly token: string;
  readonly body: Readonly<Record<string, unknown>>;
  status: number;
}

export interface FakeChat {
  readonly id: number;
  readonly type?: 'group' | 'supergroup' | 'private' | 'channel';
  readonly title?: string;
  readonly username?: string;
}

export interface FakeTelegramMessage {
  readonly chat: FakeChat;
  readonly messageId: number;
  readonly text: string;
  readonly fromId?: number;
  readonly isBot?: boolean;
  readonly languageCode?: string;
  /** Unix seconds; default now. */
  readonly date?: number;
  readonly replyTo?: number;
  readonly senderChatId?: number;
  readonly automaticForward?: boolean;
  readonly forwarded?: boolean;
  /** As a photo's caption instead of text. */
  readonly caption?: boolean;
}

const DESCRIPTIONS: Record<number, string> = {
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict: can\'t use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first',
  429: 'Too Many Requests: retry after 1',
  502: 'Bad Gateway',
};

interface QueuedFault {
  readonly fault: FakeTelegramFault;
  remaining: number;
  readonly match: ((method: string, token: string) => boolean) | undefined;
}

export class FakeTelegramServer {
  readonly requests: TelegramRequest[] = [];
  readonly tokens: Set<string>;
  /** Updates not yet confirmed, per token, in update_id order. */
  private readonly pending = new Map<string, unknown[]>();
  private readonly nextId = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
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

  static async start(options: { tokens?: readonly string[] } = {}): Promise<FakeTelegramServer> {
    const fake = new FakeTelegramServer(options.tokens ?? [TEST_BOT_TOKEN]);
    fake.baseUrl = `http://127.0.0.1:${await listenOnLoopback(fake.server)}`;
    return fake;
  }

  /** `http://127.0.0.1:<port>`: the `apiRoot` of a source pointed at this server. */
  get url(): string {
    return this.baseUrl;
  }

  /** Queues a raw update for `token` (its update_id assigned in order unless given); returns the id. */
  addRawUpdate(update: Record<string, unknown>, token = TEST_BOT_TOKEN): number {
    const id = typeof update.update_id === 'number' ? update.update_id : (this.nextId.get(token) ?? 1000);
    this.nextId.set(token, Math.max(id + 1, this.nextId.get(token) ?? 0));
    const list = this.pending.get(token) ?? [];
    list.push({ ...update, update_id: id });
    this.pending.set(token, list);
    for (const wake of [...this.waiters]) wake();
    return id;
  }

  /** Queues a `message` update; returns its update_id. */
  addMessage(m: FakeTelegramMessage, token = TEST_BOT_TOKEN): number {
    return this.addRawUpdate({ message: messageJson(m) }, token);
  }

  /** Queues an `edited_message` update (the message's new text, `edit_date`). */
  addEdit(m: FakeTelegramMessage & { readonly editDate: number }, token = TEST_BOT_TOKEN): number {
    return this.addRawUpdate({ edited_message: { ...messageJson(m), edit_date: m.editDate } }, token);
  }

  /** Updates still unconfirmed for `token`. */
  unconfirmed(token = TEST_BOT_TOKEN): number[] {
    return (this.pending.get(token) ?? []).map((u) => (u as { update_id: number }).update_id);
  }

  failNext(fault: FakeTelegramFault, times = 1, match?: (method: string, token: string) => boolean): void {
    this.faults.push({ fault, remaining: times, match });
  }

  calls(method = 'getUpdates'): TelegramRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  async close(): Promise<void> {
    for (const wake of [...this.waiters]) wake();
    for (const res of this.hanging) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    if (text !== '') {
      try {
        body = (req.headers['content-type'] ?? '').includes('json') ? (JSON.parse(text) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(text));
      } catch {
        body = {};
      }
    }
    const token = match?.[1] ?? '';
    const method = match?.[2] ?? '';
    const record: TelegramRequest = { time: Date.now(), method, token, body, status: 200 };
    this.requests.push(record);
    const send = (status: number, payload: unknown) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    const fail = (status: number, description = DESCRIPTIONS[status] ?? 'Bad Request', retryAfter?: number) =>
      send(status, { ok: false, error_code: status, description, ...(retryAfter === undefined ? {} : { parameters: { retry_after: retryAfter } }) });

    if (match === null) return fail(404);
    if (!this.tokens.has(token)) return fail(401);
    const fault = this.takeFault(method, token);
    if (fault) {
      switch (fault.kind) {
        case 'status':
          return fail(fault.status, fault.description, fault.retryAfter);
        case 'malformed-json':
          return send(200, '{"ok":true,"result":[{"update_id":');
        case 'bad-shape':
          return send(200, { ok: true, result: { updates: 'nope' } });
        case 'hang':
          record.status = 0;
          this.hanging.add(res);
          return;
      }
    }
    if (method !== 'getUpdates') return fail(400, `Bad Request: method ${method} not served by the fake`);

    const offset = typeof body.offset === 'number' ? body.offset : body.offset === undefined ? null : Number(body.offset);
    const limit = Math.max(1, Math.min(100, Number(body.limit ?? 100)));
    const timeout = Math.max(0, Number(body.timeout ?? 0));
    const allowed = Array.isArray(body.allowed_updates) && body.allowed_updates.length > 0 ? (body.allowed_updates as string[]) : null;
    if (offset !== null) {
      // Confirms every update below offset: Telegram forgets them.
      this.pending.set(token, (this.pending.get(token) ?? []).filter((u) => (u as { update_id: number }).update_id >= offset));
    }
    const available = () =>
      (this.pending.get(token) ?? []).filter((u) => allowed === null || Object.keys(u as object).some((k) => k !== 'update_id' && allowed.includes(k))).slice(0, limit);
    let found = available();
    if (found.length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeout * 1000);
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        const waiters = this.waiters;
        waiters.add(done);
        req.on('close', done);
      });
      if (res.destroyed) return;
      found = available();
    }
    send(200, { ok: true, result: found });
  }

  private takeFault(method: string, token: string): FakeTelegramFault | null {
    const queued = this.faults.find((f) => f.remaining > 0 && (f.match === undefined || f.match(method, token)));
    if (!queued) return null;
    queued.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return queued.fault;
  }
}

/** A token of the bot-token shape, accepted by a default fake. */
export const TEST_BOT_TOKEN = '123456:TEST-bot-token-abcdefghijklmnop';

function messageJson(m: FakeTelegramMessage): Record<string, unknown> {
  const fromId = m.fromId ?? 501;
  return {
    message_id: m.messageId,
    date: m.date ?? Math.floor(Date.now() / 1000),
    chat: { id: m.chat.id, type: m.chat.type ?? 'supergroup', title: m.chat.title ?? 'Skymail support', ...(m.chat.username === undefined ? {} : { username: m.chat.username }) },
    ...(m.senderChatId === undefined
      ? { from: { id: fromId, is_bot: m.isBot ?? false, first_name: `User ${fromId}`, ...(m.languageCode === undefined ? {} : { language_code: m.languageCode }) } }
      : { sender_chat: { id: m.senderChatId, type: 'channel', title: 'Skymail' }, from: { id: 136817688, is_bot: true, first_name: 'Channel', username: 'Channel_Bot' } }),
    ...(m.caption ? { caption: m.text, photo: [{ file_id: 'x', file_unique_id: 'y', width: 1, height: 1 }] } : { text: m.text }),
    ...(m.replyTo === undefined ? {} : { reply_to_message: { message_id: m.replyTo, date: 1, chat: { id: m.chat.id, type: 'supergroup' } } }),
    ...(m.automaticForward ? { is_automatic_forward: true } : {}),
    ...(m.forwarded ? { forward_origin: { type: 'user', date: 1, sender_user: { id: 9, is_bot: false, first_name: 'X' } } } : {}),
  };
}
