import { Queue, type JobsOptions } from 'bullmq';
import type { Message } from '../domain/message.js';
import { JOB_NAMES, QUEUE_NAMES, type JobPayloads, type QueueName } from './jobs.js';
import type { RedisClient } from './connection.js';
import { jobIdFor, type RedisKeys } from './keys.js';

export interface QueueOptions {
  readonly attempts: number;
  readonly backoffMs: number;
}

/**
 * All BullMQ queues of the service and the one way to enqueue. Job id = message id, so the same
 * message enqueued twice (a poller re-reading after a crash) is one job.
 */
export class Queues {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    readonly connection: RedisClient,
    readonly keys: RedisKeys,
    private readonly options: QueueOptions = { attempts: 3, backoffMs: 1000 },
  ) {
    for (const name of QUEUE_NAMES) {
      this.queues.set(
        name,
        new Queue(name, {
          connection,
          prefix: keys.bullPrefixFor(name),
          defaultJobOptions: {
            attempts: options.attempts,
            backoff: { type: 'exponential', delay: options.backoffMs },
            removeOnComplete: { age: 3600, count: 10_000 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        }),
      );
    }
  }

  get(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`unknown queue ${name}`);
    return queue;
  }

  get attempts(): number {
    return this.options.attempts;
  }

  /** Enqueues messages for ingest (bulk, idempotent by id). */
  async enqueueMessages(messages: readonly Message[]): Promise<void> {
    const queue = this.get('ingest');
    for (let i = 0; i < messages.length; i += 1000) {
      await queue.addBulk(
        messages.slice(i, i + 1000).map((message) => ({
          name: JOB_NAMES.ingest,
          data: { message } satisfies JobPayloads['ingest'],
          // Completed jobs are removed at once: the database's primary key is the lasting dedupe, so a
          // message re-queued after its job finished is stored once, and a restored database is refilled.
          opts: { jobId: jobIdFor(message.id), removeOnComplete: true },
        })),
      );
    }
  }

  /** Adds one job of a typed queue. */
  async add<N extends QueueName>(name: N, data: JobPayloads[N], opts: JobsOptions = {}): Promise<void> {
    await this.get(name).add(JOB_NAMES[name], data, opts);
  }

  /** Job counts per queue and state (for /metrics and /health). */
  async depths(): Promise<Record<QueueName, Record<string, number>>> {
    const out = {} as Record<QueueName, Record<string, number>>;
    for (const [name, queue] of this.queues) {
      out[name] = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }

  /** Removes every queue's keys (tests). */
  async obliterate(): Promise<void> {
    for (const queue of this.queues.values()) await queue.obliterate({ force: true });
  }
}
