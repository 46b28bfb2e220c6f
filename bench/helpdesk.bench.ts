/**
 * Help-desk webhook throughput: the real HTTP app listening on loopback, N Zendesk `ticket.comment_added`
 * deliveries (each a new customer comment, signed as Zendesk signs: base64 HMAC-SHA256 of timestamp +
 * body) sent over keep-alive connections, `CONCURRENCY` at a time, while the ingest worker classifies,
 * stores and counts them. Prints webhook requests/s with the signature check on (send of the first to
 * the 200 of the last), messages stored/s (first send to last stored), and how fast wrongly signed
 * calls are refused (401).
 */
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { BenchArgs } from './index.js';
import { buildApp } from '../src/api/app.js';
import { helpdeskSourceSchema } from '../src/config/helpdesk.js';
import { startIngestWorker } from '../workers/ingest.js';
import { testAuthenticator } from '../test/helpers/api.js';
import { benchService, onBothDatabases, redisAnswers, waitUntil } from './support.js';

const SECRET = 'bench-zendesk-signing-secret-0123456789';
const CONCURRENCY = 32;

const TEXTS = [
  'I cannot log in to my mailbox since this morning, the password is rejected',
  'Не могу войти в почту, пишет неверный пароль',
  'Letters are stuck in the outbox, sending fails every time',
  'Почта ужасно тормозит, страница с письмами грузится минуту',
  'Thanks, the new dark theme looks great',
  'Вложения не открываются, пишет что файл поврежден',
];

function delivery(i: number, now: number): string {
  const ticket = 10_000 + Math.floor(i / 4);
  return JSON.stringify({
    account_id: 22129848,
    detail: { id: String(ticket), subject: `Ticket ${ticket}`, description: 'first message', requester_id: String(5000 + (i % 300)), created_at: new Date(now - 3600_000).toISOString(), updated_at: new Date(now).toISOString(), via: { channel: 'email' }, status: 'OPEN' },
    event: { comment: { author: { id: String(5000 + (i % 300)), is_staff: false, name: 'Customer' }, body: `${TEXTS[i % TEXTS.length]} (${i})`, id: String(900_000_000 + i), is_public: true } },
    id: `bench-${i}`,
    subject: `zen:ticket:${ticket}`,
    time: new Date(now - 1000).toISOString(),
    type: 'zen:event-type:ticket.comment_added',
    zendesk_event_version: '2022-11-06',
  });
}

function signed(body: string, secret: string): Record<string, string> {
  const timestamp = new Date().toISOString();
  return {
    'content-type': 'application/json',
    'x-zendesk-webhook-signature': createHmac('sha256', secret).update(timestamp).update(body).digest('base64'),
    'x-zendesk-webhook-signature-timestamp': timestamp,
  };
}

/** Sends `bodies` with at most `CONCURRENCY` in flight; returns the seconds taken and the statuses seen. */
async function send(url: string, bodies: readonly string[], secret: string): Promise<{ seconds: number; statuses: Map<number, number> }> {
  const statuses = new Map<number, number>();
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const i = next++;
        const body = bodies[i];
        if (body === undefined) return;
        const res = await fetch(url, { method: 'POST', headers: signed(body, secret), body });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  return { seconds: (performance.now() - start) / 1000, statuses };
}

async function once(n: number, prefix: string, db: 'sqlite' | 'postgres'): Promise<string> {
  const service = await benchService(prefix, db);
  const { ctx } = service;
  const source = helpdeskSourceSchema.parse({ name: 'zd', vendor: 'zendesk', url: 'https://acme.zendesk.com', webhook: { secrets: [SECRET] } });
  const app = await buildApp({ ...ctx, config: { ...ctx.config, sources: { ...ctx.config.sources, helpdesk: [source] } }, auth: testAuthenticator() });
  const ingest = startIngestWorker(ctx);
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/hooks/zd`;
    const now = Date.now();
    const bodies = Array.from({ length: n }, (_, i) => delivery(i, now));
    await send(url, bodies.slice(0, 50).map((_, i) => delivery(n + i, now)), SECRET); // warm-up (other ids)
    await waitUntil(async () => (await ctx.store.messages.count()) >= 50);
    const start = performance.now();
    const good = await send(url, bodies, SECRET);
    await waitUntil(async () => (await ctx.store.messages.count()) >= n + 50);
    const storedSeconds = (performance.now() - start) / 1000;
    const bad = await send(url, bodies.slice(0, Math.min(n, 2000)), 'not-the-secret');
    const ok = good.statuses.get(200) ?? 0;
    if (ok !== n || (bad.statuses.get(401) ?? 0) !== Math.min(n, 2000)) throw new Error(`unexpected statuses: good ${JSON.stringify([...good.statuses])}, bad ${JSON.stringify([...bad.statuses])}`);
    return (
      `${Math.round(n / good.seconds).toLocaleString('en')} webhook requests/s signed and checked (${n.toLocaleString('en')} deliveries, ${CONCURRENCY} in flight, ${good.seconds.toFixed(2)} s); ` +
      `${Math.round(n / storedSeconds).toLocaleString('en')} messages stored/s (first send → last stored, ${storedSeconds.toFixed(2)} s); ` +
      `${Math.round(Math.min(n, 2000) / bad.seconds).toLocaleString('en')} wrong signatures refused/s`
    );
  } finally {
    await ingest.close();
    await app.close();
    await service.cleanup();
  }
}

export default async function run(args: BenchArgs): Promise<void> {
  if (!(await redisAnswers())) return;
  const n = args.quick ? 2_000 : 10_000;
  const id = `benchhd${process.pid}`;
  await onBothDatabases('', (db) => once(n, `${id}${db === 'sqlite' ? 'sq' : 'pg'}`, db));
}
