import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/api/app.js';
import { Authenticator } from '../../../src/api/auth.js';
import { reportRateKey } from '../../../src/api/routes/reports.js';
import { checkFormToken, issueFormToken, maskContact, reportBodySchema, reportToMessage } from '../../../src/dashboard/report.js';
import { ManualClock } from '../../../src/platform/clock.js';
import { createTestService, type TestService } from '../../helpers/services.js';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);
const LIMIT = 3;

let svc: TestService;
let app: FastifyInstance;
let auth: Authenticator;
const clock = new ManualClock(T0);

const token = () => issueFormToken((v) => auth.sign(v), clock.now());
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function queued(): Promise<Array<{ id: string; data: { message: Record<string, unknown> } }>> {
  const jobs = await svc.ctx.queues.get('ingest').getJobs(['waiting', 'delayed', 'prioritized']);
  return jobs.map((j) => ({ id: String(j.id), data: j.data as { message: Record<string, unknown> } }));
}

beforeAll(async () => {
  svc = await createTestService({ clock, config: { reportForm: { perIpPerHour: LIMIT } } });
  auth = new Authenticator({ tokens: [], users: [], sessionSecret: 'report-test-secret-0123456789abcdef0123', sessionTtlMs: 3_600_000 });
  app = await buildApp({ ...svc.ctx, auth });
});

afterAll(async () => {
  await app?.close();
  await svc?.cleanup();
});

beforeEach(async () => {
  clock.set(T0);
  await svc.ctx.queues.get('ingest').obliterate({ force: true });
  const keys = await svc.ctx.redis.keys(`${svc.prefix}:ratelimit:*`);
  if (keys.length > 0) await svc.ctx.redis.del(...keys);
});

describe('GET /report', () => {
  it('serves the form with a signed token, a honeypot, a strict CSP that allows framing, and no X-Frame-Options', async () => {
    const res = await app.inject({ method: 'GET', url: '/report' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['content-security-policy']).toContain('frame-ancestors *');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const match = /name="_csrf" value="([^"]+)"/.exec(res.body);
    expect(match && checkFormToken((v, m) => auth.verify(v, m), match[1], clock.now())).toBe(true);
    expect(res.body).toContain('name="website"');
    expect(res.body).not.toMatch(/<script>|onclick=|style="/);
  });

  it('keeps X-Frame-Options: DENY on the dashboard pages', async () => {
    const res = await app.inject({ method: 'GET', url: '/login' });
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});

describe('POST /api/reports (JSON)', () => {
  it('queues a beta_form Message: fields kept apart in meta, joined for text, contact hashed and masked', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: { 'x-csrf-token': token() },
      payload: { doing: 'paying from my phone', wrong: 'the pay button does nothing', expected: 'a receipt', contact: 'jane@example.com' },
    });
    expect(res.statusCode).toBe(202);
    const body = res.json() as { ok: boolean; id: string };
    expect(body.ok).toBe(true);
    expect(body.id).toMatch(/^form:[0-9a-f-]{36}$/);
    const jobs = await queued();
    expect(jobs).toHaveLength(1);
    const m = jobs[0]?.data.message as Record<string, unknown>;
    expect(m).toMatchObject({
      id: body.id,
      channel: 'beta_form',
      source: 'report-form',
      text: 'the pay button does nothing\n\npaying from my phone\n\na receipt',
      createdAt: new Date(T0).toISOString(),
      meta: { report: { doing: 'paying from my phone', wrong: 'the pay button does nothing', expected: 'a receipt' }, contact: 'j***@example.com' },
    });
    expect(m.author).toMatch(/^h:[0-9a-f]{24}$/);
    expect(JSON.stringify(m)).not.toContain('jane@');
  });

  it.each([
    ['missing token', {}, { wrong: 'broken thing' }, 403, 'ERR_CSRF'],
    ['forged token', { 'x-csrf-token': `${T0}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA` }, { wrong: 'broken thing' }, 403, 'ERR_CSRF'],
    ['wrong too short', 'token', { wrong: 'no' }, 400, 'body.wrong'],
    ['wrong missing', 'token', { doing: 'x' }, 400, 'body.wrong'],
    ['doing too long', 'token', { wrong: 'broken thing', doing: 'x'.repeat(2001) }, 400, 'body.doing'],
    ['contact too long', 'token', { wrong: 'broken thing', contact: 'x'.repeat(201) }, 400, 'body.contact'],
    ['unknown field', 'token', { wrong: 'broken thing', admin: true }, 400, 'body'],
  ] as const)('%s → %i naming what is wrong', async (_name, headers, payload, status, what) => {
    const res = await app.inject({ method: 'POST', url: '/api/reports', headers: headers === 'token' ? { 'x-csrf-token': token() } : headers, payload });
    expect(res.statusCode).toBe(status);
    const body = res.json() as { error: string; field?: string };
    if (status === 403) expect(body.error).toBe(what);
    else expect(body.field).toBe(what);
    expect(await queued()).toHaveLength(0);
  });

  it('rejects an expired token', async () => {
    const old = token();
    clock.advance(25 * 3_600_000);
    const res = await app.inject({ method: 'POST', url: '/api/reports', headers: { 'x-csrf-token': old }, payload: { wrong: 'broken thing' } });
    expect(res.statusCode).toBe(403);
  });

  it('gives a bot that fills the honeypot the same success and stores nothing', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/reports', headers: { 'x-csrf-token': token() }, payload: { wrong: 'buy cheap pills', website: 'http://spam.example' } });
    expect(res.statusCode).toBe(202);
    expect((res.json() as { id: string }).id).toMatch(/^form:/);
    expect(await queued()).toHaveLength(0);
  });

  it('limits reports per IP per hour (counted in Redis), and lets them in again the next hour', async () => {
    const send = () => app.inject({ method: 'POST', url: '/api/reports', headers: { 'x-csrf-token': token() }, payload: { wrong: 'broken thing' }, remoteAddress: '10.1.2.3' });
    for (let i = 0; i < LIMIT; i++) expect((await send()).statusCode).toBe(202);
    const limited = await send();
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'ERR_RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const other = await app.inject({ method: 'POST', url: '/api/reports', headers: { 'x-csrf-token': token() }, payload: { wrong: 'broken thing' }, remoteAddress: '10.9.9.9' });
    expect(other.statusCode).toBe(202);
    expect(await svc.ctx.redis.get(reportRateKey(svc.prefix, '10.1.2.3', clock.now(), svc.ctx.authorKey))).toBe(String(LIMIT + 1));
    clock.advance(3_600_000);
    expect((await send()).statusCode).toBe(202);
    expect(await queued()).toHaveLength(LIMIT + 2);
  });
});

