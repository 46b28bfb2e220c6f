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
import { correlatedWith, type PointsBySeries } from '../src/alerting/correlation.js';
import { buildNotification, type Notification } from '../src/alerting/notification.js';
import { translator } from '../src/dashboard/i18n.js';
import { observationFromPoint, type Observation } from '../src/alerting/observation.js';
import type { Alert } from '../src/domain/alert.js';
import { createNotifiers, notifiersFor, notifyBackoffStrategy, retryDelayFor, type Notifier } from '../src/notify/index.js';
import { describeError, RadarError } from '../src/platform/errors.js';
import { failpoint } from '../src/platform/failpoint.js';
import type { JobPayloads } from '../src/queues/jobs.js';
import type { Lease } from '../src/queues/lock.js';
import type { StoredDetectorPoint } from '../src/store/detector-point-store.js';
import type { OutboxEntry } from '../src/store/outbox-store.js';
import { commitAlerting, commitTick, NO_ALERTING, type AlertingWrites } from '../src/store/tick-store.js';
import type { InboxKey } from '../src/store/detect-inbox-store.js';
import type { ServiceContext } from './context.js';
import { watchedSeries, type JudgedTick, type TickResult } from './detect.js';
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
  /**
   * The alerting step of a tick split over series groups (workers/detect-groups.ts): decides on what the
   * group jobs judged (committed already, with the inbox rows `taken`) and commits the alert changes, the
   * outbox, the rows' removal and the tick record in one transaction — unless `lease` was lost — then relays.
   */
  onJudged(tick: JudgedTick, taken: readonly InboxKey[], lease?: Lease): Promise<void>;
  /** The pages telling a new owner (`alert.owner`) that `by` handed the incident over to them (see the incidents API). */
  handOverPages(alert: Alert, evidence: Evidence | null, by: string, at: number): OutboxEntry[];
  /**
   * Evidence for an alert at `now` from what the detector said (stored rows, plus `pending` ones not
   * committed yet); `recent`: the watched series' rows already read for this tick (see `recentPoints`);
   * `incident`: the alerts of the incident it joined (their moves still under way are named with their
   * true lead, see correlation.ts `correlatedWith`).
   */
  evidence(alert: Alert, now: number, pending?: readonly StoredDetectorPoint[], recent?: RecentPoints, incident?: readonly Alert[]): Promise<Evidence>;
}

/** Stored detector rows of every watched series over [from, to), with the tick's own rows merged in. */
export interface RecentPoints {
  readonly from: number;
  readonly to: number;
  readonly points: PointsBySeries;
}

/**
 * Reads what the detector said about `keys` over [from, to) and lays this tick's rows (not committed yet)
 * over them: the window correlation evidence and incident grouping look at.
 */
export async function recentPoints(ctx: ServiceContext, keys: readonly string[], from: number, to: number, pending: readonly StoredDetectorPoint[] = []): Promise<RecentPoints> {
  const stored = await ctx.store.detectorPoints.readMany(keys, from, to);
  const wanted = new Set(keys);
  const byKey = new Map<string, Map<number, StoredDetectorPoint>>();
  for (const [key, rows] of stored) byKey.set(key, new Map(rows.map((p) => [p.t, p])));
  for (const p of pending) {
    if (!wanted.has(p.series) || p.t < from || p.t >= to) continue;
    let m = byKey.get(p.series);
    if (!m) byKey.set(p.series, (m = new Map()));
    m.set(p.t, p);
  }
  const points = new Map<string, StoredDetectorPoint[]>();
  for (const [key, m] of byKey) points.set(key, [...m.values()].sort((a, b) => a.t - b.t));
  return { from, to, points };
}

