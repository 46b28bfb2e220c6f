/**
 * Local servers on 127.0.0.1 that speak the notification APIs' real request formats: a generic
 * webhook receiver, Slack incoming webhooks, the Telegram Bot API (sendMessage with HTML entity
 * parsing and the 4096-character limit), Alertmanager's POST /api/v2/alerts, and SMTP (smtp-server).
 * Each records what it got; replies can be scripted (status, headers, delay) to provoke failures.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: unknown;
}

export interface Reply {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | object;
  /** Wait this long before answering (to provoke client timeouts). */
  readonly delayMs?: number;
  /** Drop the connection instead of answering. */
  readonly destroy?: boolean;
}

export interface FakeReceiver {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Queue replies for the next requests (then the default handler answers again). */
  script(...replies: Reply[]): void;
  close(): Promise<void>;
}

type Handler = (req: RecordedRequest) => Reply;

export async function startFakeReceiver(handler: Handler = () => ({ status: 200, body: 'ok' })): Promise<FakeReceiver> {
  const requests: RecordedRequest[] = [];
  const queue: Reply[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = undefined;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json };
      requests.push(recorded);
      const reply = queue.shift() ?? handler(recorded);
      const answer = () => {
        if (reply.destroy) {
          req.socket.destroy();
          return;
        }
        const payload = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
        const type = typeof reply.body === 'object' ? 'application/json' : 'text/plain';
        res.writeHead(reply.status ?? 200, { 'content-type': type, ...reply.headers });
        res.end(payload);
      };
      if (reply.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) answer();
        }, reply.delayMs);
        timers.add(timer);
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...replies) => queue.push(...replies),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Slack incoming webhook: needs `text` or `blocks`; answers `ok` or `invalid_payload` / `no_text`. */
export function startFakeSlack(): Promise<FakeReceiver> {
  return startFakeReceiver((req) => {
    const body = req.json as { text?: unknown; blocks?: unknown } | undefined;
    if (req.method !== 'POST' || body === undefined) return { status: 400, body: 'invalid_payload' };
    if (typeof body.text !== 'string' && !Array.isArray(body.blocks)) return { status: 400, body: 'no_text' };
    if (Array.isArray(body.blocks)) {
      for (const block of body.blocks as { type?: unknown; text?: { text?: unknown } }[]) {
        if (typeof block.type !== 'string') return { status: 400, body: 'invalid_blocks' };
        if (block.type === 'header' && typeof block.text?.text === 'string' && block.text.text.length > 150) return { status: 400, body: 'invalid_blocks' };
        if (block.type === 'section' && typeof block.text?.text === 'string' && block.text.text.length > 3000) return { status: 400, body: 'invalid_blocks' };
      }
    }
    return { status: 200, body: 'ok' };
  });
}

const TELEGRAM_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'tg-spoiler', 'blockquote', 'span']);

/**
 * Parses Telegram's HTML parse mode the way the Bot API does: only the supported tags, properly
 * nested; `<`, `>` and `&` must be entities in text. Returns the plain text or an error.
 */
export function parseTelegramHtml(html: string): { text: string } | { error: string } {
  const stack: string[] = [];
  let text = '';
  let i = 0;
  while (i < html.length) {
    const ch = html[i];
    if (ch === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) return { error: `Unclosed start tag at byte offset ${i}` };
      const inner = html.slice(i + 1, end);
      const closing = inner.startsWith('/');
      const name = (closing ? inner.slice(1) : inner).split(/\s/)[0]?.toLowerCase() ?? '';
      if (!TELEGRAM_TAGS.has(name)) return { error: `Unsupported start tag "${name}" at byte offset ${i}` };
      if (closing) {
        if (stack.pop() !== name) return { error: `Unmatched end tag at byte offset ${i}, expected "</${stack.at(-1) ?? ''}>"` };
      } else {
        if (name === 'a' && !/^a\s+href="[^"<>]*"$/.test(inner)) return { error: `Can't parse tag attributes at byte offset ${i}` };
        stack.push(name);
      }
      i = end + 1;
    } else if (ch === '&') {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(html.slice(i, i + 12));
      if (!m) return { error: `Character entity expected at byte offset ${i}` };
      text += m[1] === 'lt' ? '<' : m[1] === 'gt' ? '>' : m[1] === 'amp' ? '&' : m[1] === 'quot' ? '"' : '?';
      i += m[0].length;
    } else if (ch === '>') {
      return { error: `Unexpected ">" at byte offset ${i}` };
    } else {
      text += ch;
      i++;
    }
  }
  if (stack.length > 0) return { error: `Can't find end tag corresponding to start tag "${stack.at(-1)}"` };
  return { text };
}