describe('POST /api/reports (plain form, no JavaScript)', () => {
  it('answers "thank you, received" as a page', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/reports', headers: FORM, payload: form({ doing: '', wrong: 'the page is blank', expected: '', contact: '', website: '', _csrf: token() }) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Thank you, received.');
    expect(await queued()).toHaveLength(1);
  });

  it('shows the form again with what to fix, the values refilled and HTML-escaped', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: FORM,
      payload: form({ doing: '<script>alert(1)</script>"><img src=x onerror=alert(2)>', wrong: 'x', expected: '', contact: '', website: '', _csrf: token(), embed: '1' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('What went wrong: please write at least 3 characters');
    expect(res.body).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#62;&#60;img src=x onerror=alert(2)&#62;');
    expect(res.body).not.toContain('<script>alert');
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).toContain('name="embed" value="1"');
    expect(await queued()).toHaveLength(0);
  });

  it('says the form expired when the token is bad', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/reports', headers: FORM, payload: form({ wrong: 'the page is blank', _csrf: 'nope' }) });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('The form expired');
    expect(res.body).toContain('the page is blank');
  });
});

describe('report helpers', () => {
  it.each([
    ['jane@example.com', 'j***@example.com'],
    ['@jane_doe', '@j***oe'],
    ['+7 999 123 45 67', '+7***67'],
    ['abc', '***'],
  ])('maskContact(%s) = %s', (input, masked) => {
    expect(maskContact(input)).toBe(masked);
  });

  it('joins only the answers given', () => {
    const body = reportBodySchema.parse({ wrong: '  crash on start ' });
    const m = reportToMessage(body, { now: T0, uuid: '00000000-0000-4000-8000-000000000000', authorKey: 'report-test-author-key-0123456789abcdef' });
    expect(m).toMatchObject({ id: 'form:00000000-0000-4000-8000-000000000000', text: 'crash on start', author: null, meta: { report: { doing: '', wrong: 'crash on start', expected: '' } } });
  });
});
