import type { Notification } from '../alerting/notification.js';
import type { Message } from '../domain/message.js';
import type { PollKind } from '../sources/poll.js';

/**
 * The one union of queue names, job names and payloads. A worker that has no handler for a job
 * name fails at start-up (see `assertHandlers`).
 */
export interface JobPayloads {
  ingest: { message: Message };
  detect: { tick: true };
  /** One series group's part of one detect tick (workers/detect-groups.ts): its series keys, judged up to `end`. */
  'detect-group': { group: number; groups: number; end: number; now: number; series: string[] };
  poll: { source: string; kind: PollKind; mailbox?: string };
  /** One notification to one notifier: a failing notifier never blocks the others. */
  notify: { notification: Notification; notifier: string };
  /** Prune data past its retention period (scheduled; see src/store/retention.ts). */
  retention: { prune: true };
}

export type QueueName = keyof JobPayloads;
export const QUEUE_NAMES: readonly QueueName[] = ['ingest', 'detect', 'detect-group', 'poll', 'notify', 'retention'];

/** Job names per queue (BullMQ's `job.name`). */
export const JOB_NAMES = {
  ingest: 'message',
  detect: 'tick',
  'detect-group': 'group',
  poll: 'poll',
  notify: 'notify',
  retention: 'prune',
} as const satisfies Record<QueueName, string>;
