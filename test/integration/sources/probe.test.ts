/**
 * `radar sources test <name>` (workers/source-probe.ts): one real poll of one source, with the real
 * twitter-api-v2 client against the fake X server, that stores nothing anywhere.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { serviceConfigSchema } from '../../../src/config/service.js';
import { formatProbe, probeSource } from '../../../workers/source-probe.js';
import { FakeXServer } from '../../helpers/fake-x-server.js';
import { tweetsAt } from '../twitter/setup.js';

let fake: FakeXServer;
const log = pino({ level: 'silent' });

const configFor = (token: string) =>
  serviceConfigSchema.parse({
    sources: {
      twitter: [
        { name: 'brand', query: 'mail down', bearerToken: token, apiBase: fake.url, requestTimeout: '2s' },
        { name: 'other', query: 'mail slow', bearerToken: 'TEST', apiBase: fake.url, requestTimeout: '2s' },
      ],
    },
  });

beforeEach(async () => {
  fake = await FakeXServer.start();
  fake.addUsers({ id: '11', username: 'alice' }, { id: '12', username: 'bob' });
});

afterEach(async () => {
  await fake.close();
});

describe('radar sources test', () => {
  it('polls the named source once, stops after the first page, and returns what it found', async () => {
    fake.addTweets(...tweetsAt(Date.now(), 10, 25));
    fake.pageSize = 10;
    const [result, ...rest] = await probeSource(configFor('TEST'), 'brand', { log });
    expect(rest).toEqual([]);
    expect(result).toMatchObject({ source: 'brand', kind: 'twitter', outcome: 'ok', error: null, deadLettered: 0 });
    expect(result?.messages).toHaveLength(10); // the first page only
    expect(result?.messages[0]).toMatchObject({ channel: 'twitter', source: 'brand', lang: 'en' });
    expect(fake.searches).toHaveLength(1);
    expect(formatProbe([result!])).toMatch(/^brand \(twitter\): ok, 10 messages in the first batch; nothing stored\n {2}\S+ en twitter "cannot login to mail/);
  });

  it('says the credentials were rejected, without touching the other sources', async () => {
    const [result] = await probeSource(configFor('WRONG'), 'brand', { log });
    expect(result).toMatchObject({ outcome: 'auth', messages: [] });
    expect(result?.error).toMatch(/401|rejected/i);
    expect(formatProbe([result!])).toMatch(/^brand \(twitter\): FAILED \(auth\)/);
  });

  it('an empty answer is still a working source', async () => {
    const [result] = await probeSource(configFor('TEST'), 'brand', { log });
    expect(result).toMatchObject({ outcome: 'ok', messages: [] });
  });

  it('refuses an unknown name and lists the configured ones', async () => {
    await expect(probeSource(configFor('TEST'), 'nope', { log })).rejects.toThrow(/no source named "nope" is configured \(configured: brand, other\)/);
  });
});
