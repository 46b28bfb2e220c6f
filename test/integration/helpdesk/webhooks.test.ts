/**
 * Help-desk webhooks over the real HTTP server (listening on loopback, real fetch), real Redis, a real
 * database and the real ingest worker: each vendor's documented payload signed here as the vendor signs
 * it; duplicates, replays, bad signatures and malformed bodies.
 */
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/platform/clock.js';
import { startIngestWorker, type IngestWorker } from '../../../workers/ingest.js';
import { admin, buildTestApp } from '../../helpers/api.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { basicHeaders, fixture, freshdeskHeaders, hubHeaders, zendeskHeaders } from './webhook-signing.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const SECRETS = {
  zendesk: 'zendesk-signing-secret-0123456789',
  zendeskOld: 'zendesk-previous-secret-987654321',
  jira: 'jira-webhook-secret-0123456789',
  freshdesk: 'freshdesk-shared-secret-0123456789',
  zammad: 'zammad-hmac-token-0123456789',
  intercom: 'intercom-client-secret-0123456789',
};

let svc: TestService;
let app: FastifyInstance;
let base: string;
let ingest: IngestWorker;
const clock = new ManualClock(T0);

beforeAll(async () => {
  svc = await createTestService({
    clock,
    config: {
      sources: {
        helpdesk: [
          { name: 'zd', vendor: 'zendesk', url: 'https://acme.zendesk.com', webhook: { secrets: [SECRETS.zendesk, SECRETS.zendeskOld], tolerance: '5m' } },
          { name: 'jsm', vendor: 'jira', url: 'https://acme.atlassian.net', webhook: { secrets: [SECRETS.jira], maxEventAge: '1h' } },
          { name: 'fd', vendor: 'freshdesk', url: 'https://acme.freshdesk.com', webhook: { secrets: [SECRETS.freshdesk] } },
          { name: 'zm', vendor: 'zammad', url: 'https://support.acme.com', webhook: { secrets: [SECRETS.zammad] } },
          { name: 'ic', vendor: 'intercom', url: 'https://app.intercom.com/a/apps/ecahpwf5', webhook: { secrets: [SECRETS.intercom], maxEventAge: '1h' } },
        ],
      },
    },
  });
  app = await buildTestApp(svc.ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  ingest = startIngestWorker(svc.ctx);
});

afterAll(async () => {
  await ingest?.close();
  await app?.close();
  await svc?.cleanup();
});

beforeEach(() => clock.set(T0));

async function post(source: string, body: Buffer | string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/hooks/${source}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const zendesk = (name: string, secret = SECRETS.zendesk, at = new Date(clock.now()).toISOString()) => {
  const body = fixture(name);
  return post('zd', body, zendeskHeaders(secret, body, at));
};
const hub = (source: string, algorithm: 'sha1' | 'sha256', secret: string, name: string) => {
  const body = fixture(name);
  return post(source, body, hubHeaders(algorithm, secret, body));
};

async function stored(ids: readonly string[]): Promise<void> {
  await waitFor(async () => (await Promise.all(ids.map((id) => svc.ctx.store.messages.get(id)))).every((m) => m !== null), 30_000, `stored ${ids.join(', ')}`);
}

async function rejected(source: string, reason: string): Promise<number> {
  const metric = await svc.ctx.metrics.webhookRejected.get();
  return metric.values.find((v) => v.labels.source === source && v.labels.reason === reason)?.value ?? 0;
}

async function deadLetters(source: string): Promise<Array<{ reason: string; payload: string; queue: string }>> {
  return (await svc.ctx.store.deadLetters.list(500)).filter((l) => l.source === source);
}

describe('Zendesk', () => {
  it('stores the ticket\'s first message and a customer reply; skips agent replies, internal notes and the first comment delivered again', async () => {
    const created = await zendesk('zendesk-ticket-created.json');
    expect(created.status).toBe(200);
    expect(created.json.ids).toEqual(['helpdesk:zd:5158:description']);
    const reply = await zendesk('zendesk-comment-customer.json');
    expect(reply.json.ids).toEqual(['helpdesk:zd:5158:31847530115601']);
    for (const name of ['zendesk-comment-agent.json', 'zendesk-comment-internal.json', 'zendesk-comment-first.json']) {
      const res = await zendesk(name);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ accepted: 0, skipped: 1 });
    }
    await stored(['helpdesk:zd:5158:description', 'helpdesk:zd:5158:31847530115601']);
    const first = await svc.ctx.store.messages.get('helpdesk:zd:5158:description');
    expect(first).toMatchObject({ channel: 'helpdesk', source: 'zd', link: 'https://acme.zendesk.com/agent/tickets/5158', createdAt: '2026-12-01T09:58:12.000Z' });
    expect(first?.text).toBe('App keeps logging me out\n\nSince this morning the mobile app logs me out every few minutes and I cannot send any mail.');
    expect(first?.author).toMatch(/^hd:[0-9a-f]{24}$/);
    expect(JSON.stringify(first)).not.toContain('8447388090494');
    const second = await svc.ctx.store.messages.get('helpdesk:zd:5158:31847530115601');
    expect(second?.text).toBe('Still broken after reinstalling, it happens on wifi and on mobile data.'); // quoted history cut
    expect(second?.author).toBe(first?.author);
    expect(await svc.ctx.store.messages.count({ source: 'zd' })).toBe(2);
    // The source shows in /api/sources with what its deliveries brought.
    const sources = (await (await fetch(`${base}/api/sources`, { headers: admin })).json()) as { items: Array<{ name: string; kind: string; fetched: number; skipped: number }> };
    expect(sources.items.find((i) => i.name === 'zd')).toMatchObject({ kind: 'helpdesk', fetched: 2, skipped: 3 });
  });

  it('accepts the previous secret while rotating, and a re-delivered comment is stored once', async () => {
    const again = await zendesk('zendesk-comment-customer.json', SECRETS.zendeskOld);
    expect(again.status).toBe(200);
    clock.advance(60_000);
    const third = await zendesk('zendesk-comment-customer.json');
    expect(third.status).toBe(200);
    await waitFor(async () => (await svc.ctx.queues.get('ingest').getJobCounts('waiting', 'active')).waiting === 0);
    await stored(['helpdesk:zd:5158:31847530115601']);
    expect(await svc.ctx.store.messages.count({ source: 'zd' })).toBe(2);
  });

  it('refuses a replayed delivery (signed timestamp outside the window) with 401 and counts it', async () => {
    const before = await rejected('zd', 'stale');
    const old = new Date(T0 - 6 * 60_000).toISOString();
    const res = await zendesk('zendesk-comment-customer.json', SECRETS.zendesk, old);
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('ERR_UNAUTHORIZED');
    expect(await rejected('zd', 'stale')).toBe(before + 1);
  });

  it('refuses a wrong secret, a missing signature, and a body changed after signing', async () => {
    const bad = await rejected('zd', 'bad-signature');
    const missing = await rejected('zd', 'missing-signature');
    expect((await zendesk('zendesk-ticket-created.json', 'not-the-secret-at-all')).status).toBe(401);
    const body = fixture('zendesk-ticket-created.json');
    const at = new Date(clock.now()).toISOString();
    const headers = zendeskHeaders(SECRETS.zendesk, body, at);
    const tampered = Buffer.from(body.toString('utf8').replace('logs me out', 'works fine'));
    expect((await post('zd', tampered, headers)).status).toBe(401);
    // the same bytes with the timestamp changed: the timestamp is signed too
    expect((await post('zd', body, { ...headers, 'x-zendesk-webhook-signature-timestamp': new Date(clock.now() + 1000).toISOString() })).status).toBe(401);
    expect((await post('zd', body, { 'content-type': 'application/json' })).status).toBe(401);
    expect(await rejected('zd', 'bad-signature')).toBe(bad + 3);
    expect(await rejected('zd', 'missing-signature')).toBe(missing + 1);
  });

  it('takes no dashboard credential instead of the signature: an admin token or session alone is a 401', async () => {
    const body = fixture('zendesk-ticket-created.json');
    expect((await post('zd', body, { 'content-type': 'application/json', ...admin })).status).toBe(401);
    const login = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ops', password: 'correct horse battery' }) });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^radar_session=/);
    expect((await post('zd', body, { 'content-type': 'application/json', cookie })).status).toBe(401);
  });
});

