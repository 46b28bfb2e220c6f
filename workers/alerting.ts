/**
 * Alerting, wired: after each detector tick, the pure state machine turns detector output into
 * alerts (pending → firing → resolved, grouped, one owner, escalation, silences); this module loads
 * them, gathers the evidence at decision time (the band is what the detector said: stored rows plus this
 * tick's), and commits the detector's writes, the alert changes and one outbox entry per (notification,
 * notifier) in one transaction; the relay then enqueues them (workers/outbox-relay.ts). The `notify`
 * worker sends them, retrying what is worth retrying; one failing notifier never blocks the others.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { ackLinkOptions, compileAlerting } from '../src/alerting/compile.js';
import { evaluate, type AlertingRuntime } from '../src/alerting/evaluate.js';
import { buildEvidence, evidenceRequest, type Evidence } from '../src/alerting/evidence.js';
import { buildNotification } from '../src/alerting/notification.js';
import { observationFromPoint, type Observation } from '../src/alerting/observation.js';
import type { Alert } from '../src/domain/alert.js';
import { createNotifiers, notifiersFor, notifyBackoffStrategy, retryDelayFor, type Notifier } from '../src/notify/index.js';
import { describeError, RadarError } from '../src/platform/errors.js';
import { failpoint } from '../src/platform/failpoint.js';
import type { JobPayloads } from '../src/queues/jobs.js';
import type { Lease } from '../src/queues/lock.js';
import type { StoredDetectorPoint } from '../src/store/detector-point-store.js';
import type { OutboxEntry } from '../src/store/outbox-store.js';
import { commitTick, NO_ALERTING, type AlertingWrites } from '../src/store/tick-store.js';
import type { ServiceContext } from './context.js';
import type { TickResult } from './detect.js';
import { relayOutbox } from './outbox-relay.js';
import { duplicateRedis } from '../src/queues/connection.js';

export { NOTIFY_ATTEMPTS } from './outbox-relay.js';

export interface AlertingOptions {
  /** Signs ack links (alerting.ack.secret, else the session secret); null: no links. */
  readonly ackSecret: string | null;
  /** Base URL of the dashboard/API for links. */
  readonly publicUrl: string;
}

export interface AlertingEngine {
  readonly runtime: AlertingRuntime;
  /**
   * Runs the state machine on one tick's detector output, commits the tick (detector state and points,
   * alerts, events, evidence, outbox) in one transaction — unless `lease` was lost — then relays.
   */
  onTick(result: TickResult, lease?: Lease): Promise<void>;
  /** Evidence for an alert at `now` from what the detector said (stored rows, plus `pending` ones not committed yet). */
  evidence(alert: Alert, now: number, pending?: readonly StoredDetectorPoint[]): Promise<Evidence>;
}

