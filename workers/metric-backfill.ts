/**
 * While a metric source has not finished its first pull (the backfill of `backfill`, 14 days by
 * default), the detector waits, as it waits for the demo's history: judging two weeks of traffic or
 * errors as missing would teach it gaps, and complaint rates would be judged without their reference.
 * A source that is stopped, or has not succeeded within `detect.late.maxWait` of being registered, no
 * longer holds detection back (its data, when it comes, is late and re-judged).
 */
import type { ServiceContext } from './context.js';

/**
 * The metric sources whose first pull is still running (or retrying) at `now`; empty when none.
 * `since`: when this process started (a source no poll process has registered yet holds detection
 * back for at most `detect.late.maxWait` from then).
 */
export async function metricBackfillPending(ctx: ServiceContext, now: number, since: number): Promise<string[]> {
  const pending: string[] = [];
  for (const source of [...ctx.config.sources.prometheus, ...ctx.config.sources.graphite]) {
    const record = await ctx.store.sources.get(source.name);
    if (record === null) {
      if (now - since <= ctx.config.detect.late.maxWait) pending.push(source.name); // not registered by a poll process yet
      continue;
    }
    if (record.lastSuccessAt === null && record.state !== 'stopped' && now - record.createdAt <= ctx.config.detect.late.maxWait) pending.push(source.name);
  }
  return pending;
}