describe('Jira Service Management', () => {
  it('stores the request and a customer comment; skips internal and agent comments', async () => {
    const created = await hub('jsm', 'sha256', SECRETS.jira, 'jira-issue-created.json');
    expect(created.status).toBe(200);
    expect(created.json.ids).toEqual(['helpdesk:jsm:10042:description']);
    expect((await hub('jsm', 'sha256', SECRETS.jira, 'jira-comment-customer.json')).json.ids).toEqual(['helpdesk:jsm:10042:10210']);
    expect((await hub('jsm', 'sha256', SECRETS.jira, 'jira-comment-internal.json')).json).toMatchObject({ accepted: 0, skipped: 1 });
    expect((await hub('jsm', 'sha256', SECRETS.jira, 'jira-comment-agent.json')).json).toMatchObject({ accepted: 0, skipped: 1 });
    await stored(['helpdesk:jsm:10042:description', 'helpdesk:jsm:10042:10210']);
    const first = await svc.ctx.store.messages.get('helpdesk:jsm:10042:description');
    expect(first).toMatchObject({ link: 'https://acme.atlassian.net/browse/SUP-42', createdAt: '2026-12-01T09:58:00.000Z', text: 'Не приходят письма\n\nСо вчерашнего дня не приходят письма на почту, ни одного за сутки.' });
  });

  it('refuses a sha1 signature, a wrong secret, and an event older than maxEventAge (replay)', async () => {
    expect((await hub('jsm', 'sha1', SECRETS.jira, 'jira-issue-created.json')).status).toBe(401);
    expect((await hub('jsm', 'sha256', 'wrong-secret-0123456789', 'jira-issue-created.json')).status).toBe(401);
    const stale = await rejected('jsm', 'stale');
    clock.set(T0 + 2 * 3600_000);
    expect((await hub('jsm', 'sha256', SECRETS.jira, 'jira-comment-customer.json')).status).toBe(401);
    expect(await rejected('jsm', 'stale')).toBe(stale + 1);
  });
});

