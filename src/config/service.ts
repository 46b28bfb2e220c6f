import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { duration } from './duration.js';
import { fromEnvironment } from './secret.js';
import { alertingConfigSchema } from './alerting.js';
import { appStoreSourcesSchema } from './appstore.js';
import { detectConfigSchema } from './detect.js';
import { imapSourcesSchema } from './imap.js';
import { graphiteSourcesSchema, prometheusSourcesSchema } from './metric-sources.js';
import { helpdeskSourcesSchema } from './helpdesk.js';
import { loadConfigFile } from './load.js';
import { RadarError } from '../platform/errors.js';
import { retentionConfigSchema } from './retention.js';
import { twitterSourcesSchema } from './twitter.js';
import { vkSourcesSchema } from './vk.js';
import { telegramSourcesSchema } from './telegram.js';
import { mastodonSourcesSchema } from './mastodon.js';
import { redditSourcesSchema } from './reddit.js';
import { blueskySourcesSchema } from './bluesky.js';

export const ROLES = ['viewer', 'admin'] as const;
/** A Redis Cluster seed node: `host:port` (or `[v6]:port`). */
export const CLUSTER_NODE_PATTERN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
/** `database.migrate`: who applies pending migrations at start. */
export const MIGRATE_MODES = ['auto', 'always', 'never'] as const;
export type Role = (typeof ROLES)[number];

const serverSchema = z
  .object({
    host: z.string().default('127.0.0.1').describe('Address the HTTP server listens on.'),
    port: z.number().int().min(0).max(65535).default(8080).describe('HTTP port (the PORT environment variable overrides it).'),
    publicUrl: z.string().url().optional().describe('Base URL users reach the dashboard at (links in alerts). Default http://<host>:<port>.'),
    trustProxy: z.boolean().default(false).describe('Trust X-Forwarded-* headers (behind a reverse proxy), for per-IP rate limits.'),
  })
  .strict()
  .describe('HTTP api, dashboard and report form.');

const redisSchema = z
  .object({
    url: z.string().default('redis://127.0.0.1:6379').describe('Redis URL (REDIS_URL overrides it). With `cluster` set, only its user, password and `rediss:` (TLS) are used, for every cluster node.'),
    cluster: z
      .array(z.string().regex(CLUSTER_NODE_PATTERN, 'must be host:port'))
      .default([])
      .describe('Seed nodes (`host:port`) of a Redis Cluster to use instead of the one Redis at `url` (REDIS_CLUSTER_NODES, comma-separated, overrides it). Each queue then gets its own hash tag `{prefix:queue}`, so the queues spread over the masters; no private redis-server is started.'),
    sentinels: z
      .array(z.string().regex(CLUSTER_NODE_PATTERN, 'must be host:port'))
      .default([])
      .describe('Redis Sentinel nodes (`host:port`) that name the primary to use instead of the one Redis at `url`, following it through a failover (REDIS_SENTINEL_NODES, comma-separated, overrides it). User, password and TLS come from `url`; not with `cluster`.'),
    sentinelName: z.string().min(1).default('mymaster').describe('The primary\'s name the sentinels monitor (`sentinel monitor <name> …`).'),
    prefix: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('radar').describe('Prefix of every Redis key (queues are hash-tagged `{prefix}`; on a Redis Cluster each queue has its own tag `{prefix:queue}`).'),
    autoStart: z
      .boolean()
      .default(true)
      .describe('When nothing answers at the URL and redis-server is on the PATH, start a private one (data under <dataDir>/redis, appendonly).'),
    scheduleCheck: duration()
      .default('30s')
      .refine((ms) => ms >= 100, 'must be at least 100ms')
      .describe('How often each process checks that the job schedulers it runs (polls, detect tick) exist in Redis and re-creates the missing ones (a Redis that restarted empty or was flushed); also checked on every reconnect.'),
  })
  .strict()
  .refine((redis) => redis.cluster.length === 0 || redis.sentinels.length === 0, { message: 'set cluster or sentinels, not both', path: ['sentinels'] })
  .describe('Redis: BullMQ queues, job schedulers and locks. Cursors and source status live in the database, so a Redis that restarts empty loses no cursor.');

