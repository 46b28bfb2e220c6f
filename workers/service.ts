/**
 * The whole service in one process (`radar start`), or one worker kind (`radar worker <name>`).
 * Composition root: config → classifier → context (Redis, database) → workers → HTTP.
 */
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { buildApp } from '../src/api/app.js';
import { Authenticator } from '../src/api/auth.js';
import { startServer } from '../src/api/server.js';
import { resolveAuth } from '../src/config/credentials.js';
import type { ServiceConfig } from '../src/config/service.js';
import { Shutdown } from '../src/platform/shutdown.js';
import { QUEUE_NAMES } from '../src/queues/jobs.js';
import { watchSchedulers } from '../src/queues/schedulers.js';
import { systemClock } from '../src/platform/clock.js';
import type { PollHandler } from '../src/sources/poll.js';
import { redisSeenIds } from '../src/sources/imap/index.js';
import { buildPollHandlers } from '../src/sources/registry.js';
import { LiveClassifier } from './classifier.js';
import { createAlerting, startNotifyWorker } from './alerting.js';
import { createContext, type ServiceContext } from './context.js';
import { startIngestWorker } from './ingest.js';
import { startMetricsServer, startStartingServer, type MetricsServer } from './metrics-server.js';
import { whenDatabaseReachable } from './database-wait.js';
import { startRetentionWorker } from './retention.js';
import { startPollWorker, syncPollSchedulers } from './poll.js';
import { backfillInProgress, demoEnabled, startDemo } from './demo.js';
import { startDetectWorker, type JudgedHandler } from './detect-groups.js';
import { metricBackfillPending } from './metric-backfill.js';

export const WORKER_KINDS = ['ingest', 'poll', 'detect', 'notify', 'demo', 'retention'] as const;
export type WorkerKind = (typeof WORKER_KINDS)[number];

export interface RunOptions {
  readonly config: ServiceConfig;
  readonly log: Logger;
  /** Which workers this process runs. */
  readonly workers: readonly WorkerKind[];
  /** Serve the HTTP api and dashboard. */
  readonly api: boolean;
  /** Start a private redis-server when none answers (all-in-one start). */
  readonly autoStartRedis: boolean;
  /** `apply` (default): apply pending migrations at start; `check`: refuse to start while any is pending (workers/roles.ts `migratesAtStart`). */
  readonly migrations?: 'apply' | 'check';
  /** Called once with generated credentials on the very first start. */
  readonly onFirstStart?: (info: { name: string; password: string; apiToken: string; file: string }) => void;
  /** Demo backfill progress (done, total minutes). */
  readonly onBackfillProgress?: (done: number, total: number) => void;
  /**
   * Wait for a database that cannot be reached at start (backoff, logged, `/health` 503 "starting" on
   * the process's port meanwhile) instead of failing: `radar start`. Tests leave it off to fail fast.
   */
  readonly waitForDatabase?: boolean;
  /** Told once when the start waits for the database: why, and where `/health` answers meanwhile (null: no port). */
  readonly onWaitingForDatabase?: (reason: string, healthUrl: string | null) => void;
}

export interface RunningService {
  readonly ctx: ServiceContext;
  readonly url: string | null;
  /** The /metrics listener of a worker-only process (`metrics.port`), else null. */
  readonly metricsUrl: string | null;
  readonly shutdown: Shutdown;
  /** The workers that run in this process (a requested kind with nothing to do does not start). */
  readonly workers: readonly WorkerKind[];
}

/** Source poll handlers configured in the service config (src/sources/registry.ts). */
export function pollHandlers(ctx: ServiceContext, authorKey: string): PollHandler[] {
  return buildPollHandlers(ctx.config, { authorKey, seenIds: redisSeenIds(ctx.redis, ctx.keys), metrics: ctx.metrics });
}

