/**
 * Alerting, wired: after each detector tick, the pure state machine turns detector output into
 * alerts (pending → firing → resolved, grouped, one owner, escalation, silences); this module loads
 * and saves them, gathers the evidence (rate against the band, channel split, rising terms, examples)
 * and queues one `notify` job per (notification, notifier). The `notify` worker sends them, retrying
 * what is worth retrying; one failing notifier never blocks the others.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { ackLinkOptions, compileAlerting } from '../src/alerting/compile.js';
import { evaluate, type AlertingRuntime } from '../src/alerting/evaluate.js';
import { buildEvidence, evidenceRequest, type Evidence } from '../src/alerting/evidence.js';
import { buildNotification } from '../src/alerting/notification.js';
import { observationFromPoint, type Observation } from '../src/alerting/observation.js';
import type { Alert } from '../src/domain/alert.js';
import { createNotifiers, notifiersFor, notifyBackoffStrategy, retryDelayFor, type Notifier } from '../src/notify/index.js';
import { describeError } from '../src/platform/errors.js';
import type { JobPayloads } from '../src/queues/jobs.js';
import type { ServiceContext } from './context.js';
import { seriesBand, type TickResult } from './detect.js';

export const NOTIFY_ATTEMPTS = 10;

export interface AlertingOptions {
  /** Signs ack links (alerting.ack.secret, else the session secret); null: no links. */
  readonly ackSecret: string | null;
  /** Base URL of the dashboard/API for links. */
  readonly publicUrl: string;
}

export interface AlertingEngine {
  readonly runtime: AlertingRuntime;
  /** Runs the state machine on one tick's detector output and queues the notifications. */
  onTick(result: TickResult): Promise<void>;
  /** Evidence for an alert at `now` (also used by the API). */
  evidence(alert: Alert, now: number): Promise<Evidence>;
}

export function createAlerting(ctx: ServiceContext, options: AlertingOptions): AlertingEngine {
  const config = ctx.config.alerting;
  const runtime = compileAlerting(config);
  const log = ctx.log.child({ module: 'alerting' });
  // Built once for their names and `sendResolved`; the notify worker holds the ones that send.
  const notifiers = createNotifiers(config.notifiers, { logger: log, clock: ctx.clock });
  const ack = options.ackSecret === null ? null : ackLinkOptions(config, options.ackSecret, options.publicUrl);
  const dashboardBaseUrl = config.dashboardUrl ?? options.publicUrl;

  const evidence = async (alert: Alert, now: number): Promise<Evidence> => {
    const req = evidenceRequest(alert, config.evidence, now);
    const filter = { complaint: true, ...(req.category ? { category: req.category } : {}) };
    const [band, channels, current, baseline, examples] = await Promise.all([
      seriesBand(ctx, req.series, req.window.from, req.window.to),
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

  const onTick = async (result: TickResult): Promise<void> => {
    if (!config.enabled) return;
    const now = result.now;
    const observations: Observation[] = [];
    for (const s of result.series) {
      for (const o of s.outputs) {
        const obs = observationFromPoint(s.key, o);
        if (obs) observations.push(obs);
      }
    }
    const open = await ctx.store.alerts.open();
    const silences = await ctx.store.alerts.silences(now);
    const out = evaluate({ now, alerts: open, observations, silences }, runtime);
    await ctx.store.alerts.save(
      out.alerts,
      out.events.map((e) => ({ ...e })),
    );
    for (const e of out.events) log.info({ alertId: e.alertId, event: e.type, series: e.series, to: e.to }, 'alert event');
    const byId = new Map(out.alerts.map((a) => [a.id, a]));
    for (const intent of out.notifications) {
      const alert = byId.get(intent.alertId);
      if (!alert) continue;
      let ev: Evidence | null = null;
      try {
        ev = await evidence(alert, now);
        await ctx.store.alerts.setEvidence(alert.id, ev);
      } catch (error) {
        log.warn({ alertId: alert.id, err: describeError(error) }, 'evidence could not be gathered; notifying without it');
      }
      const notification = buildNotification({ intent, alert, evidence: ev, oncall: runtime.oncall, ack, labels: config.evidence.labels });
      for (const notifier of notifiersFor(intent.kind, notifiers)) {
        await ctx.queues.add('notify', { notification, notifier: notifier.name } satisfies JobPayloads['notify'], {
          jobId: `${intent.key}.${notifier.name}`.replaceAll(':', '_'),
          attempts: NOTIFY_ATTEMPTS,
          backoff: { type: 'notify' },
        });
      }
    }
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
      } catch (error) {
        const delay = retryDelayFor(error, job.attemptsMade + 1);
        log.warn({ notifier: notifier.name, key: job.data.notification.key, retryInMs: delay, err: describeError(error) }, 'notification failed');
        if (delay === null) throw new UnrecoverableError(describeError(error));
        throw error;
      }
      return { sent: true };
    },
    {
      connection: ctx.redis.duplicate(),
      prefix: ctx.keys.bullPrefix,
      concurrency: 10,
      settings: { backoffStrategy: (attemptsMade: number, type?: string, error?: Error) => notifyBackoffStrategy(attemptsMade, type, error) },
    },
  );
  worker.on('failed', (job, error) => {
    const final = error.name === 'UnrecoverableError' || (job ? job.attemptsMade >= (job.opts.attempts ?? 1) : true);
    ctx.metrics.jobFailures.inc({ queue: 'notify', final: String(final) });
    if (final) log.error({ notifier: job?.data.notifier, key: job?.data.notification.key, err: error.message }, 'notification given up');
  });
  worker.on('error', (error) => log.error({ err: error.message }, 'notify worker error'));
  return {
    async close() {
      await worker.close();
      for (const n of byName.values()) await n.close?.();
    },
  };
}
