/**
 * The scheduled retention job: prunes data past its configured period (`retention` in the service
 * config; which tables and columns in `src/store/retention.ts`). A BullMQ job scheduler runs it once
 * cluster-wide every `retention.every`; the worker runs one prune at a time, in bounded batches, and
 * stops between batches when the process shuts down (the next run continues: pruning is idempotent).
 */
import { Worker } from 'bullmq';
import { JOB_NAMES } from '../src/queues/jobs.js';
import { syncSchedulers } from '../src/queues/schedulers.js';
import { pruneExpired, type PruneResult } from '../src/store/retention.js';
import type { ServiceContext } from './context.js';
import { duplicateRedis } from '../src/queues/connection.js';

export const RETENTION_SCHEDULER_ID = 'retention';

/** Creates (or removes, when retention is disabled) the retention job scheduler. Idempotent. */
export async function syncRetentionScheduler(ctx: ServiceContext): Promise<void> {
  const { enabled, every } = ctx.config.retention;
  await syncSchedulers(
    ctx.queues.get('retention'),
    enabled ? [{ id: RETENTION_SCHEDULER_ID, everyMs: every, name: JOB_NAMES.retention, data: { prune: true as const } }] : [],
  );
}

/** One prune at the context clock's `now`; logs and counts what it removed. */
export async function runRetention(ctx: ServiceContext, options: { stopped?: () => boolean } = {}): Promise<PruneResult[]> {
  const { keep, batchSize } = ctx.config.retention;
  const results = await pruneExpired(ctx.store.handle, {
    periods: keep,
    now: ctx.clock.now(),
    batchSize,
    // Let other queries in between batches; stop when the process is shutting down.
    between: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return !(options.stopped?.() ?? false);
    },
  });
  for (const r of results) {
    if (r.rows > 0) ctx.metrics.retentionPruned.inc({ table: r.table, action: r.action }, r.rows);
  }
  const pruned = results.filter((r) => r.rows > 0).map((r) => ({ table: r.table, action: r.action, rows: r.rows, before: new Date(r.cutoff ?? 0).toISOString() }));
  ctx.log.info({ module: 'retention', pruned }, 'retention run finished');
  return results;
}

export interface RetentionWorker {
  close(): Promise<void>;
}

/** Schedules the retention job and processes it in this process. */
export async function startRetentionWorker(ctx: ServiceContext): Promise<RetentionWorker> {
  const log = ctx.log.child({ module: 'retention' });
  await syncRetentionScheduler(ctx);
  let closing = false;
  const worker = new Worker(
    'retention',
    async () => {
      await runRetention(ctx, { stopped: () => closing });
    },
    { connection: duplicateRedis(ctx.redis), prefix: ctx.keys.bullPrefixFor('retention'), concurrency: 1 },
  );
  worker.on('failed', (job, error) => {
    ctx.metrics.jobFailures.inc({ queue: 'retention', final: String((job?.attemptsMade ?? 0) >= (job?.opts.attempts ?? 1)) });
    log.error({ err: error }, 'retention run failed; the next run continues');
  });
  worker.on('error', (error) => log.error({ err: error }, 'retention worker error'));
  return {
    async close() {
      closing = true;
      await worker.close();
    },
  };
}

