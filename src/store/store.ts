import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle, type OpenDatabaseOptions } from './database.js';
import { AlertStore } from './alert-store.js';
import { DeadLetterStore } from './dead-letter-store.js';
import { KvStore } from './kv-store.js';
import { MessageStore } from './message-store.js';
import { SeriesStore } from './series-store.js';

/** The one entry to the database: every query lives behind these repositories. */
export class Store {
  readonly messages: MessageStore;
  readonly series: SeriesStore;
  readonly deadLetters: DeadLetterStore;
  readonly kv: KvStore;
  readonly alerts: AlertStore;

  constructor(readonly handle: DatabaseHandle) {
    this.messages = new MessageStore(handle.db, handle.kind, handle.sqlite);
    this.series = new SeriesStore(handle.db, handle.sqlite);
    this.deadLetters = new DeadLetterStore(handle.db);
    this.kv = new KvStore(handle.db);
    this.alerts = new AlertStore(handle.db);
  }

  get db() {
    return this.handle.db;
  }

  static async open(options: OpenDatabaseOptions): Promise<Store> {
    return new Store(await openDatabase(options));
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
