/**
 * The `poll` worker: runs one poll of one source per job. Job schedulers (one per source or mailbox)
 * make each poll run once cluster-wide, and a per-source lock keeps two polls of one source from
 * overlapping. What a failure means is decided by its error type:
 * - rate limit → that source records the reset and makes no request before it (the handler checks the
 *   stored reset before each poll); other sources go on, nothing is lost (the cursor did not move);
 * - auth, or any error that says retrying cannot help (a bad query) → that source stops with the error in
 *   its status and the fingerprint of its config entry; it stays stopped (across restarts too) until its
 *   config entry changes or an operator retries (`POST /api/sources/:name/retry`); other sources go on;
 * - anything else (5xx, timeouts, resets) → BullMQ retries with backoff, resuming from the cursor.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { PollContext, PollHandler } from '../src/sources/poll.js';
import { pollLeaseMs, pollLockName, pollSchedulerId, SourceAuthError, SourceRateLimitError } from '../src/sources/poll.js';
import { JOB_NAMES, type JobPayloads } from '../src/queues/jobs.js';
import { withLock } from '../src/queues/lock.js';
import { syncSchedulers } from '../src/queues/schedulers.js';
import { describeError, isRadarError, RadarError } from '../src/platform/errors.js';
import type { ServiceContext } from './context.js';
import { duplicateRedis } from '../src/queues/connection.js';

export { pollSchedulerId };

/**
 * Upserts one scheduler per configured source/mailbox and removes the rest. First copies cursors and
 * status that an older version kept only in Redis into the database (once; see SourceState).
 */
export async function syncPollSchedulers(ctx: ServiceContext, handlers: readonly PollHandler[]): Promise<void> {
  const imported = await ctx.sources.importFromRedis();
  if (imported.length > 0) ctx.log.info({ module: 'poll', cursors: imported }, 'cursors kept in Redis by an older version copied to the database');
  const entries = handlers.flatMap((h) =>
    h.schedules.map((s) => ({
      id: pollSchedulerId(h.kind, s.source, s.mailbox),
      everyMs: s.everyMs,
      name: JOB_NAMES.poll,
      data: { source: s.source, kind: h.kind, ...(s.mailbox === undefined ? {} : { mailbox: s.mailbox }) } satisfies JobPayloads['poll'],
    })),
  );
  const log = ctx.log.child({ module: 'poll' });
  const seen = new Set<string>();
  for (const h of handlers) {
    for (const s of h.schedules) {
      if (seen.has(s.source)) continue; // one source, several mailboxes: one state
      seen.add(s.source);
      await ctx.sources.register(s.source, h.kind);
      // A stop under this very config entry stands (a restart must not log in again with a rejected
      // password); a changed entry un-stops the source.
      if (await ctx.sources.resumeIfConfigChanged(s.source, s.fingerprint)) {
        log.info({ source: s.source }, 'stopped source resumed: its config changed since it stopped');
      } else if ((await ctx.sources.get(s.source))?.state === 'stopped') {
        log.warn({ source: s.source }, 'source stays stopped: its config is unchanged since the rejection; change it or retry');
      }
    }
  }
  await syncSchedulers(ctx.queues.get('poll'), entries);
}

/**
 * One poll at a time per source/mailbox, cluster-wide: the poll runs under `withLock` with a lease of
 * at most one poll interval (30 s at most), renewed while it runs. A poller killed mid-poll blocks its
 * source until its lease runs out: at most one interval. A poll that loses its lease (Redis
 * unreachable for a lease, or another holder) is aborted and writes no cursor or status any more.
 */