export async function runService(options: RunOptions): Promise<RunningService> {
  const { config, log } = options;
  const shutdown = new Shutdown(log);
  // Generated once on the very first start (then read back): the session secret also signs ack links.
  const resolved = resolveAuth(config);
  const classifier = new LiveClassifier(config.classify.keywords, log.child({ module: 'classifier' }), () => systemClock.now());
  // While the database cannot be reached: /health says "starting" on the port this process will serve.
  let waitingFor: string | null = null;
  let starting: Promise<MetricsServer | null> | null = null;
  const startingAt = options.api ? { host: config.server.host, port: config.server.port } : config.metrics.port === null ? null : { host: config.metrics.host, port: config.metrics.port };
  const onWaiting = (reason: string) => {
    waitingFor = reason;
    starting ??= (async () => {
      const server = startingAt === null ? null : await startStartingServer({ ...startingAt, waitingFor: () => waitingFor }).catch(() => null);
      options.onWaitingForDatabase?.(reason, server === null ? null : `${server.url}/health`);
      return server;
    })();
  };
  const stopStarting = async () => {
    await (await starting)?.close();
  };
  const ctx = await createContext(config, {
    log,
    classifier,
    autoStartRedis: options.autoStartRedis,
    migrations: options.migrations ?? 'apply',
    ...(options.waitForDatabase ? { openStore: (open) => whenDatabaseReachable(open, { log, onWaiting }) } : {}),
  }).catch(async (error: unknown) => {
    await stopStarting();
    throw error;
  });
  waitingFor = null;
  shutdown.add('context', () => ctx.close());
  shutdown.add('classifier', () => classifier.close());

  // Model versions come from the database: publish the keyword file if it is new, load the active
  // version, then poll it; retrains and keyword edits are published once cluster-wide.
  await classifier.start({ store: ctx.store, redis: ctx.redis, keys: ctx.keys }, { pollMs: config.classify.versionPoll, retrainMs: config.classify.retrain });

  const closers: Array<{ kind: WorkerKind; name: string; close: () => Promise<void> }> = [];
  const want = new Set(options.workers);
  if (want.has('ingest')) {
    const ingest = startIngestWorker(ctx);
    closers.push({ kind: 'ingest', name: 'ingest worker', close: () => ingest.close() });
  }
  if (want.has('poll')) {
    const handlers = pollHandlers(ctx, ctx.authorKey);
    await syncPollSchedulers(ctx, handlers);
    if (handlers.length > 0) {
      const worker: Worker = startPollWorker(ctx, handlers);
      closers.push({ kind: 'poll', name: 'poll worker', close: () => worker.close() });
    }
  }
  const publicUrl = config.server.publicUrl ?? `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${config.server.port}`;
  const ackSecret = config.alerting.ack.secret ?? resolved.auth.sessionSecret;
  const alerting = createAlerting(ctx, { ackSecret, publicUrl });
  if (want.has('detect')) {
    const startedAt = ctx.clock.now();
    const onJudged: JudgedHandler = async (tick, taken, lease) => {
      for (const a of tick.anomalies) log.info({ series: a.series, reason: a.reason, value: a.value, expected: a.expected }, 'anomaly');
      await alerting.onJudged(tick, taken, lease);
    };
    const detect = await startDetectWorker(ctx, onJudged, {
      skip: async () => {
        if (await backfillInProgress(ctx)) return 'history backfill in progress';
        const pulling = await metricBackfillPending(ctx, ctx.clock.now(), startedAt);
        return pulling.length > 0 ? `first pull of metric sources in progress: ${pulling.join(', ')}` : null;
      },
    });
    closers.push({ kind: 'detect', name: 'detect worker', close: () => detect.close() });
  }
  if (want.has('notify')) {
    const notify = startNotifyWorker(ctx);
    closers.push({ kind: 'notify', name: 'notify worker', close: () => notify.close() });
  }
  if (want.has('demo') && demoEnabled(ctx)) {
    const demo = await startDemo(ctx, options.onBackfillProgress ? { onProgress: options.onBackfillProgress } : {});
    closers.push({ kind: 'demo', name: 'demo source', close: () => demo.close() });
  }
  if (want.has('retention') && config.retention.enabled) {
    const retention = await startRetentionWorker(ctx);
    closers.push({ kind: 'retention', name: 'retention worker', close: () => retention.close() });
  }
  for (const c of closers) shutdown.add(c.name, c.close);
  // Redis is a cache of schedules: re-create the schedulers declared above when Redis loses them.
  const watchdog = watchSchedulers({ redis: ctx.redis, queues: () => QUEUE_NAMES.map((n) => ctx.queues.get(n)), everyMs: config.redis.scheduleCheck, log });
  shutdown.add('scheduler watchdog', () => watchdog.stop());

  let url: string | null = null;
  await stopStarting();
  if (options.api) {
    if (resolved.firstStart && resolved.generated) {
      options.onFirstStart?.({ name: resolved.generated.admin.name, password: resolved.generated.admin.password, apiToken: resolved.generated.apiToken, file: resolved.file });
    }
    const app = await buildApp({
      ...ctx,
      auth: new Authenticator(resolved.auth),
      alerting: { ackSecret, handOver: alerting },
    });
    const server = await startServer(app, { host: config.server.host, port: config.server.port });
    url = server.url;
    shutdown.add('http', server.close);
    log.info({ url }, 'complaint-radar is listening');
  }
  // A process without the api still serves /metrics (and a tiny /health) on its own port (default 9464).
  // A port another process holds must not stop the workers: it is logged, loudly, and they run on.
  let metricsUrl: string | null = null;
  if (!options.api && config.metrics.port !== null) {
    try {
      const metrics = await startMetricsServer(ctx, { host: config.metrics.host, port: config.metrics.port });
      metricsUrl = metrics.url;
      shutdown.add('metrics http', metrics.close);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      log.error({ host: config.metrics.host, port: config.metrics.port }, 'metrics port in use: this process serves no /metrics (set METRICS_PORT to a free port per worker process)');
    }
  }
  return { ctx, url, metricsUrl, shutdown, workers: closers.map((c) => c.kind) };
}