const databaseSchema = z
  .object({
    url: z
      .string()
      .default('sqlite:./data/radar.db')
      .describe('sqlite:<path> (default) or a postgres:// URL (DATABASE_URL overrides it).'),
    schema: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public').describe('PostgreSQL schema to use.'),
    migrate: z
      .enum(MIGRATE_MODES)
      .default('auto')
      .describe(
        'Who applies pending migrations at start. auto: the all-in-one process (`radar start`, role all) and any process on a local SQLite file; a process with other roles on PostgreSQL only checks that the schema is current and exits with one line if not (run `radar migrate` once per upgrade). always: every process at start (serialised by the migration lock). never: only `radar migrate`.',
      ),
  })
  .strict()
  .describe('Where messages, series and alerts are stored.');

const tokenSchema = z
  .object({
    name: z.string().min(1).describe('Who uses the token (shown in logs and relabel history).'),
    token: fromEnvironment(z.string().min(16).describe('The bearer token; put it in the environment: `${RADAR_API_TOKEN}`.'), 'RADAR_API_TOKEN'),
    role: z.enum(ROLES).default('admin').describe('viewer: read APIs and dashboard; admin: also write APIs, config, silences.'),
  })
  .strict();

const userSchema = z
  .object({
    name: z.string().min(1).describe('Login name.'),
    passwordHash: z
      .string()
      .regex(/^scrypt\$/, 'must be an scrypt hash made by `radar auth hash-password`')
      .describe('scrypt hash from `radar auth hash-password` (never a plain password).'),
    role: z.enum(ROLES).default('viewer').describe('viewer (support) or admin (ops).'),
  })
  .strict();

const authSchema = z
  .object({
    tokens: z.array(tokenSchema).default([]).describe('API bearer tokens (for pushes and scripts).'),
    users: z.array(userSchema).default([]).describe('Dashboard users.'),
    sessionSecret: fromEnvironment(
      z
        .string()
        .min(32)
        .optional()
        .describe('Secret that signs dashboard sessions and ack links (`${RADAR_SESSION_SECRET}`); generated into <dataDir>/credentials.json when unset.'),
      'RADAR_SESSION_SECRET',
    ),
    sessionTtl: duration().default('12h').describe('How long a dashboard login lasts.'),
  })
  .strict()
  .describe('Who may use the dashboard and the write APIs. With no users and no tokens, an admin login and an API token are generated on first start into <dataDir>/credentials.json and printed once.');

const seriesSchema = z
  .object({
    step: duration().default('1m').describe('Bucket width of the complaint counters.'),
    reference: z.string().default('traffic').describe('Series that complaint rates are divided by (pushed by your site, pulled from Prometheus or Graphite, or made by the demo).'),
    settle: duration().default('1m').describe('How long after a bucket closes the detector waits for late messages before judging it.'),
    maxRange: duration().default('90d').describe('Widest time range one API request may read (`GET /api/series/:key`); wider is a 400 naming this limit.'),
    maxPoints: z.number().int().min(10).max(100_000).default(5000).describe('Most points one API response may hold (range / step); more is a 400 naming this limit.'),
  })
  .strict()
  .describe('Complaint counters per bucket.');

const ingestSchema = z
  .object({
    concurrency: z.number().int().min(1).max(2000).default(500).describe('Ingest jobs processed at once per worker process.'),
    attempts: z.number().int().min(1).max(20).default(3).describe('Tries before a message is dead-lettered.'),
    backoff: duration().default('1s').describe('First retry delay (exponential).'),
    batchSize: z.number().int().min(1).max(5000).default(500).describe('Messages written to the database in one transaction.'),
    batchWait: duration().default('20ms').describe('Longest wait to fill a batch.'),
    maxFutureSkew: duration()
      .default('10m')
      .describe(
        'How far in the future a message or pushed point may be dated (clock skew allowed). Later is a 400 naming the field at the API (push, series push), and a dead letter with the reason for a polled tweet or mail; so is anything dated before 2000.',
      ),
  })
  .strict()
  .describe('The ingest queue: dedupe, classify, store, count.');