/** A Telegram Bot API server for one bot token: POST /bot<token>/sendMessage. */
export function startFakeTelegram(token: string): Promise<FakeReceiver> {
  let messageId = 0;
  return startFakeReceiver((req) => {
    const fail = (status: number, description: string): Reply => ({ status, body: { ok: false, error_code: status, description } });
    if (req.path !== `/bot${token}/sendMessage`) return req.path.startsWith('/bot') ? fail(401, 'Unauthorized') : fail(404, 'Not Found');
    const body = req.json as { chat_id?: unknown; text?: unknown; parse_mode?: unknown } | undefined;
    if (body === undefined || (typeof body.chat_id !== 'string' && typeof body.chat_id !== 'number')) return fail(400, 'Bad Request: chat_id is empty');
    if (typeof body.text !== 'string' || body.text === '') return fail(400, 'Bad Request: message text is empty');
    let text = body.text;
    if (body.parse_mode === 'HTML') {
      const parsed = parseTelegramHtml(body.text);
      if ('error' in parsed) return fail(400, `Bad Request: can't parse entities: ${parsed.error}`);
      text = parsed.text;
    }
    if (text.length > 4096) return fail(400, 'Bad Request: message is too long');
    messageId += 1;
    return { status: 200, body: { ok: true, result: { message_id: messageId, chat: { id: body.chat_id }, date: 0, text } } };
  });
}

/** Alertmanager v2: POST /api/v2/alerts with a JSON array of {labels, annotations, startsAt, endsAt}. */
export function startFakeAlertmanager(): Promise<FakeReceiver> {
  return startFakeReceiver((req) => {
    if (req.method !== 'POST' || req.path !== '/api/v2/alerts') return { status: 404, body: 'not found' };
    if (req.headers['content-type']?.startsWith('application/json') !== true) return { status: 415, body: 'unsupported media type' };
    const alerts = req.json;
    if (!Array.isArray(alerts)) return { status: 400, body: { code: 602, message: 'body in body must be of type array' } };
    for (const a of alerts as { labels?: Record<string, unknown>; startsAt?: unknown; endsAt?: unknown; annotations?: Record<string, unknown> }[]) {
      if (!a.labels || Object.keys(a.labels).length === 0) return { status: 400, body: { code: 602, message: 'labels in body is required' } };
      for (const v of [...Object.values(a.labels), ...Object.values(a.annotations ?? {})]) {
        if (typeof v !== 'string') return { status: 400, body: { code: 602, message: 'label values must be strings' } };
      }
      for (const t of [a.startsAt, a.endsAt]) {
        if (t !== undefined && (typeof t !== 'string' || Number.isNaN(Date.parse(t)))) return { status: 400, body: { code: 602, message: 'startsAt/endsAt must be date-time' } };
      }
    }
    return { status: 200, body: '' };
  });
}

export interface FakeSmtp {
  readonly port: number;
  readonly messages: { readonly envelopeTo: string[]; readonly mail: ParsedMail }[];
  /** Next RCPT TO answers with this SMTP code (e.g. 450 temporary, 550 permanent). */
  rejectRecipientsWith(code: number | null): void;
  close(): Promise<void>;
}

export async function startFakeSmtp(): Promise<FakeSmtp> {
  const messages: { envelopeTo: string[]; mail: ParsedMail }[] = [];
  let rejectCode: number | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (rejectCode !== null) {
        const error = Object.assign(new Error(rejectCode >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: rejectCode });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    rejectRecipientsWith: (code) => {
      rejectCode = code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
