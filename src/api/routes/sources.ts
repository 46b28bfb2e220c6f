import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { imapCursorName } from '../../sources/imap/poll-handler.js';
import { readMetricCursor } from '../../sources/metric-pull/cursor.js';
import { configuredPolls, pollLeaseMs, pollLockName, pollSchedulerId } from '../../sources/poll.js';
import type { PollLockStatus } from '../../sources/source-state.js';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { HttpError, parseInput } from '../errors.js';

const nameParams = z.object({ name: z.string().min(1).max(100) });

/** How long a lock lookup may take: during a Redis outage the page still answers, from the database. */
const LOCK_LOOKUP_MS = 1000;

export function registerSourceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  /**
   * Every source: state, last poll, last success, last error, cursor (from the database, where cursors
   * live), messages fetched, rate limit, and its poll locks. `state` is `polling` while a poll holds a
   * renewed lock, and `blocked` (with `blockedUntil`) while a lock nobody renews any more (a killed
   * poller) keeps the next poll out until its lease runs out — at most one poll interval. When Redis
   * does not answer, `locksKnown` is false and the rest still comes from the database.
   */
  app.get('/api/sources', { preHandler: app.requireRole('viewer') }, async () => {
    const now = deps.clock.now();
    const polls = configuredPolls(deps.config.sources);
    const items = [];
    let redisAnswers = true;
    /** The lock, null when free, undefined when Redis did not answer (then no more lookups this request). */
    const lockOf = async (name: string, leaseMs: number): Promise<PollLockStatus | null | undefined> => {
      if (!redisAnswers) return undefined;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), LOCK_LOOKUP_MS);
      });
      const found = await Promise.race([deps.sources.pollLock(name, leaseMs, now).catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
      if (found === undefined) redisAnswers = false;
      return found;
    };
    for (const s of await deps.sources.list()) {
      const locks = [];
      // A mail source's cursor is one per mailbox, read live (the summary a poll writes at its end lags a poll killed mid-way).
      const mailboxes: Record<string, unknown> = {};
      for (const poll of polls.filter((p) => p.source === s.name)) {
        const lock = await lockOf(pollLockName(poll), pollLeaseMs(poll.everyMs));
        if (lock) locks.push({ mailbox: poll.mailbox ?? null, heldUntil: new Date(lock.heldUntil).toISOString(), renewed: lock.renewed });
        if (poll.mailbox !== undefined) mailboxes[poll.mailbox] = await deps.sources.getCursor(imapCursorName(s.name, poll.mailbox));
      }
      // A metric source's cursor is one per series entry (by name template), read live like a mailbox's.
      const metric = [...deps.config.sources.prometheus, ...deps.config.sources.graphite].find((m) => m.name === s.name);
      const pulled = metric ? await readMetricCursor((c) => deps.sources.getCursor(c), s.name, metric.series.map((e) => e.name)) : null;
      const blocked = locks.filter((l) => !l.renewed);
      const blockedUntil = blocked.length === 0 ? null : blocked.map((l) => l.heldUntil).sort().at(-1) ?? null;
      items.push({
        ...s,
        cursor: Object.keys(mailboxes).length > 0 ? { mailboxes } : (pulled ?? s.cursor),
        state: blocked.length > 0 ? ('blocked' as const) : locks.length > 0 ? ('polling' as const) : s.state,
        /** The state last recorded by a poll (ok, error, stopped, idle), whatever the locks say. */
        lastState: s.state,
        blockedUntil,
        locks,
        locksKnown: redisAnswers,
        lagSeconds: s.lastSuccessAt ? Math.max(0, Math.round((now - Date.parse(s.lastSuccessAt)) / 1000)) : null,
      });
    }
    return { items };
  });

  /**
   * Retry a source that stopped on a rejected credential (or another error retrying cannot fix): it is
   * un-stopped, the retry is recorded (`lastRetry {at, by, via}`), and one poll of each of its
   * schedules (each mailbox) is queued now. A source that fails again stops again. 404 for a source the
   * config does not poll, 409 for one that is not stopped.
   */
  app.post('/api/sources/:name/retry', { preHandler: app.requireRole('admin') }, async (request) => {
    const { name } = parseInput(nameParams, request.params, 'params');
    const polls = configuredPolls(deps.config.sources).filter((p) => p.source === name);
    if (polls.length === 0) throw new HttpError(404, 'ERR_NOT_FOUND', `no polled source ${name}`);
    const actor = actorOf(request.principal);
    if (!(await deps.sources.retry(name, actor))) {
      const state = (await deps.sources.get(name))?.state ?? 'idle';
      throw new HttpError(409, 'ERR_SOURCE_STATE', `source ${name} is ${state}; only a stopped source can be retried`);
    }
    const now = deps.clock.now();
    for (const poll of polls) {
      const data = { source: poll.source, kind: poll.kind, ...(poll.mailbox === undefined ? {} : { mailbox: poll.mailbox }) };
      // One job per retry and schedule (BullMQ ids may not hold ':'); a retry never dedupes against a scheduled poll.
      await deps.queues.add('poll', data, { jobId: `retry|${pollSchedulerId(poll.kind, poll.source, poll.mailbox)}|${now}`, removeOnComplete: 100, removeOnFail: 100 });
    }
    deps.log.info({ module: 'api', source: name, by: actor.by, via: actor.via, polls: polls.length }, 'stopped source retried');
    return { ...(await deps.sources.get(name)), pollsQueued: polls.length };
  });
}