export function startPollWorker(ctx: ServiceContext, handlers: readonly PollHandler[], options: { concurrency?: number } = {}): Worker {
  const byKind = new Map(handlers.map((h) => [h.kind, h]));
  const intervals = new Map(handlers.flatMap((h) => h.schedules.map((s) => [pollSchedulerId(h.kind, s.source, s.mailbox), s.everyMs] as const)));
  const fingerprints = new Map(handlers.flatMap((h) => h.schedules.map((s) => [s.source, s.fingerprint] as const)));
  const log = ctx.log.child({ module: 'poll', queue: 'poll' });
  const abort = new AbortController();
  const worker: Worker = new Worker<JobPayloads['poll']>(
    'poll',
    async (job: Job<JobPayloads['poll']>) => {
      const { source, kind, mailbox } = job.data;
      const handler = byKind.get(kind);
      if (!handler) throw new Error(`no poll handler for kind ${kind}`);
      const status = await ctx.sources.get(source);
      if (status?.state === 'stopped') {
        log.debug({ source }, 'source stopped, poll skipped');
        return;
      }
      const target = mailbox === undefined ? { source } : { source, mailbox };
      const everyMs = intervals.get(pollSchedulerId(kind, source, mailbox)) ?? 60_000;
      const lockKey = ctx.keys.lock(pollLockName({ kind, source, ...(mailbox === undefined ? {} : { mailbox }) }));
      const outcome = await withLock(ctx.redis, lockKey, { leaseMs: pollLeaseMs(everyMs) }, async (lease) => {
        // Again under the lock: a poll of this source that held it may have just stopped the source
        // (a rejected login is not tried a second time by the poll queued behind it).
        if ((await ctx.sources.get(source))?.state === 'stopped') {
          log.debug({ source }, 'source stopped, poll skipped');
          return;
        }
        const state = ctx.sources.fenced(lease);
        const pollLog = log.child({ source, jobId: job.id });
        const pollCtx: PollContext = {
          log: pollLog,
          state,
          enqueue: (messages) => ctx.queues.enqueueMessages(messages),
          storeSeries: async (name, points, cursors) => {
            if (lease.lost) throw new RadarError('ERR_LOCK_LOST', 'poll lease lost: points not written', { context: { source }, retryable: true });
            const foreign = [...cursors.keys()].find((c) => name !== source || !c.startsWith(`${source}|`));
            if (foreign !== undefined) throw new RadarError('ERR_SOURCE', `a poll of ${source} may not write the cursor ${foreign}`, { context: { source } });
            await ctx.store.storePulled(points, new Map([...cursors].map(([c, v]) => [c, JSON.stringify(v)])), ctx.clock.now());
          },
          deadLetter: async (letter) => {
            await ctx.store.deadLetters.add({ ...letter, queue: 'poll' }, ctx.clock.now());
            ctx.metrics.deadLetters.inc({ queue: 'poll' });
          },
          now: () => ctx.clock.now(),
          signal: AbortSignal.any([abort.signal, lease.signal]),
        };
        const leaseLost = () => pollLog.warn({ mailbox }, 'poll lock lease lost: poll stopped, cursor left where it was');
        await state.recordPoll(source, ctx.clock.now());
        try {
          await handler.poll(target, pollCtx);
          if (lease.lost) leaseLost();
        } catch (error) {
          if (lease.lost || isRadarError(error, 'ERR_LOCK_LOST')) {
            leaseLost();
            return;
          }
          const now = ctx.clock.now();
          if (error instanceof SourceRateLimitError) {
            await state.recordError(source, { now, message: error.message, rateLimit: error.rateLimit });
            pollLog.warn({ resetAt: new Date(error.resetAt).toISOString() }, 'rate limited; the source waits for the reset');
            return;
          }
          if (error instanceof SourceAuthError || (isRadarError(error) && !error.retryable)) {
            const message = error instanceof SourceAuthError ? error.message : describeError(error);
            await state.recordError(source, { now, message, stopped: true, fingerprint: fingerprints.get(source) ?? null });
            pollLog.error({ err: error }, 'source stopped: change its config or retry it');
            throw new UnrecoverableError(describeError(error));
          }
          await state.recordError(source, { now, message: describeError(error) });
          throw error;
        }
      });
      if (!outcome.acquired) log.debug({ source, mailbox }, 'previous poll still running (or its lock not yet expired); skipped');
    },
    { connection: duplicateRedis(ctx.redis), prefix: ctx.keys.bullPrefixFor('poll'), concurrency: options.concurrency ?? 4, autorun: true },
  );
  worker.on('failed', (job, error) => {
    ctx.metrics.jobFailures.inc({ queue: 'poll', final: 'false' });
    log.warn({ source: job?.data.source, err: error }, 'poll failed');
  });
  worker.on('error', (error) => log.error({ err: error }, 'poll worker error'));
  const close = worker.close.bind(worker);
  worker.close = async (force?: boolean) => {
    abort.abort();
    await close(force);
  };
  return worker;
}
