/**
 * Help-desk polling (Zendesk incremental ticket events, Freshdesk updated tickets + conversations)
 * against a local fake of each API, on real Redis and a real database: cursors, pages, customer vs
 * agent comments, rate limits, rejected credentials, a failure mid-poll, malformed items, and
 * `radar sources test`.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serviceConfigSchema } from '../../../src/config/service.js';
import { helpdeskSourceSchema, type HelpdeskSourceInput } from '../../../src/config/helpdesk.js';
import { ManualClock } from '../../../src/platform/clock.js';
import { createHelpdeskPollHandler } from '../../../src/sources/helpdesk/index.js';
import { SourceAuthError, SourceRateLimitError } from '../../../src/sources/poll.js';
import { probeSource } from '../../../workers/source-probe.js';
import { FRESHDESK_KEY, startFakeHelpdesk, zendeskAudit, ZENDESK_EMAIL, ZENDESK_TOKEN, type FakeHelpdesk, type FreshdeskTicket } from '../../helpers/fake-helpdesk.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { enqueuedIds, pollContext } from '../twitter/setup.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const clock = new ManualClock(T0);
let svc: TestService;
let fake: FakeHelpdesk;

const zendeskSource = (name: string, poll: Record<string, unknown> = {}) =>
  helpdeskSourceSchema.parse({ name, vendor: 'zendesk', url: 'https://acme.zendesk.com', poll: { email: ZENDESK_EMAIL, token: ZENDESK_TOKEN, apiBase: fake.url, lookback: '1h', requestTimeout: '2s', ...poll } } satisfies HelpdeskSourceInput);
const freshdeskSource = (name: string, poll: Record<string, unknown> = {}) =>
  helpdeskSourceSchema.parse({ name, vendor: 'freshdesk', url: 'https://acme.freshdesk.com', poll: { token: FRESHDESK_KEY, apiBase: fake.url, lookback: '1h', requestTimeout: '2s', ...poll } } satisfies HelpdeskSourceInput);
const handlerFor = (...configs: ReturnType<typeof zendeskSource>[]) => createHelpdeskPollHandler(configs, { authorKey: 'helpdesk-test-author-key-0123456789', maxFutureSkewMs: 600_000 });
const ids = async (source: string) => (await enqueuedIds(svc.ctx)).filter((id) => id.startsWith(`helpdesk:${source}:`));

beforeAll(async () => {
  svc = await createTestService({ clock });
  fake = await startFakeHelpdesk({ now: () => clock.now() });
});

afterAll(async () => {
  await fake?.close();
  await svc?.cleanup();
});

beforeEach(() => {
  clock.set(T0);
  fake.zendesk.events.length = 0;
  fake.zendesk.users.length = 0;
  fake.zendesk.perPage = 1000;
  fake.freshdesk.tickets.length = 0;
  fake.freshdesk.conversations.clear();
  fake.requests.length = 0;
});

const CUSTOMER = 100;
const AGENT = 200;

/** Ticket `ticket`: created by the customer, an agent reply, an internal note, a customer reply. */
function zendeskTicket(ticket: number, at: number): void {
  const base = ticket * 100;
  fake.zendesk.events.push(
    zendeskAudit({ id: base + 1, ticketId: ticket, at, commentId: base * 10 + 1, authorId: CUSTOMER, body: `Ticket ${ticket}: I cannot log in since the update`, create: { subject: `Login broken ${ticket}` } }),
    zendeskAudit({ id: base + 2, ticketId: ticket, at: at + 60_000, commentId: base * 10 + 4, authorId: AGENT, body: 'Please clear the cache' }),
    zendeskAudit({ id: base + 3, ticketId: ticket, at: at + 90_000, commentId: base * 10 + 5, authorId: AGENT, body: 'Same as the SSO bug', public: false }),
    zendeskAudit({ id: base + 4, ticketId: ticket, at: at + 120_000, commentId: base * 10 + 6, authorId: CUSTOMER, body: `Ticket ${ticket}: still broken after clearing the cache` }),
  );
}

