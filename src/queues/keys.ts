/**
 * Every Redis key the service uses is built here, from one injected prefix, so tests isolate
 * themselves with a unique prefix and a cluster keeps each queue's keys in one hash slot.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {
    if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) throw new Error(`invalid Redis key prefix "${prefix}"`);
  }

  /** BullMQ's `prefix` option: hash-tagged so a queue's keys share one cluster slot. */
  get bullPrefix(): string {
    return `{${this.prefix}}`;
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