const classifySchema = z
  .object({
    keywords: z.string().default('config/keywords.yaml').describe('Keyword config file (hot-reloaded when it changes).'),
    retrain: duration().default('10m').describe('How often the learned layer is retrained from relabels (by one process cluster-wide; a model that differs is published as a new version).'),
    versionPoll: duration()
      .default('5s')
      .describe('How often every process checks which model version is active (one indexed row) and loads it when it changed.'),
    recountWindow: duration()
      .default('14d')
      .describe(
        'When the active model version changes, messages created this far back are classified again with it and their complaint series re-counted, and the detector of every series that changed learns again from the corrected history (so a model change does not page as a level shift). Default: the detector\'s warm-up history.',
      ),
  })
  .strict()
  .describe('The classifier.');

const demoSchema = z
  .object({
    enabled: z
      .union([z.boolean(), z.literal('auto')])
      .default('auto')
      .describe('auto: run the demo source when no real source is configured.'),
    seed: z.number().int().default(42).describe('Random seed: the same seed gives the same stream.'),
    backfill: duration().default('14d').describe('History generated on first start (messages and traffic).'),
    incidentEvery: duration().default('25m').describe('Mean time between demo incidents.'),
    incidentLength: duration().default('15m').describe('Mean length of a demo incident.'),
    peakTrafficPerMinute: z.number().positive().default(60_000).describe('Traffic (visits per minute) at the daily peak.'),
    complaintsPerMillionVisits: z.number().positive().default(100).describe('Baseline complaint rate.'),
  })
  .strict()
  .describe('The built-in demo source (realistic English and Russian tweets, e-mails and form reports).');

const reportFormSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Serve the public "report a problem" form at /report.'),
    perIpPerHour: z.number().int().min(1).default(20).describe('Reports accepted per IP per hour.'),
  })
  .strict()
  .describe('The beta testers\' report form.');

const metricsSchema = z
  .object({
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .nullable()
      .default(9464)
      .describe('Port of the /metrics and /health listener of a process that runs workers without the HTTP api (`radar worker …`); null: none (METRICS_PORT overrides it; give each worker process on one host its own). A port already in use is logged as an error and the workers run on without it. Processes with the api serve /metrics on the api port.'),
    host: z.string().default('127.0.0.1').describe('Address that listener binds to.'),
  })
  .strict()
  .describe('Prometheus metrics of worker-only processes.');