describe('Zendesk incremental ticket events', () => {
  it('queues first messages and customer replies, skips agents and notes, and moves the cursor to end_time', async () => {
    fake.zendesk.users.push({ id: CUSTOMER, role: 'end-user' }, { id: AGENT, role: 'agent' });
    zendeskTicket(1, T0 - 30 * 60_000);
    const handler = handlerFor(zendeskSource('zd1'));
    const result = await handler.pollOnce({ source: 'zd1' }, pollContext(svc.ctx));
    expect(result).toMatchObject({ pages: 1, fetched: 2, skipped: 2, deadLettered: 0, complete: true });
    expect(await ids('zd1')).toEqual(['helpdesk:zd1:1:1006', 'helpdesk:zd1:1:description']);
    const first = fake.requests.find((r) => r.path.endsWith('ticket_events.json'));
    expect(first?.query).toMatchObject({ start_time: String(Math.floor((T0 - 3600_000) / 1000)), include: 'comment_events' });
    expect(await svc.ctx.sources.getCursor('zd1')).toEqual({ startTime: Math.floor((T0 - 30 * 60_000 + 120_000) / 1000) });
    const jobs = await svc.ctx.queues.get('ingest').getJobs(['waiting']);
    const message = jobs.map((j) => (j.data as { message: { id: string; text: string; link: string; author: string } }).message).find((m) => m.id === 'helpdesk:zd1:1:description');
    expect(message).toMatchObject({ text: 'Login broken 1\n\nTicket 1: I cannot log in since the update', link: 'https://acme.zendesk.com/agent/tickets/1' });
    expect(message?.author).toMatch(/^hd:/);

    // The next poll starts at the cursor: the boundary event comes again (same id), the new ticket is added.
    zendeskTicket(2, T0 - 10 * 60_000);
    clock.advance(60_000);
    fake.requests.length = 0;
    await handler.pollOnce({ source: 'zd1' }, pollContext(svc.ctx));
    expect(fake.requests.find((r) => r.path.endsWith('ticket_events.json'))?.query.start_time).toBe(String(Math.floor((T0 - 30 * 60_000 + 120_000) / 1000)));
    expect(await ids('zd1')).toEqual(['helpdesk:zd1:1:1006', 'helpdesk:zd1:1:description', 'helpdesk:zd1:2:2006', 'helpdesk:zd1:2:description']);
    // Roles are remembered: no second lookup of known authors.
    expect(fake.requests.filter((r) => r.path.endsWith('show_many.json'))).toHaveLength(0);
  });

  it('reads at most maxPagesPerPoll pages, saving the cursor after each, and the next polls finish without a gap', async () => {
    fake.zendesk.users.push({ id: CUSTOMER, role: 'end-user' }, { id: AGENT, role: 'agent' });
    for (let t = 1; t <= 5; t++) zendeskTicket(10 + t, T0 - 50 * 60_000 + t * 5 * 60_000);
    fake.zendesk.perPage = 3;
    const handler = handlerFor(zendeskSource('zd2', { maxPagesPerPoll: 2 }));
    const first = await handler.pollOnce({ source: 'zd2' }, pollContext(svc.ctx));
    expect(first).toMatchObject({ pages: 2, complete: false });
    let guard = 0;
    while (!(await handler.pollOnce({ source: 'zd2' }, pollContext(svc.ctx))).complete && guard++ < 20);
    const expected = [11, 12, 13, 14, 15].flatMap((t) => [`helpdesk:zd2:${t}:${t * 1000 + 6}`, `helpdesk:zd2:${t}:description`]).sort();
    expect(await ids('zd2')).toEqual(expected);
  });

  it('keeps the cursor of the pages queued when a later page fails, and goes on from there', async () => {
    fake.zendesk.users.push({ id: CUSTOMER, role: 'end-user' });
    for (let t = 1; t <= 3; t++) zendeskTicket(20 + t, T0 - 50 * 60_000 + t * 10 * 60_000);
    fake.zendesk.perPage = 4; // one ticket per page
    const handler = handlerFor(zendeskSource('zd3'));
    const ctx = pollContext(svc.ctx);
    fake.fail({ path: '/api/v2/incremental/ticket_events.json', status: 500, skip: 1 }); // page 1 served, page 2 fails
    await expect(handler.pollOnce({ source: 'zd3' }, ctx)).rejects.toThrow(/HTTP 500/);
    expect(await ids('zd3')).toEqual(['helpdesk:zd3:21:21006', 'helpdesk:zd3:21:description']);
    const cursor = await svc.ctx.sources.getCursor<{ startTime: number }>('zd3');
    expect(cursor?.startTime).toBe(Math.floor((T0 - 40 * 60_000 + 120_000) / 1000));
    await handler.pollOnce({ source: 'zd3' }, ctx);
    expect(await ids('zd3')).toHaveLength(6);
  });

  it('dead-letters a malformed event and keeps its neighbours', async () => {
    fake.zendesk.users.push({ id: CUSTOMER, role: 'end-user' });
    zendeskTicket(31, T0 - 20 * 60_000);
    fake.zendesk.events.push({ id: 3199, ticket_id: 'not-a-number', timestamp: Math.floor((T0 - 19 * 60_000) / 1000), child_events: 'nope' } as never);
    const result = await handlerFor(zendeskSource('zd4')).pollOnce({ source: 'zd4' }, pollContext(svc.ctx));
    expect(result).toMatchObject({ fetched: 2, deadLettered: 1 });
    const letters = (await svc.ctx.store.deadLetters.list(100)).filter((l) => l.source === 'zd4');
    expect(letters[0]?.reason).toMatch(/malformed ticket event/);
  });

  it('waits for Retry-After on a 429 and stops on a 401, the cursor untouched', async () => {
    zendeskTicket(41, T0 - 20 * 60_000);
    fake.fail({ path: '/api/v2/incremental/', status: 429, headers: { 'retry-after': '93' } });
    const error = await handlerFor(zendeskSource('zd5')).pollOnce({ source: 'zd5' }, pollContext(svc.ctx)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceRateLimitError);
    expect((error as SourceRateLimitError).resetAt).toBe(T0 + 93_000);
    const denied = await handlerFor(zendeskSource('zd5', { token: 'wrong-token' })).pollOnce({ source: 'zd5' }, pollContext(svc.ctx)).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(SourceAuthError);
    expect(String((denied as Error).message)).not.toContain('wrong-token');
    expect(await svc.ctx.sources.getCursor('zd5')).toBeNull();
  });
});

