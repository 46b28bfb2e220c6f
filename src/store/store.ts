import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { openDatabase, type DatabaseHandle, type OpenDatabaseOptions } from './database.js';
import { AlertStore } from './alert-store.js';
import { DeadLetterStore } from './dead-letter-store.js';
import { KvStore } from './kv-store.js';
import { MessageStore } from './message-store.js';
import { revisionCandidates, type ClassifiedMessage } from './message-row.js';
import type { Point } from '../domain/point.js';
import { bucketStart, countIncrements, type SeriesIncrement } from '../series/counts.js';
import { SeriesStore } from './series-store.js';
import { SourceStore } from './source-store.js';
import { DetectorPointStore } from './detector-point-store.js';
import { JUDGING_KEY, LateStore } from './late-store.js';
import { ingestPostgres } from './ingest-postgres.js';
import { OutboxStore } from './outbox-store.js';
import { SessionStore } from './session-store.js';
import { ModelVersionStore } from './model-version-store.js';
import { IncidentNoteStore } from './incident-note-store.js';
import { DetectInboxStore } from './detect-inbox-store.js';

/** The one entry to the database: every query lives behind these repositories. */
export class Store {
  readonly messages: MessageStore;
  readonly series: SeriesStore;
  readonly deadLetters: DeadLetterStore;
  readonly kv: KvStore;
  /** Cursors and status of every source (their durable home; Redis may restart empty). */
  readonly sources: SourceStore;
  readonly alerts: AlertStore;
  readonly detectorPoints: DetectorPointStore;
  readonly late: LateStore;
  readonly outbox: OutboxStore;
  readonly sessions: SessionStore;
  /** Classifier model versions and the active one (the one place every process loads the model from). */
  readonly modelVersions: ModelVersionStore;
  /** The incident page's notes thread. */
  readonly incidentNotes: IncidentNoteStore;
  /** What series-group jobs judged, until the alerting step takes it (workers/detect-groups.ts). */
  readonly inbox: DetectInboxStore;

