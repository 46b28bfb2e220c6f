/**
 * One generated author key for every way a person's identifier enters: the push API, the report form,
 * X and IMAP all hash under `ServiceContext.authorKey` (RADAR_AUTHOR_KEY, else generated once into
 * <dataDir>/credentials.json), and a value that already looks hashed (`h:…`) is hashed again.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportRateKey } from '../../../src/api/routes/reports.js';
import { issueFormToken } from '../../../src/dashboard/report.js';
import { hashAuthor } from '../../../src/platform/hash.js';
import { admin, buildTestApp, testAuthenticator } from '../../helpers/api.js';
import { createTestService, type TestService } from '../../helpers/services.js';

let svc: TestService;
let app: FastifyInstance;

async function queuedAuthors(): Promise<Map<string, unknown>> {
  const jobs = await svc.ctx.queues.get('ingest').getJobs(['waiting', 'delayed', 'prioritized']);
  return new Map(jobs.map((j) => {
    const { message } = j.data as { message: { id: string; author: unknown } };
    return [message.id, message.author];
  }));
}

beforeAll(async () => {
  svc = await createTestService();
  app = await buildTestApp(svc.ctx);
});

afterAll(async () => {
  await app?.close();
  await svc?.cleanup();
});

describe('the author key', () => {
  it('is generated once into dataDir/credentials.json (0600), random, and read back by the next process', async () => {
    const file = join(svc.dir, 'credentials.json');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { authorKey: string };
    expect(stored.authorKey).toBe(svc.ctx.authorKey);
    expect(svc.ctx.authorKey.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await createTestService();
    try {
      expect(again.ctx.authorKey).not.toBe(svc.ctx.authorKey); // another dataDir, another key
    } finally {
      await again.cleanup();
    }
  });

  it('push API, report form and rate-limit counters hash under it; an `h:` value is hashed, not trusted', async () => {
    const looksHashed = 'h:0123456789abcdef01234567';
    const push = await app.inject({
      method: 'POST',
      url: '/api/messages',
      headers: admin,
      payload: [
        { id: 'a1', channel: 'api', text: 'cannot log in', author: 'Anna@Example.com' },
        { id: 'a2', channel: 'api', text: 'cannot log in', author: looksHashed },
      ],
    });
    expect(push.statusCode).toBe(202);
    const sign = (value: string) => testAuthenticator().sign(value);
    const report = await app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: { 'x-csrf-token': issueFormToken(sign, svc.ctx.clock.now()) },
      payload: { wrong: 'the pay button does nothing', contact: looksHashed },
    });
    expect(report.statusCode).toBe(202);
    const reportId = (report.json() as { id: string }).id;

    const authors = await queuedAuthors();
    const key = svc.ctx.authorKey;
    expect(authors.get('api:a1')).toBe(hashAuthor(key, 'anna@example.com'));
    expect(authors.get('api:a2')).toBe(hashAuthor(key, looksHashed));
    expect(authors.get('api:a2')).not.toBe(looksHashed);
    expect(authors.get(reportId)).toBe(hashAuthor(key, looksHashed));
    expect(authors.get(reportId)).not.toBe(looksHashed);
    // The report form's rate-limit counter names the client by a keyed hash too (an IPv4 sha256 is reversible).
    const ip = '127.0.0.1';
    const login = await app.inject({ method: 'POST', url: '/api/session', payload: { name: 'anna', password: 'wrong password' } });
    expect(login.statusCode).toBe(401);
    const counters = await svc.ctx.redis.keys(`*${svc.prefix}*ratelimit*`);
    expect(counters).toContain(reportRateKey(svc.prefix, ip, svc.ctx.clock.now(), key));
    expect(counters.some((k) => k.includes('login-failures'))).toBe(true);
    const unkeyed = createHash('sha256').update(ip).digest('hex').slice(0, 16);
    expect(counters.filter((k) => k.includes(unkeyed))).toEqual([]);
    // Under another key the same people hash differently: the key, not a constant, decides.
    expect(hashAuthor('another-key-0123456789abcdef0123456789', 'anna@example.com')).not.toBe(authors.get('api:a1'));
  });
});
