/**
 * Every Redis key the service uses is built here, from one injected prefix, so tests isolate
 * themselves with a unique prefix and a cluster keeps each queue's keys in one hash slot.
 *
 * Cluster-safe: every command and Lua script the service sends touches one key, or the keys of one
 * BullMQ queue, which share a hash tag. On one Redis all queues share the tag `{prefix}` (the layout
 * of every release so far, so an upgrade finds its waiting jobs); on a Redis Cluster (`slotPerQueue`)
 * each queue has its own tag `{prefix:queue}`, so the queues spread over the masters instead of
 * loading one slot. Moving to a cluster is a new Redis anyway: nothing in Redis carries over (cursors,
 * source state and detector state live in the database; schedulers are re-created at start).
 */
export class RedisKeys {
  constructor(
    readonly prefix: string,
    readonly options: { readonly slotPerQueue?: boolean } = {},
  ) {
    if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) throw new Error(`invalid Redis key prefix "${prefix}"`);
  }

  /**
   * BullMQ's `prefix` option for `queue` (a Queue and its Workers must pass the same): hash-tagged so
   * the queue's keys share one cluster slot; one tag per queue on a cluster.
   */
  bullPrefixFor(queue: string): string {
    return this.options.slotPerQueue === true ? `{${this.prefix}:${queue}}` : `{${this.prefix}}`;
  }

  /** Legacy (before migration 0007): a poller's cursor. Cursors live in the database; read once to copy them there. */
  cursor(source: string): string {
    return `${this.prefix}:cursor:${source}`;
  }

  /** Legacy (before migration 0007): a source's status hash. Source state lives in the database; read once to copy it. */
  sourceStatus(source: string): string {
    return `${this.prefix}:source:${source}`;
  }

  /** Legacy (before migration 0007): the set of source names whose status hashes to copy. */
  get sources(): string {
    return `${this.prefix}:sources`;
  }

  /** Message-IDs a mail source already queued (a bounded sorted set; dedupe across UIDVALIDITY changes). */
  seenMessageIds(source: string): string {
    return `${this.prefix}:seen:${source}`;
  }

  /** A per-bucket rate counter (e.g. report-form posts per IP hash per hour). */
  rateCounter(name: string, subject: string, bucket: number): string {
    return `${this.prefix}:ratelimit:${name}:${subject}:${bucket}`;
  }

  /** A lock taken with `withLock` (queues/lock.ts): one poll per source, one detect tick, the demo backfill. */
  lock(name: string): string {
    return `${this.prefix}:lock:${name}`;
  }

  /** The detect processes alive (a sorted set of worker ids by last heartbeat): who judges which series group (workers/detect-owners.ts). */
  get detectMembers(): string {
    return `${this.prefix}:detect-members`;
  }

  /** Everything this prefix owns, for cleanup in tests. */
  get pattern(): string {
    return `${this.prefix}:*`;
  }
}

/**
 * BullMQ forbids ':' in custom job ids; message ids use it. Percent-encode (injective, readable).
 */
export function jobIdFor(messageId: string): string {
  return messageId.replaceAll('%', '%25').replaceAll(':', '%3A');
}

export function messageIdFromJobId(jobId: string): string {
  return jobId.replaceAll('%3A', ':').replaceAll('%25', '%');
}