  constructor(readonly handle: DatabaseHandle) {
    this.messages = new MessageStore(handle.db, handle.kind, handle.sqlite);
    this.series = new SeriesStore(handle.db, handle.sqlite);
    this.deadLetters = new DeadLetterStore(handle.db);
    this.kv = new KvStore(handle.db);
    this.sources = new SourceStore(handle.db);
    this.alerts = new AlertStore(handle.db);
    this.detectorPoints = new DetectorPointStore(handle.db);
    this.late = new LateStore(handle.db, handle.kind, handle.sqlite);
    this.outbox = new OutboxStore(handle.db);
    this.sessions = new SessionStore(handle.db);
    this.modelVersions = new ModelVersionStore(handle.db);
    this.incidentNotes = new IncidentNoteStore(handle.db);
    this.inbox = new DetectInboxStore(handle.db);
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
   * SQLite runs it as one synchronous transaction (nothing can interleave); PostgreSQL as one statement.
   * Counts that land in a bucket the detector has already judged (before its horizon) are late: the
   * same transaction records the earliest late bucket per series, and `onLate` learns how many new
   * messages per source were late.
   */
  async ingest(
    items: readonly ClassifiedMessage[],
    now: number,
    step: number,
    onLate?: (perSource: ReadonlyMap<string, number>) => void,
  ): Promise<ClassifiedMessage[]> {
    const lateOf = (fresh: readonly ClassifiedMessage[], incs: readonly SeriesIncrement[], horizon: number | null) => {
      const marks = new Map<string, number>();
      const perSource = new Map<string, number>();
      if (horizon === null) return { marks, perSource };
      for (const inc of incs) if (inc.t < horizon && inc.t < (marks.get(inc.key) ?? Infinity)) marks.set(inc.key, inc.t);
      for (const f of fresh) {
        if (bucketStart(Date.parse(f.message.createdAt), step) < horizon) perSource.set(f.message.source, (perSource.get(f.message.source) ?? 0) + 1);
      }
      return { marks, perSource };
    };
    const report = (perSource: ReadonlyMap<string, number>) => {
      if (perSource.size > 0) onLate?.(perSource);
    };
    const sqlite = this.handle.sqlite;
    if (sqlite) {
      // SQLite: synchronous statements on its one connection, so nothing can interleave.
      const run = () => {
        const inserted = this.messages.insertNewSync(items, now);
        const fresh = items.filter((i) => inserted.has(i.message.id));
        this.messages.reviseExistingSync(revisionCandidates(items, inserted));
        const incs = countIncrements(fresh, step);
        this.series.addSync(incs);
        const late = lateOf(fresh, incs, this.late.horizonNow());
        this.late.markNow(late.marks);
        return { fresh, perSource: late.perSource };
      };
      // A Kysely transaction still open on that connection (awaiting) must not absorb ours: ours is then a
      // Kysely transaction of its own, after it. Immediate, as every SQLite transaction here (database.ts,
      // ImmediateSqliteDialect).
      const done = sqlite.inTransaction ? await this.handle.db.transaction().execute(async () => run()) : sqlite.transaction(run).immediate();
      report(done.perSource);
      return done.fresh;
    }
    // PostgreSQL: one statement (ingest-postgres.ts) stores, counts and marks late buckets atomically,
    // reading the horizon FOR SHARE as the SQLite path reads it: a tick raising it waits for this commit.
    const { inserted, horizon } = await ingestPostgres(this.handle.db, items, now, {
      searchAndCounts: this.messages.searchAndCounts,
      series: { step, horizonKey: JUDGING_KEY },
    });
    const fresh = items.filter((i) => inserted.has(i.message.id));
    // A revision changes no count: its own transaction, after (a crash between leaves the job to be
    // delivered again, and the revision is applied then).
    const revised = revisionCandidates(items, inserted);
    if (revised.length > 0) await this.handle.db.transaction().execute((trx) => this.messages.reviseExisting(revised, trx));
    report(lateOf(fresh, [], horizon).perSource);
    return fresh;
  }

  /**
   * Stores pushed points of a series (`set` replaces a bucket, `add` adds to it) and, in the same
   * transaction, marks the earliest bucket the detector had already judged as late, so it is judged again.
   */
  async pushSeries(key: string, points: readonly Point[], mode: 'set' | 'add'): Promise<void> {
    if (points.length === 0) return;
    await this.handle.db.transaction().execute(async (trx) => {
      if (mode === 'add') await this.series.add(points.map((p) => ({ key, t: p.t, v: p.v })), trx);
      else await this.series.set(key, points, trx);
      const horizon = await this.late.horizon(trx);
      const earliest = Math.min(...points.map((p) => p.t));
      if (horizon !== null && earliest < horizon) await this.late.mark(new Map([[key, earliest]]), trx);
    });
  }

  /**
   * Runs read-only queries with a time limit: on PostgreSQL in a READ ONLY transaction (one consistent
   * snapshot; a write inside fails) with `statement_timeout`; SQLite's reads are synchronous and cannot be
   * interrupted, so there the queries themselves must be bounded (index lookups, LIMIT).
   */
  async readOnly<T>(timeoutMs: number, read: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.handle.kind !== 'postgres') return read(this.handle.db);
    return this.handle.db
      .transaction()
      .setAccessMode('read only')
      .execute(async (trx) => {
        await sql`set local statement_timeout = ${sql.lit(Math.max(1, Math.trunc(timeoutMs)))}`.execute(trx);
        return read(trx);
      });
  }

  /**
   * Stores points pulled from a metric source (each replaces its bucket: a re-fetch overwrites, never
   * adds) and the source's cursors (name → JSON text), in one transaction: a cursor never runs ahead of its points. The
   * earliest bucket per series that the detector had already judged is marked late, as for a push.
   */
  async storePulled(series: ReadonlyMap<string, readonly Point[]>, cursors: ReadonlyMap<string, string>, now: number): Promise<void> {
    await this.handle.db.transaction().execute(async (trx) => {
      const marks = new Map<string, number>();
      const horizon = await this.late.horizon(trx);
      for (const [key, points] of series) {
        if (points.length === 0) continue;
        await this.series.set(key, points, trx);
        let earliest = Infinity;
        for (const p of points) if (p.t < earliest) earliest = p.t;
        if (horizon !== null && earliest < horizon) marks.set(key, earliest);
      }
      if (marks.size > 0) await this.late.mark(marks, trx);
      for (const [name, cursor] of cursors) await this.sources.setCursor(name, cursor, now, trx);
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
