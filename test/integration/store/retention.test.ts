/**
 * Retention on a real SQLite file and a real PostgreSQL schema, with a pinned clock: what is past its
 * period is deleted (or, for message text, blanked), nothing younger is touched, batches are bounded,
 * a second run finds nothing, and the scheduled BullMQ job runs the prune on its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { serviceConfigSchema } from '../../../src/config/service.js';
import type { Classification } from '../../../src/domain/classification.js';
import type { Message } from '../../../src/domain/message.js';
import { ManualClock } from '../../../src/platform/clock.js';
import { restoreSchedulers } from '../../../src/queues/schedulers.js';
import { pruneExpired, RETENTION_RULES } from '../../../src/store/retention.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { runRetention, startRetentionWorker, syncRetentionScheduler } from '../../../workers/retention.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T12:00:00Z');
const periods = serviceConfigSchema.parse({}).retention.keep;

const complaint: Classification = { complaint: true, score: 1, categories: [{ name: 'login', score: 1, terms: ['login'] }], lang: 'en' };

function message(id: string, ageDays: number): Message {
  return {
    id,
    channel: 'email',
    source: 'support',
    author: `author-of-${id}`,
    text: `cannot login (${id})`,
    lang: 'en',
    createdAt: new Date(NOW - ageDays * DAY).toISOString(),
    link: `https://mail.example/${id}`,
    meta: { from: `${id}@example.com` },
  };
}

async function seed(t: TestService): Promise<void> {
  const { store } = t.ctx;
  // Messages 10, 100 and 500 days old (text: 90 days, rows: 400 days).
  await store.ingest(
    [message('m-recent', 10), message('m-mid-1', 100), message('m-mid-2', 200), message('m-mid-3', 300), message('m-old', 500)].map((m) => ({ message: m, classification: complaint })),
    NOW,
    60_000,
  );
  await store.db.updateTable('messages').set({ label_complaint: 1, label_category: 'login', labelled_at: NOW - 450 * DAY }).where('id', '=', 'm-old').execute();
  await store.db.updateTable('messages').set({ label_complaint: 1, label_category: 'login', labelled_at: NOW - 20 * DAY }).where('id', 'in', ['m-mid-1', 'm-recent']).execute();
  await store.db.insertInto('labels').values([
    { message_id: 'm-old', complaint: 1, category: 'login', labelled_by: 'ann', labelled_at: NOW - 450 * DAY },
    { message_id: 'm-mid-1', complaint: 1, category: 'login', labelled_by: 'ann', labelled_at: NOW - 20 * DAY },
  ]).execute();
  for (const [i, age] of [40, 31, 29, 1].entries()) {
    await store.db.insertInto('dead_letters').values({ message_id: `d${i}`, queue: 'ingest', source: 'support', payload: 'From: someone@example.com\r\n\r\nraw mail', reason: 'bad', attempts: 3, failed_at: NOW - age * DAY }).execute();
  }
  await store.series.add([
    { key: 'complaints', t: NOW - 401 * DAY, v: 3 },
    { key: 'complaints.login', t: NOW - 401 * DAY, v: 3 },
    { key: 'complaints', t: NOW - 399 * DAY, v: 2 },
    { key: 'traffic', t: NOW - DAY, v: 100 },
  ]);
  const alert = (id: string, state: string, ageDays: number) => ({
    id, state, rule: 'r', group_key: 'complaints', owner: 'ann', starts_at: NOW - ageDays * DAY, updated_at: NOW - ageDays * DAY,
    acknowledged_at: null, acknowledged_by: null, doc: '{}', evidence: '{"examples":["cannot login"]}',
  });
  await store.db.insertInto('alerts').values([alert('a-old-resolved', 'resolved', 400), alert('a-old-firing', 'firing', 400), alert('a-new-resolved', 'resolved', 30)]).execute();
  await store.db.insertInto('alert_events').values([
    { alert_id: 'a-old-resolved', type: 'fired', at: NOW - 400 * DAY, doc: '{}' },
    { alert_id: 'a-new-resolved', type: 'fired', at: NOW - 30 * DAY, doc: '{}' },
  ]).execute();
  await store.db.insertInto('sessions').values([
    { id: 's-expired-long-ago', user_name: 'ann', created_at: NOW - 41 * DAY, expires_at: NOW - 40 * DAY, ended_at: null },
    { id: 's-expired-lately', user_name: 'ann', created_at: NOW - 11 * DAY, expires_at: NOW - 10 * DAY, ended_at: NOW - 10 * DAY },
    { id: 's-active', user_name: 'ann', created_at: NOW - 3_600_000, expires_at: NOW + DAY, ended_at: null },
  ]).execute();
}

const kinds: DbKind[] = ['sqlite', 'postgres'];

describe.each(kinds)('retention on %s', (db) => {
  let t: TestService | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  async function service(config: Record<string, unknown> = {}): Promise<TestService | null> {
    if (db === 'postgres' && !(await postgresAvailable())) return null;
    t = await createTestService({ db, config, clock: new ManualClock(NOW) });
    return t;
  }

  it('prunes each kind of data past its period, in bounded batches, and nothing younger', async () => {
    const s = await service();
    if (!s) return;
    await seed(s);
    const { store } = s.ctx;

    // Counts older than 400 days: the two seeded ones and those of the 500-day-old message.
    const seriesOlderThan = async (t: number) => Number((await store.db.selectFrom('series_points').select((eb) => eb.fn.countAll().as('n')).where('t', '<', t).executeTakeFirstOrThrow()).n);
    const oldSeries = await seriesOlderThan(NOW - 400 * DAY);
    const allSeries = await seriesOlderThan(NOW + DAY);
    expect(oldSeries).toBeGreaterThanOrEqual(4);

    const labelled = async () => {
      const ids: string[] = [];
      for await (const m of store.messages.labelled()) ids.push(m.id);
      return ids.sort();
    };
    expect(await labelled()).toEqual(['m-mid-1', 'm-old', 'm-recent']);

    const results = await pruneExpired(store.handle, { periods, now: NOW, batchSize: 2 });
    const rows = (table: string, action: string) => results.filter((r) => r.table === table && r.action === action).reduce((n, r) => n + r.rows, 0);
    // Text blanked of the four messages older than 90 days; the one older than 400 days deleted.
    expect(rows('messages', 'blank')).toBe(4);
    expect(rows('messages', 'delete')).toBe(1);
    expect(results.find((r) => r.table === 'messages' && r.action === 'blank')?.batches).toBe(3); // 2 + 2 + 0: bounded
    expect(rows('labels', 'delete')).toBe(1);
    expect(rows('dead_letters', 'delete')).toBe(2);
    expect(rows('series_points', 'delete')).toBe(oldSeries);
    expect(await seriesOlderThan(NOW - 400 * DAY)).toBe(0);
    expect(await seriesOlderThan(NOW + DAY)).toBe(allSeries - oldSeries);
    expect(rows('alert_events', 'delete')).toBe(1);
    expect(rows('alerts', 'delete')).toBe(1);
    expect(rows('sessions', 'delete')).toBe(1);

    const messages = await store.db.selectFrom('messages').selectAll().orderBy('id').execute();
    expect(messages.map((m) => m.id)).toEqual(['m-mid-1', 'm-mid-2', 'm-mid-3', 'm-recent']);
    for (const m of messages.filter((x) => x.id !== 'm-recent')) {
      expect({ text: m.text, author: m.author, link: m.link, meta: m.meta, redacted_at: Number(m.redacted_at) }).toEqual({ text: '', author: null, link: null, meta: null, redacted_at: NOW });
      expect(JSON.parse(m.classification)).toEqual(complaint);
      expect(m.complaint).toBe(1);
    }
    // The API says so; a relabel without its text is neither training data nor exported.
    expect((await store.messages.get('m-mid-1'))?.redactedAt).toBe(new Date(NOW).toISOString());
    expect((await store.messages.get('m-recent'))?.redactedAt).toBeUndefined();
    expect(await labelled()).toEqual(['m-recent']);
    const recent = messages.find((m) => m.id === 'm-recent');
    expect(recent?.text).toBe('cannot login (m-recent)');
    expect(recent?.author).toBe('author-of-m-recent');
    expect(recent?.redacted_at ?? null).toBeNull();

    expect((await store.db.selectFrom('labels').select('message_id').execute()).map((l) => l.message_id)).toEqual(['m-mid-1']);
    expect((await store.db.selectFrom('dead_letters').select('message_id').orderBy('message_id').execute()).map((d) => d.message_id)).toEqual(['d2', 'd3']);
    const complaintsT = (await store.series.read('complaints', 0, NOW)).map((p) => p.t);
    expect(complaintsT).toContain(NOW - 399 * DAY);
    expect(complaintsT.filter((t) => t < NOW - 400 * DAY)).toEqual([]);
    expect((await store.series.read('traffic', 0, NOW)).length).toBe(1);
    expect((await store.db.selectFrom('alerts').select('id').orderBy('id').execute()).map((a) => a.id)).toEqual(['a-new-resolved', 'a-old-firing']);
    expect((await store.db.selectFrom('alert_events').select('alert_id').execute()).map((e) => e.alert_id)).toEqual(['a-new-resolved']);
    expect((await store.db.selectFrom('sessions').select('id').orderBy('id').execute()).map((x) => x.id)).toEqual(['s-active', 's-expired-lately']);

    // A blanked message still dedupes: the same id delivered again is not stored or counted again.
    const before = await store.series.read('complaints', 0, NOW + DAY);
    expect(await store.ingest([{ message: message('m-mid-2', 200), classification: complaint }], NOW, 60_000)).toEqual([]);
    expect(await store.series.read('complaints', 0, NOW + DAY)).toEqual(before);

    // Idempotent: a second run at the same time finds nothing.
    const again = await pruneExpired(store.handle, { periods, now: NOW, batchSize: 2 });
    expect(again.reduce((n, r) => n + r.rows, 0)).toBe(0);

    // Time moves on: the 10-day-old message's text goes 81 days later, not before.
    expect((await pruneExpired(store.handle, { periods, now: NOW + 79 * DAY, batchSize: 2 })).find((r) => r.action === 'blank')?.rows).toBe(0);
    expect((await pruneExpired(store.handle, { periods, now: NOW + 81 * DAY, batchSize: 2 })).find((r) => r.action === 'blank')?.rows).toBe(1);
  });

  it('keeps a kind marked forever, and stops between batches when told to', async () => {
    const s = await service();
    if (!s) return;
    await seed(s);
    const { store } = s.ctx;
    const results = await pruneExpired(store.handle, { periods: { ...periods, deadLetters: null, messageText: null }, now: NOW, batchSize: 1000 });
    expect(results.find((r) => r.table === 'dead_letters')).toMatchObject({ cutoff: null, rows: 0 });
    expect(await store.deadLetters.count()).toBe(4);
    expect((await store.db.selectFrom('messages').select('text').where('text', '=', '').execute()).length).toBe(0);

    let calls = 0;
    const stopped = await pruneExpired(store.handle, { periods, now: NOW, batchSize: 1, between: async () => (calls += 1) < 2 });
    // Two batches of one message's text, then stop: the rest waits for the next run.
    expect(stopped.find((r) => r.action === 'blank')?.rows).toBe(2);
    expect(stopped.filter((r) => r.table !== 'messages' || r.action !== 'blank').every((r) => r.rows === 0)).toBe(true);
  });

  it('runs as a scheduled BullMQ job, one scheduler however often it is synced', async () => {
    const s = await service({ retention: { every: '300ms' } });
    if (!s) return;
    await seed(s);
    await syncRetentionScheduler(s.ctx);
    await syncRetentionScheduler(s.ctx);
    expect((await s.ctx.queues.get('retention').getJobSchedulers()).map((j) => j.key)).toEqual(['retention']);
    // Redis is a cache of schedules: a scheduler lost with Redis is re-created by the watchdog's restore.
    await s.ctx.queues.get('retention').removeJobScheduler('retention');
    expect(await restoreSchedulers(s.ctx.queues.get('retention'))).toEqual(['retention']);
    const worker = await startRetentionWorker(s.ctx);
    try {
      // The run counts what it pruned when it is done.
      const pruned = /radar_retention_pruned_total\{table="dead_letters",action="delete"\} 2/;
      await waitFor(async () => pruned.test(await s.ctx.metrics.registry.metrics()), 15_000, 'the scheduled retention job ran');
      expect(await s.ctx.store.deadLetters.count()).toBe(2);
      expect((await s.ctx.store.db.selectFrom('messages').select('id').execute()).length).toBe(4);
    } finally {
      await worker.close();
    }
  });

  it('every rule names a table and a time column that exist', async () => {
    const s = await service();
    if (!s) return;
    for (const rule of RETENTION_RULES) {
      // A query on the column fails when the table or the column is missing.
      await s.ctx.store.db.selectFrom(rule.table).select(rule.column).limit(1).execute();
    }
    expect((await runRetention(s.ctx)).every((r) => r.rows === 0)).toBe(true);
  });
});