export function createAlerting(ctx: ServiceContext, options: AlertingOptions): AlertingEngine {
  const config = ctx.config.alerting;
  const runtime = compileAlerting(config);
  const log = ctx.log.child({ module: 'alerting' });
  // Built once for their names and `sendResolved`; the notify worker holds the ones that send.
  const notifiers = createNotifiers(config.notifiers, { logger: log, clock: ctx.clock });
  const ack = options.ackSecret === null ? null : ackLinkOptions(config, options.ackSecret, options.publicUrl);
  // Notifications in the deployment's language, worded from the dashboard's catalogue; each keeps it (`lang`).
  const language = { lang: config.language, t: translator(config.language) };
  const { t } = language;
  /** One outbox entry per notifier this kind goes to; the key `<intent key>.<notifier>` is its job id. */
  const outboxEntries = (notification: Notification): OutboxEntry[] =>
    notifiersFor(notification.kind, notifiers).map((notifier) => {
      const payload: JobPayloads['notify'] = { notification, notifier: notifier.name };
      return { key: `${notification.key}.${notifier.name}`, alertId: notification.alert.id, notifier: notifier.name, payload };
    });
  const dashboardBaseUrl = config.dashboardUrl ?? options.publicUrl;

  const correlation = runtime.correlation ?? { windowMs: config.evidence.correlationWindow, limit: config.evidence.correlated };
  /**
   * How far back a tick reads for correlation: an alert's onset may lie two windows before its first
   * anomaly, the ranking looks a window before that; plus half an hour of alerts opened earlier.
   */
  const lookback = 3 * correlation.windowMs + 30 * 60_000;

  /** The series that moved with `alert`: from `recent` when it covers the alert's window, else read now. */
  const correlatedOf = async (alert: Alert, now: number, pending: readonly StoredDetectorPoint[], recent?: RecentPoints, incident: readonly Alert[] = []) => {
    if (correlation.limit <= 0) return [];
    const step = ctx.config.series.step;
    const from = alert.startsAt - 3 * correlation.windowMs - 2 * step;
    const to = Math.min(now, alert.startsAt + 2 * correlation.windowMs) + step;
    const window = recent !== undefined && recent.from <= from ? recent : await recentPoints(ctx, await watchedKeys(), from, to, pending);
    return correlatedWith(alert, window.points, now, correlation, incident);
  };
  const watchedKeys = async (): Promise<string[]> => (await watchedSeries(ctx)).map((s) => s.key);

  const evidence = async (alert: Alert, now: number, pending: readonly StoredDetectorPoint[] = [], recent?: RecentPoints, incident: readonly Alert[] = []): Promise<Evidence> => {
    const req = evidenceRequest(alert, config.evidence, now);
    const filter = { complaint: true, ...(req.category ? { category: req.category } : {}) };
    const bandOf = async () => {
      const byT = new Map((await ctx.store.detectorPoints.read(req.series, req.window.from, req.window.to)).map((p) => [p.t, p]));
      for (const p of pending) if (p.series === req.series && p.t >= req.window.from && p.t < req.window.to) byT.set(p.t, p);
      return [...byT.values()].sort((a, b) => a.t - b.t);
    };
    const [band, channels, current, baseline, examples, correlated] = await Promise.all([
      bandOf(),
      ctx.store.messages.countBy('channel', { ...filter, from: req.window.from, to: req.window.to }),
      ctx.store.messages.termCounts({ ...filter, from: req.window.from, to: req.window.to }),
      ctx.store.messages.termCounts({ ...filter, from: req.baseline.from, to: req.baseline.to }, 20_000),
      ctx.store.messages.list({ ...filter, from: req.window.from, to: req.window.to }, Math.max(1, req.examples * 4)),
      correlatedOf(alert, now, pending, recent, incident),
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
      correlated,
    });
  };

  /** The alerting side of a tick: the state machine, evidence at decision time, outbox entries. */
  const decide = async (result: JudgedTick, pending: readonly StoredDetectorPoint[]): Promise<{ writes: AlertingWrites; events: readonly { alertId: string; type: string; series?: string; to?: string | null }[] }> => {
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
    // What the detector said about every watched series lately: an alert about to page checks whether
    // it is another signal of an incident already firing (read only when there is something to decide).
    const recent = open.length > 0 || observations.some((o) => o.status === 'anomaly') ? await recentPoints(ctx, result.watched, now - lookback, now + 1, pending) : undefined;
    const out = evaluate({ now, alerts: open, observations, silences, ...(recent ? { points: recent.points } : {}) }, runtime);
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
        const gathered = await evidence(alert, now, pending, recent);
        ev = late ? { ...gathered, late } : gathered;
        evidenceRows.push({ alertId: alert.id, evidence: ev });
      } catch (error) {
        log.warn({ alertId: alert.id, err: error }, 'evidence could not be gathered; notifying without it');
      }
      const built = buildNotification({ intent, alert, evidence: ev, oncall: runtime.oncall, ack, labels: config.evidence.labels, language });
      outbox.push(
        ...outboxEntries(late ? { ...built, title: `${built.title} (${t('late data')})`, summary: t('From late data: {summary}', { summary: built.summary }) } : built),
      );
    }
    // An alert that joined another's incident pages nobody, but the dashboard shows what it saw.
    for (const e of out.events) {
      const alert = e.type === 'attached' ? byId.get(e.alertId) : undefined;
      if (!alert) continue;
      try {
        const incident = alerts.filter((a) => a.id === e.related || (a.id !== alert.id && a.attachedTo === e.related));
        evidenceRows.push({ alertId: alert.id, evidence: await evidence(alert, now, pending, recent, incident) });
      } catch (error) {
        log.warn({ alertId: alert.id, err: error }, 'evidence could not be gathered');
      }
    }
    return { writes: { alerts, events: out.events.map((e) => ({ ...e })), evidence: evidenceRows, outbox }, events: out.events };
  };

  const onTick = async (result: TickResult, lease?: Lease): Promise<void> => {
    const decided = config.enabled ? await decide(result, result.writes.points) : { writes: NO_ALERTING, events: [] };
    // A tick that lost its lease may overlap another holder's: it commits nothing.
    if (lease?.lost) throw new RadarError('ERR_LOCK_LOST', 'detector tick lost its lease before committing; nothing written', { retryable: true });
    failpoint('tick.before-commit');
    await commitTick(ctx.store, result.writes, decided.writes);
    failpoint('tick.after-commit');
    for (const e of decided.events) log.info({ alertId: e.alertId, event: e.type, series: e.series, to: e.to }, 'alert event');
    await relayOutbox(ctx);
  };

  const onJudged = async (tick: JudgedTick, taken: readonly InboxKey[], lease?: Lease): Promise<void> => {
    // What the group jobs said is committed already: nothing pending to lay over the stored rows.
    const decided = config.enabled ? await decide(tick, []) : { writes: NO_ALERTING, events: [] };
    if (lease?.lost) throw new RadarError('ERR_LOCK_LOST', 'alerting step lost its lease before committing; nothing written', { retryable: true });
    failpoint('alerting.before-commit');
    await commitAlerting(ctx.store, decided.writes, taken, { at: tick.now, judgedUntil: tick.judgedUntil });
    failpoint('alerting.after-commit');
    for (const e of decided.events) log.info({ alertId: e.alertId, event: e.type, series: e.series, to: e.to }, 'alert event');
    await relayOutbox(ctx);
  };

  /**
   * The page that tells `alert.owner` a person (`by`) handed the incident over to them: one outbox
   * entry per notifier, written by the hand over's own transaction and sent by the next relay.
   */
  const handOverPages = (alert: Alert, gathered: Evidence | null, by: string, at: number): OutboxEntry[] => {
    const intent = { key: `${alert.id}-handed_over-${at}-${alert.owner ?? 'nobody'}`, kind: 'handed_over', at, owner: alert.owner, by } as const;
    return outboxEntries(buildNotification({ intent, alert, evidence: gathered, oncall: runtime.oncall, ack, labels: config.evidence.labels, language }));
  };

  return { runtime, onTick, onJudged, evidence, handOverPages };
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
