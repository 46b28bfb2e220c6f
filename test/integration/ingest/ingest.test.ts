import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../../src/domain/message.js';
import { startIngestWorker, type IngestWorker } from '../../../workers/ingest.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

function msg(n: number, text: string, minute = 0): Message {
  return {
    id: `api:test-${n}`,
    channel: n % 2 === 0 ? 'twitter' : 'email',
    source: 'test',
    author: null,
    text,
    lang: null,
    createdAt: new Date(Date.UTC(2026, 0, 5, 12, minute, n % 60)).toISOString(),
    link: null,
  };
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`ingest on ${db}`, () => {
    let service: TestService | undefined;
    let ingest: IngestWorker | undefined;

    afterEach(async () => {
      await ingest?.close();
      await service?.cleanup();
      ingest = undefined;
      service = undefined;
    });

    it('stores and counts each message once, however often it is queued', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      service = await createTestService({ db });
      const { ctx } = service;
      const messages = Array.from({ length: 300 }, (_, i) => msg(i, i % 3 === 0 ? 'I cannot login, password rejected' : 'thanks, all good'));
      await ctx.queues.enqueueMessages(messages);
      await ctx.queues.enqueueMessages(messages.slice(0, 100)); // the same ids again
      ingest = startIngestWorker(ctx);
      await waitFor(async () => (await ctx.store.messages.count()) === 300);
      await ctx.queues.enqueueMessages(messages.slice(100, 200)); // and again after they were stored
      await waitFor(async () => (await ctx.queues.get('ingest').getJobCounts('waiting', 'active')).waiting === 0);
      await ingest.close();
      ingest = undefined;

      expect(await ctx.store.messages.count()).toBe(300);
      const from = Date.UTC(2026, 0, 5, 12, 0);
      expect(await ctx.store.series.total('messages', from, from + 60_000)).toBe(300);
      expect(await ctx.store.series.total('complaints', from, from + 60_000)).toBe(100);
      expect(await ctx.store.series.total('complaints.login', from, from + 60_000)).toBe(100);
      expect(await ctx.store.series.total('complaints.channel.twitter', from, from + 60_000)).toBe(50);
      const page = await ctx.store.messages.list({ complaint: true }, 10);
      expect(page.items).toHaveLength(10);
      expect(page.items[0]?.classification.categories[0]?.name).toBe('login');
    });

    it('dead-letters an invalid message and keeps the ones around it', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      service = await createTestService({ db, config: { ingest: { attempts: 2, backoff: '10ms' } } });
      const { ctx } = service;
      const queue = ctx.queues.get('ingest');
      await ctx.queues.enqueueMessages([msg(1, 'slow inbox')]);
      await queue.add('message', { message: { id: 'api:broken', channel: 'fax', text: 42 } } as never, { jobId: 'api%3Abroken' });
      await ctx.queues.enqueueMessages([msg(2, 'slow again')]);
      ingest = startIngestWorker(ctx);
      await waitFor(async () => (await ctx.store.deadLetters.count()) === 1 && (await ctx.store.messages.count()) === 2);
      const [letter] = await ctx.store.deadLetters.list();
      expect(letter?.messageId).toBe('api:broken');
      expect(letter?.reason).toMatch(/invalid message: channel/);
      expect(await ctx.store.messages.get('api:test-1')).not.toBeNull();
      expect(await ctx.store.messages.get('api:test-2')).not.toBeNull();
    });

    it('a batch is searchable message by message, and a revised message by its newest text only', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      service = await createTestService({ db });
      const { ctx } = service;
      const classification = { complaint: false, score: 0.1, categories: [], lang: 'en' as const };
      const words = ['apple', 'banana', 'cherry', 'damson', 'elder', 'fig', 'grape'];
      const batch = Array.from({ length: 140 }, (_, i) => ({ message: msg(i, `${words[i % words.length]} number ${i}`), classification }));
      expect(await ctx.store.ingest(batch, ctx.clock.now(), ctx.config.series.step)).toHaveLength(140);
      for (const word of words) expect((await ctx.store.messages.list({ q: word }, 50)).items).toHaveLength(20);
      expect((await ctx.store.messages.list({ q: 'number 77' }, 50)).items.map((m) => m.id)).toEqual(['api:test-77']);

      const review = (text: string, revisedAt: string): Message => ({ ...msg(500, text), channel: 'appstore', meta: { revisedAt } });
      await ctx.store.ingest([{ message: review('first quince words', '2026-01-05T12:00:00.000Z'), classification }], ctx.clock.now(), ctx.config.series.step);
      const search = async (q: string) => (await ctx.store.messages.list({ q }, 10)).items.map((m) => m.id);
      expect(await search('quince')).toEqual(['api:test-500']);
      await ctx.store.ingest([{ message: review('second rhubarb words', '2026-01-05T13:00:00.000Z'), classification }], ctx.clock.now(), ctx.config.series.step);
      expect(await search('rhubarb')).toEqual(['api:test-500']);
      expect(await search('quince')).toEqual([]);
      expect(await search('words')).toEqual(['api:test-500']);
      // An older revision changes nothing; the same text again keeps the message found once.
      await ctx.store.ingest([{ message: review('stale quince', '2026-01-05T12:30:00.000Z'), classification }], ctx.clock.now(), ctx.config.series.step);
      await ctx.store.ingest([{ message: review('second rhubarb words', '2026-01-05T14:00:00.000Z'), classification }], ctx.clock.now(), ctx.config.series.step);
      expect(await search('rhubarb')).toEqual(['api:test-500']);
      expect(await search('quince')).toEqual([]);
      expect(await ctx.store.messages.count({ q: 'rhubarb' })).toBe(1);
    });
  });
}
