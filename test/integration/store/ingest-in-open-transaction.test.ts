/**
 * SQLite has one connection: an ingest that starts while a Kysely transaction is open on it (awaiting)
 * runs in a transaction of its own after that one, so the other's rollback does not take it along.
 */
import { afterEach, expect, it } from 'vitest';
import type { Message } from '../../../src/domain/message.js';
import { createTestService, type TestService } from '../../helpers/services.js';

const MIN = 60_000;
let service: TestService | null = null;

afterEach(async () => {
  await service?.cleanup();
  service = null;
});

it('an ingest meeting an open Kysely transaction on SQLite commits on its own, after it', async () => {
  service = await createTestService({ db: 'sqlite' });
  const { store } = service.ctx;
  const sqlite = store.handle.sqlite;
  if (!sqlite) throw new Error('expected SQLite');
  const t = Date.UTC(2026, 0, 5, 10);
  const items = ['cannot login since the update', 'thanks, all good'].map((text, i) => {
    const message: Message = { id: `api:open-trx-${i}`, channel: 'api', source: 'api', author: null, text, lang: 'en', createdAt: new Date(t + i).toISOString(), link: null };
    return { message, classification: service!.ctx.classifier.current.classify(text, 'en') };
  });
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held = store.db.transaction().execute(async (trx) => {
    await trx.selectFrom('kv').selectAll().execute();
    await gate;
    throw new Error('rolled back');
  });
  while (!sqlite.inTransaction) await new Promise((r) => setTimeout(r, 1));
  const ingest = store.ingest(items, t + MIN, MIN);
  release();
  await expect(held).rejects.toThrow('rolled back');
  const fresh = await ingest;
  expect(fresh.map((f) => f.message.id)).toEqual(['api:open-trx-0', 'api:open-trx-1']);
  expect(await store.messages.count()).toBe(2);
  const points = await store.db.selectFrom('series_points').selectAll().where('key', '=', 'messages').execute();
  expect(points.map((p) => Number(p.v))).toEqual([2]);
});
