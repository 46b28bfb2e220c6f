/**
 * The `poll` worker: runs one poll of one source per job. Job schedulers (one per source or mailbox)
 * make each poll run once cluster-wide, and a per-source lock keeps two polls of one source from
 * overlapping. What a failure means is decided by its error type:
 * - rate limit → that source records the reset and makes no request before it (the handler checks the
 *   stored reset before each poll); other sources go on, nothing is lost (the cursor did not move);
 * - auth, or any error that says retrying cannot help (a bad query) → that source stops with the error in
 *   its status until the service restarts with a fixed config; other sources go on;
 * - anything else (5xx, timeouts, resets) → BullMQ retries with backoff, resuming from the cursor.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { PollContext, PollHandler } from '../src/sources/poll.js';
import { SourceAuthError, SourceRateLimitError } from '../src/sources/poll.js';
import { JOB_NAMES, type JobPayloads } from '../src/queues/jobs.js';
import { syncSchedulers } from '../src/queues/schedulers.js';
import { describeError, isRadarError } from '../src/platform/errors.js';
import type { ServiceContext } from './context.js';

export function pollSchedulerId(kind: string, source: string, mailbox?: string): string {
  return mailbox === undefined ? `${kind}|${source}` : `${kind}|${source}|${mailbox}`;
}

/** Upserts one scheduler per configured source/mailbox; removes the rest. */
export async function syncPollSchedulers(ctx: ServiceContext, handlers: readonly PollHandler[]): Promise<void> {
  const entries = handlers.flatMap((h) =>
    h.schedules.map((s) => ({
      id: pollSchedulerId(h.kind, s.source, s.mailbox),
      everyMs: s.everyMs,
      name: JOB_NAMES.poll,
      data: { source: s.source, kind: h.kind, ...(s.mailbox === undefined ? {} : { mailbox: s.mailbox }) } satisfies JobPayloads['poll'],
    })),
  );
  for (const h of handlers) {
    for (const s of h.schedules) {
      await ctx.sources.register(s.source, h.kind);
      await ctx.sources.reset(s.source); // a restart after fixing the config un-stops a source
    }
  }
  await syncSchedulers(ctx.queues.get('poll'), entries);
}

export function startPollWorker(ctx: ServiceContext, handlers: readonly PollHandler[], options: { concurrency?: number } = {}): Worker {
  const byKind = new Map(handlers.map((h) => [h.kind, h]));
  const log = ctx.log.child({ module: 'poll', queue: 'poll' });
  const abort = new AbortController();
  const worker: Worker = new Worker<JobPayloads['poll']>(
    'poll',
    async (job: Job<JobPayloads['poll']>) => {
      const handler = byKind.get(job.data.kind);
      if (!handler) throw new Error(`no poll handler for kind ${job.data.kind}`);
      const status = await ctx.sources.get(job.data.source);
      if (status?.state === 'stopped') {
        log.debug({ source: job.data.source }, 'source stopped, poll skipped');
        return;
      }
      const pollCtx: PollContext = {
        log: log.child({ source: job.data.source, jobId: job.id }),
        state: ctx.sources,
        enqueue: (messages) => ctx.queues.enqueueMessages(messages),
        deadLetter: async (letter) => {
          await ctx.store.deadLetters.add({ ...letter, queue: 'poll' }, ctx.clock.now());
          ctx.metrics.deadLetters.inc({ queue: 'poll' });
        },
        now: () => ctx.clock.now(),
        signal: abort.signal,
      };
      const lockKey = ctx.keys.lock(`poll:${pollSchedulerId(job.data.kind, job.data.source, job.data.mailbox)}`);
      const token = `${process.pid}:${job.id}`;
      if ((await ctx.redis.set(lockKey, token, 'PX', 10 * 60_000, 'NX')) !== 'OK') {
        log.debug({ source: job.data.source }, 'previous poll still running; skipped');
        return;
      }
      await ctx.sources.recordPoll(job.data.source, ctx.clock.now());
      try {
        await handler.poll(job.data.mailbox === undefined ? { source: job.data.source } : { source: job.data.source, mailbox: job.data.mailbox }, pollCtx);
      } catch (error) {
        const now = ctx.clock.now();
        if (error instanceof SourceRateLimitError) {
          await ctx.sources.recordError(job.data.source, { now, message: error.message, rateLimit: error.rateLimit });
          log.warn({ source: job.data.source, resetAt: new Date(error.resetAt).toISOString() }, 'rate limited; the source waits for the reset');
          return;
        }
        if (error instanceof SourceAuthError || (isRadarError(error) && !error.retryable)) {
          const message = error instanceof SourceAuthError ? error.message : describeError(error);
          await ctx.sources.recordError(job.data.source, { now, message, stopped: true });
          log.error({ source: job.data.source, err: describeError(error) }, 'source stopped: fix its config and restart');
          throw new UnrecoverableError(describeError(error));
        }
        await ctx.sources.recordError(job.data.source, { now, message: describeError(error) });
        throw error;
      } finally {
        if ((await ctx.redis.get(lockKey)) === token) await ctx.redis.del(lockKey);
      }
    },
    { connection: ctx.redis.duplicate(), prefix: ctx.keys.bullPrefix, concurrency: options.concurrency ?? 4, autorun: true },
  );
  worker.on('failed', (job, error) => {
    ctx.metrics.jobFailures.inc({ queue: 'poll', final: 'false' });
    log.warn({ source: job?.data.source, err: error.message }, 'poll failed');
  });
  worker.on('error', (error) => log.error({ err: error.message }, 'poll worker error'));
  const close = worker.close.bind(worker);
  worker.close = async (force?: boolean) => {
    abort.abort();
    await close(force);
  };
  return worker;
}