function freshdeskTicket(id: number, createdAt: number, updatedAt: number, replies: Array<{ id: number; incoming: boolean; private?: boolean; text: string }> = []): FreshdeskTicket {
  const ticket: FreshdeskTicket = {
    id,
    subject: `Payment failed ${id}`,
    description: `<div>My card was charged twice (${id})</div>`,
    description_text: `My card was charged twice (${id})`,
    requester_id: 5000 + id,
    status: 2,
    created_at: new Date(createdAt).toISOString().replace('.000Z', 'Z'),
    updated_at: new Date(updatedAt).toISOString().replace('.000Z', 'Z'),
  };
  fake.freshdesk.tickets.push(ticket);
  fake.freshdesk.conversations.set(
    id,
    replies.map((r, i) => ({
      id: r.id,
      body: `<div>${r.text}</div>`,
      body_text: r.text,
      incoming: r.incoming,
      private: r.private ?? false,
      user_id: r.incoming ? 5000 + id : 77,
      ticket_id: id,
      source: r.incoming ? 0 : 2,
      created_at: new Date(createdAt + (i + 1) * 60_000).toISOString(),
      updated_at: new Date(createdAt + (i + 1) * 60_000).toISOString(),
    })),
  );
  return ticket;
}

describe('Freshdesk updated tickets and conversations', () => {
  it('queues descriptions and incoming public replies, skips agents and private notes, and saves the newest updated_at', async () => {
    freshdeskTicket(1, T0 - 50 * 60_000, T0 - 40 * 60_000, [
      { id: 9001, incoming: false, text: 'Refund issued' },
      { id: 9002, incoming: false, private: true, text: 'billing bug again' },
      { id: 9003, incoming: true, text: 'Still charged twice today' },
    ]);
    freshdeskTicket(2, T0 - 30 * 60_000, T0 - 20 * 60_000);
    const result = await handlerFor(freshdeskSource('fd1')).pollOnce({ source: 'fd1' }, pollContext(svc.ctx));
    expect(result).toMatchObject({ pages: 1, fetched: 3, skipped: 2, complete: true });
    expect(await ids('fd1')).toEqual(['helpdesk:fd1:1:9003', 'helpdesk:fd1:1:description', 'helpdesk:fd1:2:description']);
    expect(await svc.ctx.sources.getCursor('fd1')).toEqual({ updatedSince: new Date(T0 - 20 * 60_000).toISOString() });
    const list = fake.requests.find((r) => r.path === '/api/v2/tickets');
    expect(list?.query).toMatchObject({ updated_since: new Date(T0 - 3600_000).toISOString(), order_by: 'updated_at', order_type: 'asc', include: 'description' });
  });

  it('pages through more than one page of tickets across polls without a gap', async () => {
    for (let i = 0; i < 130; i++) freshdeskTicket(100 + i, T0 - 50 * 60_000, T0 - 50 * 60_000 + i * 10_000);
    const handler = handlerFor(freshdeskSource('fd2', { maxPagesPerPoll: 1 }));
    expect(await handler.pollOnce({ source: 'fd2' }, pollContext(svc.ctx))).toMatchObject({ pages: 1, fetched: 100, complete: false });
    expect(await handler.pollOnce({ source: 'fd2' }, pollContext(svc.ctx))).toMatchObject({ complete: true });
    expect(await ids('fd2')).toHaveLength(130);
  });

  it('maps 429 and 401 to a wait and a stop', async () => {
    freshdeskTicket(300, T0 - 50 * 60_000, T0 - 40 * 60_000);
    fake.fail({ path: '/api/v2/tickets', status: 429, headers: { 'retry-after': '15' } });
    const limited = await handlerFor(freshdeskSource('fd3')).pollOnce({ source: 'fd3' }, pollContext(svc.ctx)).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(SourceRateLimitError);
    expect((limited as SourceRateLimitError).resetAt).toBe(T0 + 15_000);
    const denied = await handlerFor(freshdeskSource('fd3', { token: 'bad-key' })).pollOnce({ source: 'fd3' }, pollContext(svc.ctx)).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(SourceAuthError);
  });
});

describe('radar sources test <name>', () => {
  it('probes a polled help desk through the registry', async () => {
    fake.zendesk.users.push({ id: CUSTOMER, role: 'end-user' }, { id: AGENT, role: 'agent' });
    zendeskTicket(51, Date.now() - 20 * 60_000);
    const config = serviceConfigSchema.parse({ sources: { helpdesk: [{ name: 'zd-probe', vendor: 'zendesk', url: 'https://acme.zendesk.com', poll: { email: ZENDESK_EMAIL, token: ZENDESK_TOKEN, apiBase: fake.url, requestTimeout: '2s' } }] } });
    clock.set(Date.now());
    const [result] = await probeSource(config, 'zd-probe', { log: pino({ level: 'silent' }) });
    expect(result).toMatchObject({ source: 'zd-probe', kind: 'helpdesk', outcome: 'ok', error: null });
  });
});
