/**
 * Is the pipeline still moving? `/health` turns unhealthy when a configured source has not been polled,
 * or the detector has not ticked, within `MISSED_INTERVALS` of their intervals: a scheduler Redis lost,
 * a poll lock nobody releases, dead workers. Each problem says what and since when.
 */
import { detectTickEveryMs } from '../config/detect.js';
import { configuredPolls } from '../sources/poll.js';
import { TICK_KEY, type TickInfo } from '../store/tick-store.js';
import type { ApiDeps } from './deps.js';

/** How many intervals without a poll (or a tick) make the service unhealthy. */
export const MISSED_INTERVALS = 3;


export interface FreshnessProblem {
  readonly check: 'source' | 'detector';
  /** The source name, or `detect`. */
  readonly name: string;
  readonly reason: string;
  /** Last poll or tick (ISO), null when never. */
  readonly lastAt: string | null;
}

export interface Freshness {
  readonly sources: 'ok' | 'stale';
  /** `waiting`: the demo history backfill is running (the detector waits for it on purpose). */
  readonly detector: 'ok' | 'stale' | 'waiting';
  readonly problems: readonly FreshnessProblem[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Checks every configured poll and the detector tick at `now`. `since` is when this process started:
 * nothing is overdue before `MISSED_INTERVALS` have passed since then (a restart is not an outage).
 */
export async function checkFreshness(deps: ApiDeps, now: number, since: number): Promise<Freshness> {
  const problems: FreshnessProblem[] = [];
  const everyBySource = new Map<string, number>();
  for (const poll of configuredPolls(deps.config.sources)) {
    everyBySource.set(poll.source, Math.max(everyBySource.get(poll.source) ?? 0, poll.everyMs));
  }
  for (const [name, everyMs] of everyBySource) {
    const status = await deps.sources.get(name);
    const lastPoll = status?.lastPollAt ? Date.parse(status.lastPollAt) : null;
    if (status?.state === 'stopped') {
      problems.push({ check: 'source', name, reason: `stopped until its config changes or an operator retries it: ${status.lastError ?? 'no error recorded'}`, lastAt: iso(lastPoll) });
      continue;
    }
    const overdue = MISSED_INTERVALS * everyMs;
    if (now - Math.max(lastPoll ?? 0, since) > overdue) {
      problems.push({
        check: 'source',
        name,
        reason: `not polled for ${MISSED_INTERVALS} intervals (${Math.round(overdue / 1000)} s; last poll ${iso(lastPoll) ?? 'never'})`,
        lastAt: iso(lastPoll),
      });
    }
  }

  let detector: Freshness['detector'] = 'ok';
  const tick = await deps.store.kv.get<Partial<TickInfo>>(TICK_KEY);
  const lastTick = typeof tick?.at === 'number' ? tick.at : null;
  const overdue = MISSED_INTERVALS * detectTickEveryMs(deps.config.series.step);
  if (now - Math.max(lastTick ?? 0, since) > overdue) {
    if (await backfillRunning(deps)) detector = 'waiting';
    else {
      detector = 'stale';
      problems.push({
        check: 'detector',
        name: 'detect',
        reason: `detector has not ticked for ${MISSED_INTERVALS} intervals (${Math.round(overdue / 1000)} s; last tick ${iso(lastTick) ?? 'never'})`,
        lastAt: iso(lastTick),
      });
    }
  }
  return { sources: problems.some((p) => p.check === 'source') ? 'stale' : 'ok', detector, problems };
}

/** Is the demo history backfill running (its lock held)? False when Redis does not answer within a second. */
async function backfillRunning(deps: ApiDeps): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<number>((resolve) => {
      timer = setTimeout(() => resolve(0), 1000);
    });
    return (await Promise.race([deps.redis.exists(deps.queues.keys.lock('backfill')), timeout])) === 1;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
