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

  /** A poller's cursor (tweet since_id, IMAP uidvalidity + last uid). */
  cursor(source: string): string {
    return `${this.prefix}:cursor:${source}`;
  }

  /** A source's status hash (last poll, last error, counters, rate limit). */
  sourceStatus(source: string): string {
    return `${this.prefix}:source:${source}`;
  }

  /** The set of known source names. */
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

  /** A short-lived lock (e.g. one detect tick at a time cluster-wide). */
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