export function createAlerting(ctx: ServiceContext, options: AlertingOptions): AlertingEngine {
  const config = ctx.config.alerting;
  const runtime = compileAlerting(config);
  const log = ctx.log.child({ module: 'alerting' });
  // Built once for their names and `sendResolved`; the notify worker holds the ones that send.
  const notifiers = createNotifiers(config.notifiers, { logger: log, clock: ctx.clock });
  const ack = options.ackSecret === null ? null : ackLinkOptions(config, options.ackSecret, options.publicUrl);
  const dashboardBaseUrl = config.dashboardUrl ?? options.publicUrl;

  const evidence = async (alert: Alert, now: number, pending: readonly StoredDetectorPoint[] = []): Promise<Evidence> => {
    const req = evidenceRequest(alert, config.evidence, now);
    const filter = { complaint: true, ...(req.category ? { category: req.category } : {}) };
    const bandOf = async () => {
      const byT = new Map((await ctx.store.detectorPoints.read(req.series, req.window.from, req.window.to)).map((p) => [p.t, p]));
      for (const p of pending) if (p.series === req.series && p.t >= req.window.from && p.t < req.window.to) byT.set(p.t, p);
      return [...byT.values()].sort((a, b) => a.t - b.t);
    };
    const [band, channels, current, baseline, examples] = await Promise.all([
      bandOf(),
      ctx.store.messages.countBy('channel', { ...filter, from: req.window.from, to: req.window.to }),
      ctx.store.messages.termCounts({ ...filter, from: req.window.from, to: req.window.to }),
      ctx.store.messages.termCounts({ ...filter, from: req.baseline.from, to: req.baseline.to }, 20_000),
      ctx.store.messages.list({ ...filter, from: req.window.from, to: req.window.to }, Math.max(1, req.examples * 4)),
    ]);
    const ranked = [...examples.items].sort((a, b) => b.classification.score - a.classification.score);
    return buildEvidence({
      alert,
      series: req.series,
      now,
      windowMs: config.evidence.window,
      points: band.map((o) => ({ t: o.t, value: o.value, expected: o.expected, lower: o.lower, upper: o.upper })),
      channelCounts: Object.fromEntries([...channels].map(([k, v]) => [k ?? 'unknown', v])),
      terms: { current, baseline },
      examples: ranked,
      dashboardBaseUrl,
      labels: config.evidence.labels,
      maxExamples: req.examples,
      maxTerms: req.risingTerms,
    });
  };

  /** The alerting side of a tick: the state machine, evidence at decision time, outbox entries. */
  const decide = async (result: TickResult): Promise<{ writes: AlertingWrites; events: readonly { alertId: string; type: string; series?: string; to?: string | null }[] }> => {
    const now = result.now;
    const observations: Observation[] = [];
    const lateAt = new Set<string>();
    for (const s of result.series) {
      for (const o of s.outputs) {
        const obs = observationFromPoint(s.key, o);
        if (obs) observations.push(obs);
        if (o.late) lateAt.add(`${s.key}@${o.t}`);
      }
    }
    const open = await ctx.store.alerts.open();
    const openIds = new Set(open.map((a) => a.id));
    const silences = await ctx.store.alerts.silences(now);
    const out = evaluate({ now, alerts: open, observations, silences }, runtime);
    // An alert opened by a bucket that late data re-judged says so.
    const alerts = out.alerts.map((a) => (!openIds.has(a.id) && a.members.some((m) => lateAt.has(`${m.series}@${m.since}`)) ? { ...a, late: true } : a));
    const byId = new Map(alerts.map((a) => [a.id, a]));
    const evidenceRows: Array<{ alertId: string; evidence: unknown }> = [];
    const outbox: OutboxEntry[] = [];
    for (const intent of out.notifications) {
      const alert = byId.get(intent.alertId);
      if (!alert) continue;
      const late = alert.late === true;
      let ev: Evidence | null = null;
      try {
        const gathered = await evidence(alert, now, result.writes.points);
        ev = late ? { ...gathered, late } : gathered;
        evidenceRows.push({ alertId: alert.id, evidence: ev });
      } catch (error) {
        log.warn({ alertId: alert.id, err: error }, 'evidence could not be gathered; notifying without it');
      }
      const built = buildNotification({ intent, alert, evidence: ev, oncall: runtime.oncall, ack, labels: config.evidence.labels });
      const notification = late ? { ...built, title: `${built.title} (late data)`, summary: `From late data: ${built.summary}` } : built;
      for (const notifier of notifiersFor(intent.kind, notifiers)) {
        const payload: JobPayloads['notify'] = { notification, notifier: notifier.name };
        outbox.push({ key: `${intent.key}.${notifier.name}`, alertId: alert.id, notifier: notifier.name, payload });
      }
    }
    return { writes: { alerts, events: out.events.map((e) => ({ ...e })), evidence: evidenceRows, outbox }, events: out.events };
  };

  const onTick = async (result: TickResult, lease?: Lease): Promise<void> => {
    const decided = config.enabled ? await decide(result) : { writes: NO_ALERTING, events: [] };
    // A tick that lost its lease may overlap another holder's: it commits nothing.
    if (lease?.lost) throw new RadarError('ERR_LOCK_LOST', 'detector tick lost its lease before committing; nothing written', { retryable: true });
    failpoint('tick.before-commit');
    await commitTick(ctx.store, result.writes, decided.writes);
    failpoint('tick.after-commit');
    for (const e of decided.events) log.info({ alertId: e.alertId, event: e.type, series: e.series, to: e.to }, 'alert event');
    await relayOutbox(ctx);
  };

  return { runtime, onTick, evidence };
}

export interface NotifyWorker {
  close(): Promise<void>;
}

/** Sends queued notifications; retries per the notifier's verdict (5xx/timeouts/429 after Retry-After), never 4xx. */
export function startNotifyWorker(ctx: ServiceContext, notifiers?: ReadonlyMap<string, Notifier>): NotifyWorker {
  const log = ctx.log.child({ module: 'notify', queue: 'notify' });
  const byName = notifiers ?? createNotifiers(ctx.config.alerting.notifiers, { logger: log, clock: ctx.clock });
  const worker = new Worker<JobPayloads['notify']>(
    'notify',
    async (job: Job<JobPayloads['notify']>) => {
      const notifier = byName.get(job.data.notifier);
      if (!notifier) throw new UnrecoverableError(`no notifier named ${job.data.notifier} in the config`);
      try {
        await notifier.send(job.data.notification);
        ctx.metrics.notificationsSent.inc({ notifier: notifier.name });
      } catch (error) {
        const delay = retryDelayFor(error, job.attemptsMade + 1);
        log.warn({ notifier: notifier.name, key: job.data.notification.key, retryInMs: delay, err: error }, 'notification failed');
        if (delay === null) throw new UnrecoverableError(describeError(error));
        throw error;
      }
      return { sent: true };
    },
    {
      connection: duplicateRedis(ctx.redis),
      prefix: ctx.keys.bullPrefixFor('notify'),
      concurrency: 10,
      settings: { backoffStrategy: (attemptsMade: number, type?: string, error?: Error) => notifyBackoffStrategy(attemptsMade, type, error) },
    },
  );
  worker.on('failed', (job, error) => {
    const final = error.name === 'UnrecoverableError' || (job ? job.attemptsMade >= (job.opts.attempts ?? 1) : true);
    ctx.metrics.jobFailures.inc({ queue: 'notify', final: String(final) });
    ctx.metrics.notificationsFailed.inc({ notifier: job?.data.notifier ?? 'unknown', final: String(final) });
    if (final) log.error({ notifier: job?.data.notifier, key: job?.data.notification.key, err: error }, 'notification given up');
  });
  worker.on('error', (error) => log.error({ err: error }, 'notify worker error'));
  return {
    async close() {
      await worker.close();
      for (const n of byName.values()) await n.close?.();
    },
  };
}
