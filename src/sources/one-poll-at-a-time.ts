import type { PollContext } from './poll.js';

/**
 * One poll of a source at a time in this process: a poll that starts while another of the same source
 * still runs here (a slow poll overlapping its next schedule) is skipped and logged, never run twice at
 * once. Across processes the poll lock does the same (workers/poll.ts); this covers direct calls too.
 */
export class OnePollAtATime {
  private readonly running = new Set<string>();

  async run<R>(source: string, ctx: Pick<PollContext, 'log'>, idle: () => NoInfer<R>, poll: () => Promise<R>): Promise<R> {
    if (this.running.has(source)) {
      ctx.log.debug({ source }, 'poll of this source still running in this process; skipped');
      return idle();
    }
    this.running.add(source);
    try {
      return await poll();
    } finally {
      this.running.delete(source);
    }
  }
}