export const serviceConfigSchema = z
  .object({
    dataDir: z.string().default('./data').describe('Folder for the SQLite file, the private Redis and generated credentials.'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level (LOG_LEVEL overrides it).'),
    server: serverSchema.default({}),
    redis: redisSchema.default({}),
    database: databaseSchema.default({}),
    auth: authSchema.default({}),
    series: seriesSchema.default({}),
    ingest: ingestSchema.default({}),
    classify: classifySchema.default({}),
    sources: z
      .object({
        twitter: twitterSourcesSchema,
        imap: imapSourcesSchema,
        prometheus: prometheusSourcesSchema,
        graphite: graphiteSourcesSchema,
        helpdesk: helpdeskSourcesSchema,
        appstore: appStoreSourcesSchema,
        vk: vkSourcesSchema,
        telegram: telegramSourcesSchema,
        mastodon: mastodonSourcesSchema,
        reddit: redditSourcesSchema,
        bluesky: blueskySourcesSchema,
      })
      .strict()
      .superRefine((sources, ctx) => {
        // Names key cursors and status: one name, one source, across kinds (and `demo` is the demo's).
        // (Repeats within one list are reported by that list.)
        const taken = new Map<string, string>([['demo', 'demo']]);
        for (const [kind, list] of Object.entries(sources) as Array<[string, ReadonlyArray<{ readonly name: string }>]>) {
          list.forEach((source, i) => {
            const owner = taken.get(source.name);
            if (owner !== undefined && owner !== kind) {
              ctx.addIssue({ code: z.ZodIssueCode.custom, path: [kind, i, 'name'], message: `source name "${source.name}" is already used` });
            }
            if (owner === undefined) taken.set(source.name, kind);
          });
        }
      })
      .default({})
      .describe('Real sources: messages (twitter, imap, helpdesk, appstore, vk, telegram, mastodon, bluesky, reddit) and metrics pulled into series (prometheus, graphite). While none is configured, the demo source runs (demo.enabled: auto).'),
    demo: demoSchema.default({}),
    detect: detectConfigSchema.default({}),
    alerting: alertingConfigSchema.default({}),
    reportForm: reportFormSchema.default({}),
    retention: retentionConfigSchema.default({}),
    metrics: metricsSchema.default({}),
  })
  .strict()
  .describe('The service config (config/radar.yaml).');

export type ServiceConfig = z.infer<typeof serviceConfigSchema>;

/** Which file the service reads: RADAR_CONFIG, else config/radar.yaml, else the example. */
export function serviceConfigPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.RADAR_CONFIG) return resolve(cwd, env.RADAR_CONFIG);
  const own = resolve(cwd, 'config/radar.yaml');
  return existsSync(own) ? own : resolve(cwd, 'config/radar.example.yaml');
}

/** Loads the service config and applies the environment overrides (PORT, REDIS_URL, REDIS_CLUSTER_NODES, DATABASE_URL, LOG_LEVEL, METRICS_PORT). */
export function loadServiceConfig(file: string, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const config = loadConfigFile(file, serviceConfigSchema, env);
  return applyEnvOverrides(config, env);
}

export function applyEnvOverrides(config: ServiceConfig, env: NodeJS.ProcessEnv): ServiceConfig {
  const port = env.PORT === undefined || env.PORT === '' ? undefined : Number(env.PORT);
  const metricsPort = env.METRICS_PORT === undefined || env.METRICS_PORT === '' ? undefined : Number(env.METRICS_PORT);
  return {
    ...config,
    logLevel: (env.LOG_LEVEL as ServiceConfig['logLevel'] | undefined) ?? config.logLevel,
    server: { ...config.server, port: port !== undefined && Number.isInteger(port) ? port : config.server.port },
    redis: {
      ...config.redis,
      url: env.REDIS_URL || config.redis.url,
      cluster: nodesFromEnv('REDIS_CLUSTER_NODES', env) ?? config.redis.cluster,
      sentinels: nodesFromEnv('REDIS_SENTINEL_NODES', env) ?? config.redis.sentinels,
    },
    database: { ...config.database, url: env.DATABASE_URL || config.database.url },
    metrics: { ...config.metrics, port: metricsPort !== undefined && Number.isInteger(metricsPort) ? metricsPort : config.metrics.port },
  };
}

/** REDIS_CLUSTER_NODES / REDIS_SENTINEL_NODES (`host:port,host:port`), or undefined when unset or empty. A malformed node is an ERR_CONFIG naming it. */
function nodesFromEnv(name: 'REDIS_CLUSTER_NODES' | 'REDIS_SENTINEL_NODES', env: NodeJS.ProcessEnv): string[] | undefined {
  const value = env[name];
  if (value === undefined || value.trim() === '') return undefined;
  const nodes = value.split(',').map((n) => n.trim()).filter((n) => n !== '');
  for (const node of nodes) {
    if (!CLUSTER_NODE_PATTERN.test(node)) throw new RadarError('ERR_CONFIG', `${name}: "${node}" is not host:port`, { context: { env: name } });
  }
  return nodes;
}
