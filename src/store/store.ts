import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle, type OpenDatabaseOptions } from './database.js';
import { AlertStore } from './alert-store.js';
import { DeadLetterStore } from './dead-letter-store.js';
import { KvStore } from './kv-store.js';
import { MessageStore, type ClassifiedMessage } from './message-store.js';
import { countIncrements } from '../series/counts.js';
import { SeriesStore } from './series-store.js';
import { SourceStore } from './source-store.js';
import { SessionStore } from './session-store.js';

/** The one entry to the database: every query lives behind these repositories. */
export class Store {
  readonly messages: MessageStore;
  readonly series: SeriesStore;
  readonly deadLetters: DeadLetterStore;
  readonly kv: KvStore;
  /** Cursors and status of every source (their durable home; Redis may restart empty). */
  readonly sources: SourceStore;
  readonly alerts: AlertStore;
  readonly sessions: SessionStore;

  constructor(readonly handle: DatabaseHandle) {
    this.messages = new MessageStore(handle.db, handle.kind, handle.sqlite);
    this.series = new SeriesStore(handle.db, handle.sqlite);
    this.deadLetters = new DeadLetterStore(handle.db);
    this.kv = new KvStore(handle.db);
    this.sources = new SourceStore(handle.db);
    this.alerts = new AlertStore(handle.db);
    this.sessions = new SessionStore(handle.db);
  }

  get db() {
    return this.handle.db;
  }

  static async open(options: OpenDatabaseOptions): Promise<Store> {
    return new Store(await openDatabase(options));
  }

  /**
   * Stores classified messages and counts the new ones, in one transaction: a message is stored and
   * counted exactly once however often it is delivered. Returns the messages that were new.
   * SQLite runs it as one synchronous transaction (nothing can interleave); PostgreSQL through Kysely.
   */
  async ingest(items: readonly ClassifiedMessage[], now: number, step: number): Promise<ClassifiedMessage[]> {
    const increments = (fresh: readonly ClassifiedMessage[]) =>
      countIncrements(fresh, step).sort((a, b) => (a.key === b.key ? a.t - b.t : a.key < b.key ? -1 : 1));
    const sqlite = this.handle.sqlite;
    // A Kysely transaction still open on the one SQLite connection (awaiting) must not absorb ours.
    if (sqlite && !sqlite.inTransaction) {
      return sqlite.transaction(() => {
        const inserted = this.messages.insertNewSync(items, now);
        const fresh = items.filter((i) => inserted.has(i.message.id));
        this.series.addSync(increments(fresh));
        return fresh;
      })();
    }
    return this.handle.db.transaction().execute(async (trx) => {
      const inserted = await this.messages.insertNew(items, now, trx);
      const fresh = items.filter((i) => inserted.has(i.message.id));
      await this.series.add(increments(fresh), trx);
      return fresh;
    });
  }

  async ping(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.handle.db);
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
