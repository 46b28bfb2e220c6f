/**
 * `radar sources test <name>`: one poll of one configured source against a throw-away in-memory
 * database, stopped after the first batch of messages (or points), so an operator sees that the
 * credentials are accepted and the query finds something, before the service polls for real. Nothing
 * is stored: not in the service's database, not in Redis, not in the ingest queue; no cursor moves.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../src/config/service.js';
import type { Message } from '../src/domain/message.js';
import { describeError, RadarError } from '../src/platform/errors.js';
import { memorySeenIds } from '../src/sources/imap/index.js';
import { SourceAuthError, SourceRateLimitError, type PollContext, type PollHandler, type PollKind } from '../src/sources/poll.js';
import { buildPollHandlers } from '../src/sources/registry.js';
import { SourceState } from '../src/sources/source-state.js';
import { RedisKeys } from '../src/queues/keys.js';
import { Store } from '../src/store/store.js';

/** What one probe of one source (one mailbox) found. */
export interface ProbeResult {
  readonly source: string;
  readonly kind: PollKind;
  readonly mailbox?: string;
  /** `ok`: credentials accepted and the request answered; `auth`: credentials rejected; `rate-limited`; `failed`: anything else. */
  readonly outcome: 'ok' | 'auth' | 'rate-limited' | 'failed';
  readonly error: string | null;
  /** Messages the first batch held (not stored). */
  readonly messages: readonly Message[];
  /** Points pulled (metric sources), by series. */
  readonly points: number;
  readonly series: number;
  readonly deadLettered: number;
  readonly deadLetterReasons: readonly string[];
}

/** Probes every schedule (mailbox) of the source named `name`; refuses an unknown name. */
export async function probeSource(config: ServiceConfig, name: string, options: { log: Logger; timeoutMs?: number }): Promise<ProbeResult[]> {
  // A throw-away author key: a probe's hashes match nothing stored.
  const handlers = buildPollHandlers(config, { authorKey: randomBytes(32).toString('hex'), seenIds: memorySeenIds() });
  const found = handlers.flatMap((h) => h.schedules.filter((s) => s.source === name).map((s) => ({ handler: h, schedule: s })));
  if (found.length === 0) {
    const known = handlers.flatMap((h) => h.schedules.map((s) => s.source));
    throw new RadarError('ERR_CONFIG', `no source named "${name}" is configured${known.length > 0 ? ` (configured: ${[...new Set(known)].join(', ')})` : ''}`);
  }
  const store = await Store.open({ url: 'sqlite::memory:', migrations: 'apply' });
  // Never connected: the probe's state lives in the throw-away database; a Redis call would fail fast.
  const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  try {
    const state = new SourceState(redis, new RedisKeys('probe'), store.sources);
    const results: ProbeResult[] = [];
    for (const { handler, schedule } of found) {
      results.push(await probeOne(handler, schedule.source, schedule.mailbox, state, options));
    }
    return results;
  } finally {
    redis.disconnect();
    await store.close();
  }
}

async function probeOne(handler: PollHandler, source: string, mailbox: string | undefined, state: SourceState, options: { log: Logger; timeoutMs?: number }): Promise<ProbeResult> {
  await state.register(source, handler.kind);
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new RadarError('ERR_SOURCE', 'probe timed out')), options.timeoutMs ?? 60_000);
  const messages: Message[] = [];
  const reasons: string[] = [];
  let points = 0;
  let series = 0;
  const ctx: PollContext = {
    log: options.log,
    state,
    enqueue: async (batch) => {
      messages.push(...batch);
      if (messages.length > 0) stop.abort(); // the first batch answers the question
    },
    storeSeries: async (_source, pulled) => {
      for (const list of pulled.values()) points += list.length;
      series += pulled.size;
      if (points > 0) stop.abort();
    },
    deadLetter: async (letter) => {
      reasons.push(letter.reason);
    },
    now: () => Date.now(),
    signal: stop.signal,
  };
  const base = { source, kind: handler.kind, ...(mailbox === undefined ? {} : { mailbox }) };
  const done = (outcome: ProbeResult['outcome'], error: string | null): ProbeResult => ({
    ...base,
    outcome,
    error,
    messages,
    points,
    series,
    deadLettered: reasons.length,
    deadLetterReasons: reasons,
  });
  try {
    await handler.poll({ source, ...(mailbox === undefined ? {} : { mailbox }) }, ctx);
    return done('ok', null);
  } catch (error) {
    // Stopped on purpose after the first batch: whatever the handler threw on the way out is not a failure.
    if (stop.signal.aborted && (messages.length > 0 || points > 0)) return done('ok', null);
    if (stop.signal.aborted) return done('failed', describeError(stop.signal.reason));
    if (error instanceof SourceAuthError) return done('auth', describeError(error));
    if (error instanceof SourceRateLimitError) return done('rate-limited', describeError(error));
    return done('failed', describeError(error));
  } finally {
    clearTimeout(timer);
  }
}

/** One line per result, and up to `sample` messages each, for the terminal (text is shortened, control characters dropped). */
export function formatProbe(results: readonly ProbeResult[], sample = 3): string {
  const lines: string[] = [];
  for (const r of results) {
    const where = `${r.source}${r.mailbox === undefined ? '' : ` ${r.mailbox}`} (${r.kind})`;
    const found = r.points > 0 || r.series > 0 ? `${r.points} points in ${r.series} series` : `${r.messages.length} messages`;
    const dead = r.deadLettered > 0 ? `, ${r.deadLettered} malformed (${[...new Set(r.deadLetterReasons)].slice(0, 3).join('; ')})` : '';
    if (r.outcome === 'ok') lines.push(`${where}: ok, ${found} in the first batch${dead}; nothing stored`);
    else lines.push(`${where}: FAILED (${r.outcome}) ${r.error ?? ''}`.trimEnd());
    for (const m of r.messages.slice(0, sample)) {
      const text = m.text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
      lines.push(`  ${m.createdAt} ${m.lang ?? '??'} ${m.channel} ${JSON.stringify(text.length > 100 ? `${text.slice(0, 99)}…` : text)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
