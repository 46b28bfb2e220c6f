import type { ClassifiedMessage } from './message-store.js';
import type { Store } from './store.js';

export interface IngestWriterOptions {
  /** Series bucket width, ms. */
  readonly step: number;
  readonly batchSize: number;
  /** Longest wait before a partial batch is written, ms. */
  readonly batchWaitMs: number;
  readonly now: () => number;
  /** Called after a committed batch with how many new messages per source were late (already judged buckets). */
  readonly onLate?: (perSource: ReadonlyMap<string, number>) => void;
  /** Called after each committed batch with the messages that were new. */
  readonly onCommitted?: (fresh: readonly ClassifiedMessage[], duplicates: number) => void;
}

interface Pending {
  readonly item: ClassifiedMessage;
  /** When it was handed in (performance.now()). */
  readonly at: number;
  resolve(fresh: boolean): void;
  reject(error: unknown): void;
}

/**
 * Batches ingest writes: many concurrent jobs hand in one message each; one transaction stores the
 * batch (duplicates skipped by primary key) and adds the counts of the new ones only, so a message is
 * stored and counted exactly once however often it is delivered. When a batch fails, each message is
 * retried alone so that one bad message fails only its own job.
 *
 * Group commit: one transaction at a time, and the next batch is taken when it ends — everything that
 * arrived meanwhile (up to `batchSize`) — so a slow commit makes the next batch larger instead of
 * queueing many small ones behind it. An idle writer waits up to `batchWaitMs` to fill a batch.
 */
export class IngestWriter {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** The batch being committed, if any. */
  private committing: Promise<void> | undefined;

  constructor(private readonly store: Store, private readonly options: IngestWriterOptions) {}

  write(item: ClassifiedMessage): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ item, at: performance.now(), resolve, reject });
      if (this.committing === undefined) {
        if (this.pending.length >= this.options.batchSize) this.start();
        else this.next();
      }
    });
  }

  /** Writes whatever is pending now; resolves when it is committed. */
  async flush(): Promise<void> {
    while (this.committing !== undefined || this.pending.length > 0) {
      if (this.committing === undefined) this.start();
      await this.committing;
    }
  }

  /**
   * With no commit running: commits at once a full batch; otherwise when the oldest message has waited
   * `batchWaitMs` — from a timer (or setImmediate when that time has passed), never from inside a
   * `write`, so the replies Redis has already sent (one socket read holds many jobs) all join the batch.
   */
  private next(): void {
    const first = this.pending[0];
    if (first === undefined || this.timer !== undefined) return;
    if (this.pending.length >= this.options.batchSize) {
      this.start();
      return;
    }
    const wait = this.options.batchWaitMs - (performance.now() - first.at);
    this.timer = wait > 0 ? setTimeout(() => this.fire(), wait) : setImmediate(() => this.fire());
  }

  private fire(): void {
    this.timer = undefined;
    if (this.committing === undefined) this.start();
  }

  private start(): void {
    this.clearTimer();
    const batch = this.pending.splice(0, this.options.batchSize);
    if (batch.length === 0) return;
    // commit() settles every job of the batch itself and does not throw.
    this.committing = this.commit(batch).catch(() => undefined).finally(() => {
      this.committing = undefined;
      this.next();
    });
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    if ('hasRef' in this.timer && 'refresh' in this.timer) clearTimeout(this.timer);
    else clearImmediate(this.timer);
    this.timer = undefined;
  }

  private async commit(batch: Pending[]): Promise<void> {
    // The same id twice in one batch: the first wins, the rest are duplicates.
    const unique = new Map<string, Pending>();
    for (const p of batch) if (!unique.has(p.item.message.id)) unique.set(p.item.message.id, p);
    try {
      const fresh = await this.store.ingest([...unique.values()].map((p) => p.item), this.options.now(), this.options.step, this.options.onLate);
      const freshIds = new Set(fresh.map((f) => f.message.id));
      for (const p of batch) p.resolve(freshIds.has(p.item.message.id) && unique.get(p.item.message.id) === p);
      this.options.onCommitted?.(fresh, batch.length - fresh.length);
    } catch {
      if (batch.length === 1) {
        // Retry once alone to separate a bad message from a bad batch.
        const only = batch[0] as Pending;
        try {
          await this.commitOne(only);
        } catch (error) {
          only.reject(error);
        }
        return;
      }
      for (const p of batch) {
        try {
          await this.commitOne(p);
        } catch (error) {
          p.reject(error);
        }
      }
    }
  }

  private async commitOne(p: Pending): Promise<void> {
    const fresh = (await this.store.ingest([p.item], this.options.now(), this.options.step, this.options.onLate)).length > 0;
    p.resolve(fresh);
    this.options.onCommitted?.(fresh ? [p.item] : [], fresh ? 0 : 1);
  }
}
