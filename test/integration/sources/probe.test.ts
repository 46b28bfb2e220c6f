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

describe('radar sources test: vk and telegram', () => {
  it('probes a VK source and a Telegram bot: the first batch, nothing stored, nothing confirmed to Telegram', async () => {
    const { FakeVkServer } = await import('../../helpers/fake-vk.js');
    const { FakeTelegramServer, TEST_BOT_TOKEN } = await import('../../helpers/fake-telegram.js');
    const { postsAt } = await import('../vk/setup.js');
    const vk = await FakeVkServer.start();
    const tg = await FakeTelegramServer.start();
    try {
      vk.addPosts(...postsAt(Date.now(), 5, 30));
      vk.pageSize = 10;
      for (let i = 0; i < 3; i++) tg.addMessage({ chat: { id: -100123, username: 'skymail_support' }, messageId: 1 + i, text: `не работает ${i}` });
      const config = serviceConfigSchema.parse({
        sources: {
          vk: [{ name: 'vkb', token: 'TEST', query: 'скаймейл', apiBase: vk.url, requestTimeout: '2s', requestsPerSecond: 20 }, { name: 'vkx', token: 'WRONG', query: 'x', apiBase: vk.url }],
          telegram: [{ name: 'tgb', botToken: TEST_BOT_TOKEN, chats: [{ id: -100123 }], apiRoot: tg.url, longPollTimeout: '0s', requestTimeout: '2s' }],
        },
      });
      const [v] = await probeSource(config, 'vkb', { log });
      expect(v).toMatchObject({ source: 'vkb', kind: 'vk', outcome: 'ok', error: null });
      expect(v?.messages).toHaveLength(10);
      expect(vk.calls('newsfeed.search')).toHaveLength(1);
      expect(formatProbe([v!])).toMatch(/^vkb \(vk\): ok, 10 messages in the first batch; nothing stored\n {2}\S+ ru vk "не могу войти в почту/);
      const [bad] = await probeSource(config, 'vkx', { log });
      expect(bad).toMatchObject({ kind: 'vk', outcome: 'auth' });

      const [t] = await probeSource(config, 'tgb', { log });
      expect(t).toMatchObject({ source: 'tgb', kind: 'telegram', outcome: 'ok' });
      expect(t?.messages).toHaveLength(3);
      expect(tg.unconfirmed()).toHaveLength(3); // a probe confirms nothing: the service still gets them
    } finally {
      await vk.close();
      await tg.close();
    }
  });
});
