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
  resolve(fresh: boolean): void;
  reject(error: unknown): void;
}

/**
 * Batches ingest writes: many concurrent jobs hand in one message each; one transaction stores the
 * batch (duplicates skipped by primary key) and adds the counts of the new ones only, so a message is
 * stored and counted exactly once however often it is delivered. When a batch fails, each message is
 * retried alone so that one bad message fails only its own job.
 */
export class IngestWriter {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store, private readonly options: IngestWriterOptions) {}

  write(item: ClassifiedMessage): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.options.batchSize) this.schedule(0);
      else this.schedule(this.options.batchWaitMs);
    });
  }

  /** Writes whatever is pending now; resolves when it is committed. */
  async flush(): Promise<void> {
    this.schedule(0);
    await this.flushing;
    if (this.pending.length > 0) await this.flush();
  }

  private schedule(delay: number): void {
    if (this.timer !== undefined && delay > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const batch = this.pending.splice(0, this.options.batchSize);
      if (batch.length === 0) return;
      this.flushing = this.flushing.then(() => this.commit(batch));
      if (this.pending.length > 0) this.schedule(this.pending.length >= this.options.batchSize ? 0 : this.options.batchWaitMs);
    }, delay);
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
