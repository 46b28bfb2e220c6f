/**
 * Two connections writing one SQLite file (two processes, e.g. two detect workers): a transaction that
 * reads and then writes while the other connection commits a write must wait for it, not fail with
 * "database is locked". The other connection is a worker thread (a connection of its own, as another
 * process's would be), so this thread's event loop stays free while it waits for the lock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../../src/store/database.js';

/** The other writer: opens the file, and on 'write' inserts a row and answers 'written'. */
const OTHER_WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
parentPort.on('message', (m) => {
  if (m === 'write') {
    db.prepare("insert into probe (who) values ('other')").run();
    parentPort.postMessage('written');
  } else if (m === 'close') {
    db.close();
    parentPort.postMessage('closed');
  }
});
parentPort.postMessage('ready');
`;

describe('SQLite: a read-then-write transaction while another connection writes', () => {
  let dir: string | undefined;
  let handle: DatabaseHandle | undefined;
  let other: Worker | undefined;
  afterEach(async () => {
    await other?.terminate();
    await handle?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('waits for the other writer instead of failing with "database is locked"; both rows are kept', async () => {
    dir = mkdtempSync(join(tmpdir(), 'radar-two-writers-'));
    const file = join(dir, 'radar.db');
    handle = await openDatabase({ url: `sqlite:${file}` });
    await sql`create table probe (id integer primary key, who text not null)`.execute(handle.db);
    other = new Worker(OTHER_WRITER, { eval: true, workerData: { file, module: createRequire(import.meta.url).resolve('better-sqlite3') } });
    const next = (w: Worker) => new Promise<string>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    expect(await next(other)).toBe('ready');
    const worker = other;

    let otherDone: Promise<string> | undefined;
    await handle.db.transaction().execute(async (trx) => {
      // A read first: with a deferred BEGIN this fixes the transaction's snapshot.
      const before = await sql<{ n: number }>`select count(*) as n from probe`.execute(trx);
      expect(Number(before.rows[0]?.n)).toBe(0);
      // The other connection writes now: either it commits at once (and a deferred transaction can no
      // longer write: SQLITE_BUSY_SNAPSHOT) or it waits for this one's lock.
      otherDone = next(worker);
      worker.postMessage('write');
      await Promise.race([otherDone, new Promise((resolve) => setTimeout(resolve, 300))]);
      await sql`insert into probe (who) values ('this')`.execute(trx);
    });
    expect(await otherDone).toBe('written');
    const rows = await sql<{ who: string }>`select who from probe order by id`.execute(handle.db);
    expect(rows.rows.map((r) => r.who)).toEqual(['this', 'other']);
    worker.postMessage('close');
    expect(await next(worker)).toBe('closed');
  });
});
