import type { Logger } from 'pino';

type Closer = { readonly name: string; readonly close: () => Promise<unknown> | unknown };

/**
 * Graceful shutdown: closers run in reverse order of registration (HTTP first, then workers, queues,
 * Redis, database), each bounded by a timeout, once, on the first SIGINT/SIGTERM, then one last log
 * line, `stopped` (with how many closers failed). A second signal exits at once.
 */
export class Shutdown {
  private readonly closers: Closer[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly log: Logger, private readonly timeoutMs = 15_000) {}

  add(name: string, close: Closer['close']): void {
    this.closers.push({ name, close });
  }

  get isClosing(): boolean {
    return this.closing !== undefined;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      let failed = 0;
      for (const closer of [...this.closers].reverse()) {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(() => closer.close()),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
            }),
          ]);
          this.log.debug({ closer: closer.name }, 'closed');
        } catch (error) {
          failed += 1;
          this.log.warn({ closer: closer.name, err: error }, 'close failed');
        } finally {
          clearTimeout(timer);
        }
      }
      this.log.info({ closers: this.closers.length, failed }, 'stopped');
    })();
    return this.closing;
  }

  /** Close on SIGINT / SIGTERM, then exit. */
  installSignalHandlers(): void {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        this.log.warn({ signal }, 'second signal, exiting now');
        process.exit(130);
      }
      this.log.info({ signal }, 'shutting down');
      // Exit once the `stopped` line is written (a pretty log goes through a worker thread); a flush that
      // never answers does not keep the process alive.
      void this.close().then(() => {
        setTimeout(() => process.exit(0), 2000).unref();
        this.log.flush(() => process.exit(0));
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
}
