/**
 * The outbox relay: enqueues the notification intents a tick committed (store/outbox-store.ts) to the
 * `notify` queue and marks them sent. Job ids are deterministic (`<intent key>.<notifier>`), so an intent
 * enqueued again after a crash between "enqueued" and "marked sent" is still one job (BullMQ keeps
 * completed notify jobs for an hour). Runs after every committed tick, on any process.
 */
import { failpoint } from '../src/platform/failpoint.js';
import { JOB_NAMES, type JobPayloads } from '../src/queues/jobs.js';
import type { ServiceContext } from './context.js';

export const NOTIFY_ATTEMPTS = 10;
const BATCH = 200;

/** BullMQ job id of an outbox entry (`:` is BullMQ's separator). */
export const notifyJobId = (outboxKey: string): string => outboxKey.replaceAll(':', '_');

/** Relays every unsent intent; returns how many it enqueued. */
export async function relayOutbox(ctx: ServiceContext): Promise<number> {
  let relayed = 0;
  for (;;) {
    const batch = await ctx.store.outbox.unsent(BATCH);
    if (batch.length > 0) {
      // One round trip per batch; a job id already present (enqueued before a crash) is left as it is.
      await ctx.queues.get('notify').addBulk(
        batch.map((entry) => ({
          name: JOB_NAMES.notify,
          data: entry.payload as JobPayloads['notify'],
          opts: { jobId: notifyJobId(entry.key), attempts: NOTIFY_ATTEMPTS, backoff: { type: 'notify' } },
        })),
      );
      failpoint('relay.after-enqueue');
    }
    await ctx.store.outbox.markSent(batch.map((e) => e.id), ctx.clock.now());
    failpoint('relay.after-mark');
    relayed += batch.length;
    if (batch.length < BATCH) break;
  }
  ctx.metrics.outboxBacklog.set(await ctx.store.outbox.backlog());
  return relayed;
}
