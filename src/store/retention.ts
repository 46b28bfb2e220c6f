/**
 * What the retention job prunes: every table with data that ages out, the time column that dates a row,
 * and the configured period (`retention.keep.<name>` in the service config) it is kept for.
 *
 * A table joins retention with one line in `RETENTION_RULES`. Rows are pruned in bounded batches
 * (`batchSize` rows per statement, each statement its own short transaction, oldest first through an
 * index on the time column), so a prune never holds the database for long, and a run that stops half-way
 * is simply continued by the next one (pruning is idempotent: it only ever removes what is past its
 * cutoff at `now`).
 *
 * Messages are not deleted when their text expires: their text, author, link and metadata are blanked
 * and `redacted_at` is stamped. The row keeps its id, so a source that delivers the same message again
 * (an IMAP mailbox re-read, an X look-back) is still recognised and not counted twice, and its
 * classification stays for the summaries. The row itself goes after the longer `messages` period.
 */
import { sql, type RawBuilder } from 'kysely';
import type { RetentionPeriodName, RetentionPeriods } from '../config/retention.js';
import type { DatabaseHandle } from './database.js';
import type { Database } from './schema.js';

type Table = keyof Database & string;
/** Columns of a table that hold an epoch-ms time (checked at compile time). */
type TimeColumn<T extends Table> = { [C in keyof Database[T] & string]: NonNullable<Database[T][C]> extends number ? C : never }[keyof Database[T] & string];
type Column<T extends Table> = keyof Database[T] & string;

interface RuleOf<T extends Table> {
  readonly table: T;
  /** Epoch-ms column; a row whose value is older than `now - period` is pruned (NULL never is). */
  readonly column: TimeColumn<T>;
  /** Which configured period applies. */
  readonly keep: RetentionPeriodName;
  /** Prune only rows whose `column` holds one of `values` (e.g. resolved alerts only). */
  readonly only?: { readonly column: Column<T>; readonly values: readonly string[] };
  /**
   * Instead of deleting the row, set these columns and stamp `mark` with the time; rows whose `mark`
   * is set are done. (The time column must have an index that is partial on `mark IS NULL`.)
   */
  readonly blank?: { readonly set: Partial<Record<Column<T>, string | null>>; readonly mark: TimeColumn<T> };
}

export type RetentionRule = { [T in Table]: RuleOf<T> }[Table];

/** Every prunable table, one line each. Order matters only within a table (blank text before deleting rows). */
export const RETENTION_RULES: readonly RetentionRule[] = [
  { table: 'messages', column: 'created_at', keep: 'messageText', blank: { set: { text: '', author: null, link: null, meta: null }, mark: 'redacted_at' } },
  { table: 'messages', column: 'created_at', keep: 'messages' },
  { table: 'labels', column: 'labelled_at', keep: 'messages' },
  { table: 'dead_letters', column: 'failed_at', keep: 'deadLetters' },
  { table: 'series_points', column: 't', keep: 'series' },
  { table: 'alert_events', column: 'at', keep: 'alerts' },
  { table: 'incident_notes', column: 'at', keep: 'alerts' },
  { table: 'alerts', column: 'updated_at', keep: 'alerts', only: { column: 'state', values: ['resolved'] } },
  { table: 'sessions', column: 'expires_at', keep: 'sessions' },
  { table: 'detector_points', column: 't', keep: 'detectorPoints' },
  // Relayed notification intents go with the alert history; unsent ones (sent_at NULL) are never pruned.
  { table: 'outbox', column: 'sent_at', keep: 'alerts' },
];

export interface PruneResult {
  readonly table: string;
  readonly keep: RetentionPeriodName;
  readonly action: 'delete' | 'blank';
  /** Rows older than this (epoch ms) were pruned; null when the period is `forever`. */
  readonly cutoff: number | null;
  readonly rows: number;
  readonly batches: number;
}

export interface PruneOptions {
  readonly periods: RetentionPeriods;
  /** The time the periods count back from (the caller's clock: tests pin it). */
  readonly now: number;
  /** Rows per statement. */
  readonly batchSize: number;
  readonly rules?: readonly RetentionRule[];
  /** Called between batches (the worker yields to other work and can stop a run on shutdown). */
  readonly between?: () => Promise<boolean | void>;
}

/** One bounded prune statement: deletes (or blanks) at most `limit` of the oldest rows past `cutoff`. */
function batchStatement(kind: DatabaseHandle['kind'], rule: RetentionRule, cutoff: number, limit: number, now: number): RawBuilder<unknown> {
  const table = sql.table(rule.table);
  const column = sql.ref(rule.column);
  const conditions: RawBuilder<unknown>[] = [sql`${column} < ${cutoff}`];
  if (rule.only) conditions.push(sql`${sql.ref(rule.only.column)} in (${sql.join(rule.only.values.map((v) => sql.val(v)))})`);
  if (rule.blank) conditions.push(sql`${sql.ref(rule.blank.mark)} is null`);
  // SQLite: rowid; PostgreSQL: ctid (the row's physical address): one shape for every table, whatever its key.
  const rowId = kind === 'sqlite' ? sql.raw('rowid') : sql.raw('ctid');
  const oldest = sql`select ${rowId} from ${table} where ${sql.join(conditions, sql` and `)} order by ${column} limit ${limit}`;
  const target = kind === 'sqlite' ? sql`${rowId} in (${oldest})` : sql`${rowId} = any(array(${oldest}))`;
  // The cutoff is checked again on the row itself (a PostgreSQL ctid can be reused after a vacuum).
  const guard = sql`${target} and ${sql.join(conditions, sql` and `)}`;
  if (!rule.blank) return sql`delete from ${table} where ${guard}`;
  const sets = Object.entries(rule.blank.set).map(([c, v]) => sql`${sql.ref(c)} = ${v === null ? sql.raw('null') : sql.val(v)}`);
  sets.push(sql`${sql.ref(rule.blank.mark)} = ${now}`);
  return sql`update ${table} set ${sql.join(sets)} where ${guard}`;
}

/**
 * Prunes every rule's table to its configured period, in batches; returns what each rule removed.
 * Stops early (between batches) when `between` returns false.
 */
export async function pruneExpired(handle: DatabaseHandle, options: PruneOptions): Promise<PruneResult[]> {
  const results: PruneResult[] = [];
  let stopped = false;
  for (const rule of options.rules ?? RETENTION_RULES) {
    const period = options.periods[rule.keep];
    const action = rule.blank ? 'blank' : 'delete';
    if (period === null || stopped) {
      results.push({ table: rule.table, keep: rule.keep, action, cutoff: null, rows: 0, batches: 0 });
      continue;
    }
    const cutoff = options.now - period;
    let rows = 0;
    let batches = 0;
    for (;;) {
      const result = await batchStatement(handle.kind, rule, cutoff, options.batchSize, options.now).execute(handle.db);
      const n = Number(result.numAffectedRows ?? 0n);
      rows += n;
      batches += 1;
      if (n < options.batchSize) break;
      if ((await options.between?.()) === false) {
        stopped = true;
        break;
      }
    }
    results.push({ table: rule.table, keep: rule.keep, action, cutoff, rows, batches });
  }
  return results;
}