describe('Freshdesk (shared secret: no signatures)', () => {
  it('stores the ticket and the customer reply (HTML to text, quote cut), by header or Basic auth', async () => {
    const created = await post('fd', fixture('freshdesk-ticket-created.json'), freshdeskHeaders(SECRETS.freshdesk));
    expect(created.status).toBe(200);
    expect(created.json.ids).toEqual(['helpdesk:fd:1204:description']);
    const reply = await post('fd', fixture('freshdesk-customer-reply.json'), basicHeaders('radar', SECRETS.freshdesk));
    expect(reply.status).toBe(200);
    const [replyId] = reply.json.ids as string[];
    expect(replyId).toMatch(/^helpdesk:fd:1204:r[0-9a-f]{16}$/);
    // the same reply again has the same id
    expect((await post('fd', fixture('freshdesk-customer-reply.json'), freshdeskHeaders(SECRETS.freshdesk))).json.ids).toEqual([replyId]);
    await stored(['helpdesk:fd:1204:description', replyId as string]);
    expect((await svc.ctx.store.messages.get('helpdesk:fd:1204:description'))?.text).toBe('Payment failed twice\n\nI tried to pay for the premium plan twice and both times the payment failed with an error.');
    expect((await svc.ctx.store.messages.get(replyId as string))?.text).toBe('Tried a third card now, same error: transaction declined.');
    expect((await svc.ctx.store.messages.get(replyId as string))?.link).toBe('https://acme.freshdesk.com/helpdesk/tickets/1204');
  });

  it('refuses a missing or wrong shared secret', async () => {
    expect((await post('fd', fixture('freshdesk-ticket-created.json'), { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post('fd', fixture('freshdesk-ticket-created.json'), freshdeskHeaders('freshdesk-shared-secret-012345678X'))).status).toBe(401);
    expect((await post('fd', fixture('freshdesk-ticket-created.json'), basicHeaders('radar', 'nope-nope-nope'))).status).toBe(401);
  });
});

describe('Zammad', () => {
  it('stores customer articles (title in front of the first); skips agent articles and internal notes', async () => {
    expect((await hub('zm', 'sha1', SECRETS.zammad, 'zammad-customer-article.json')).json.ids).toEqual(['helpdesk:zm:731:2250']);
    expect((await hub('zm', 'sha1', SECRETS.zammad, 'zammad-agent-article.json')).json).toMatchObject({ accepted: 0, skipped: 1 });
    expect((await hub('zm', 'sha1', SECRETS.zammad, 'zammad-internal-note.json')).json).toMatchObject({ accepted: 0, skipped: 1 });
    expect((await hub('zm', 'sha1', SECRETS.zammad, 'zammad-customer-reply.json')).json.ids).toEqual(['helpdesk:zm:731:2253']);
    await stored(['helpdesk:zm:731:2250', 'helpdesk:zm:731:2253']);
    const first = await svc.ctx.store.messages.get('helpdesk:zm:731:2250');
    expect(first).toMatchObject({ link: 'https://support.acme.com/#ticket/zoom/731', text: 'Cannot upload attachments\n\nEvery upload bigger than 1 MB fails with error 500.\n\nNina' });
    expect((await svc.ctx.store.messages.get('helpdesk:zm:731:2253'))?.text).toBe('Still failing this morning.');
  });

  it('refuses a sha256 or wrong signature', async () => {
    expect((await hub('zm', 'sha256', SECRETS.zammad, 'zammad-customer-article.json')).status).toBe(401);
    expect((await hub('zm', 'sha1', SECRETS.jira, 'zammad-customer-article.json')).status).toBe(401);
  });
});

describe('Intercom', () => {
  it('stores the conversation\'s first message and the user\'s parts; skips admin comments, notes and admin topics', async () => {
    expect((await hub('ic', 'sha1', SECRETS.intercom, 'intercom-user-created.json')).json.ids).toEqual(['helpdesk:ic:147:description']);
    const replied = await hub('ic', 'sha1', SECRETS.intercom, 'intercom-user-replied.json');
    expect(replied.json).toMatchObject({ accepted: 1, skipped: 2, ids: ['helpdesk:ic:147:9003'] });
    expect((await hub('ic', 'sha1', SECRETS.intercom, 'intercom-admin-replied.json')).json).toMatchObject({ accepted: 0, skipped: 1 });
    await stored(['helpdesk:ic:147:description', 'helpdesk:ic:147:9003']);
    expect((await svc.ctx.store.messages.get('helpdesk:ic:147:9003'))).toMatchObject({ text: 'Chrome 131 on Windows, and it fails in Firefox too', link: 'https://app.intercom.com/a/apps/ecahpwf5/inbox/conversation/147' });
  });

  it('refuses an old notification (replay) and a wrong client secret', async () => {
    expect((await hub('ic', 'sha1', 'another-client-secret', 'intercom-user-created.json')).status).toBe(401);
    clock.set(T0 + 3 * 3600_000);
    expect((await hub('ic', 'sha1', SECRETS.intercom, 'intercom-user-created.json')).status).toBe(401);
  });
});

describe('malformed bodies and other refusals', () => {
  it('dead-letters a signed body that is not JSON or not the vendor\'s payload (400), and loses nothing around it', async () => {
    const good1 = Buffer.from(fixture('zammad-customer-article.json').toString('utf8').replace(/2250/g, '2260'));
    const notJson = Buffer.from('{"ticket": {"id": 731, "title": "cut off');
    const notZammad = Buffer.from(JSON.stringify({ hello: 'world', article: { id: 'x' } }));
    const good2 = Buffer.from(fixture('zammad-customer-article.json').toString('utf8').replace(/2250/g, '2261'));
    const before = (await deadLetters('zm')).length;
    expect((await post('zm', good1, hubHeaders('sha1', SECRETS.zammad, good1))).status).toBe(200);
    const r1 = await post('zm', notJson, hubHeaders('sha1', SECRETS.zammad, notJson));
    expect(r1.status).toBe(400);
    expect(r1.json.error).toBe('ERR_VALIDATION');
    expect((await post('zm', notZammad, hubHeaders('sha1', SECRETS.zammad, notZammad))).status).toBe(400);
    expect((await post('zm', good2, hubHeaders('sha1', SECRETS.zammad, good2))).status).toBe(200);
    await stored(['helpdesk:zm:731:2260', 'helpdesk:zm:731:2261']);
    const letters = await deadLetters('zm');
    expect(letters.length).toBe(before + 2);
    expect(letters.map((l) => l.queue)).toEqual(letters.map(() => 'webhook'));
    expect(letters.some((l) => l.reason.startsWith('webhook body is not JSON') && l.payload === notJson.toString('utf8'))).toBe(true);
    expect(letters.some((l) => l.reason.startsWith('not a Zammad webhook body'))).toBe(true);
  });

  it('dead-letters one bad comment of a good delivery (far-future time) and keeps its neighbours', async () => {
    const raw = JSON.parse(fixture('intercom-user-replied.json').toString('utf8')) as { data: { item: { conversation_parts: { conversation_parts: Array<Record<string, unknown>> } } } };
    const parts = raw.data.item.conversation_parts.conversation_parts;
    parts.push({ ...parts[2], id: '9004', created_at: Math.floor(T0 / 1000) + 86_400 * 365 }, { ...parts[2], id: '9005', body: '<p>and it still fails</p>' });
    const body = Buffer.from(JSON.stringify(raw));
    const res = await post('ic', body, hubHeaders('sha1', SECRETS.intercom, body));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ deadLettered: 1, ids: ['helpdesk:ic:147:9003', 'helpdesk:ic:147:9005'] });
    await stored(['helpdesk:ic:147:9005']);
    const letter = (await deadLetters('ic')).find((l) => l.reason.includes('future'));
    expect(letter).toBeDefined();
  });

  it('stores nothing of an unsigned malformed body (401 before parsing) and answers 404 for an unknown source, labelled unknown', async () => {
    const before = (await svc.ctx.store.deadLetters.list(500)).length;
    expect((await post('zm', 'not json at all', { 'content-type': 'text/plain' })).status).toBe(401);
    const unknown = await rejected('unknown', 'unknown-source');
    expect((await post('no-such-desk', '{}', { 'content-type': 'application/json' })).status).toBe(404);
    expect(await rejected('unknown', 'unknown-source')).toBe(unknown + 1);
    expect((await svc.ctx.store.deadLetters.list(500)).length).toBe(before);
  });

  it('refuses a body over the limit with 413', async () => {
    const big = Buffer.alloc(1024 * 1024 + 10, 0x20);
    const res = await fetch(`${base}/api/hooks/zm`, { method: 'POST', headers: hubHeaders('sha1', SECRETS.zammad, big), body: new Uint8Array(big) });
    expect(res.status).toBe(413);
  });

  it('logs a refusal with the source and reason, never the body', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    const logged = await buildTestApp(svc.ctx, { log });
    try {
      const body = JSON.stringify({ ticket: { id: 1, title: 'BODY-MARKER-4711 my password is hunter2' } });
      const res = await logged.inject({ method: 'POST', url: '/api/hooks/zm', headers: hubHeaders('sha1', 'wrong-secret-0000', Buffer.from(body)), payload: body });
      expect(res.statusCode).toBe(401);
    } finally {
      await logged.close();
    }
    const refusal = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'webhook rejected');
    expect(refusal).toMatchObject({ source: 'zm', reason: 'bad-signature' });
    expect(lines.join('\n')).not.toContain('BODY-MARKER-4711');
  });

  it('exposes the rejections on /metrics', async () => {
    const res = await fetch(`${base}/metrics`, { headers: admin });
    const text = await res.text();
    expect(text).toMatch(/radar_webhook_rejected_total\{source="zd",reason="bad-signature"\} [1-9]/);
  });
});
