/**
 * The service context: everything a worker or the api needs, built once per process from the config.
 * This is a composition root: it opens Redis and the database; `close()` releases them.
 */
import type { Logger } from 'pino';
import type { Classification } from '../src/domain/classification.js';
import type { Lang } from '../src/domain/message.js';
import type { ServiceConfig } from '../src/config/service.js';
import { resolveAuthorKey } from '../src/config/credentials.js';
import { ensurePrivateDir } from '../src/platform/private-files.js';
import { systemClock, type Clock } from '../src/platform/clock.js';
import { createMetrics, type Metrics } from '../src/platform/metrics.js';
import { checkEvictionPolicy, connectRedis, describeTarget, pingCluster, pingSentinelPrimary, type RedisClient } from '../src/queues/connection.js';
import { RedisKeys } from '../src/queues/keys.js';
import { Queues } from '../src/queues/queues.js';
import { RadarError } from '../src/platform/errors.js';
import { ensureRedis, type EnsuredRedis } from '../src/queues/redis-launcher.js';
import { SourceState } from '../src/sources/source-state.js';
import { Store } from '../src/store/store.js';

/** What ingest needs of the classifier (the classifier module's `Classifier` satisfies it). */
export interface ClassifierLike {
  classify(text: string, lang?: Lang | null, channel?: string | null): Classification;
}

/** Holds the live classifier; hot reload swaps it, a failed reload keeps the old one and the error. */
export interface ClassifierHolder {
  readonly current: ClassifierLike;
  readonly lastError: string | null;
  readonly loadedAt: number;
  /** Category names of the keyword config in use (a relabel must name one of them). */
  readonly categories: readonly string[];
  /** The model version in use (the live classifier has one; see workers/classifier.ts). */
  readonly version?: string;
}

export interface ServiceContext {
  readonly config: ServiceConfig;
  readonly log: Logger;
  readonly clock: Clock;
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
  readonly queues: Queues;
  readonly store: Store;
  readonly metrics: Metrics;
  readonly sources: SourceState;
  /** The one key of every author/contact hash (RADAR_AUTHOR_KEY, else generated into <dataDir>/credentials.json). */
  readonly authorKey: string;
  classifier: ClassifierHolder;
  close(): Promise<void>;
}

export interface CreateContextOptions {
  readonly log: Logger;
  readonly clock?: Clock;
  readonly classifier: ClassifierHolder;
  /** Start a private redis-server when nothing answers (the CLI's all-in-one start). */
  readonly autoStartRedis?: boolean;
  /** `apply` (default): apply pending migrations; `check`: exit with ERR_SCHEMA_OUTDATED when any is pending. */
  readonly migrations?: 'apply' | 'check';
  /** How the database is opened: by default at once (an unreachable one throws); `radar start` waits for it (workers/database-wait.ts). */
  readonly openStore?: (open: () => Promise<Store>) => Promise<Store>;
}

export async function createContext(config: ServiceConfig, options: CreateContextOptions): Promise<ServiceContext> {
  const log = options.log;
  // Before anything writes under dataDir: the folder is 0700, the key is read or generated once.
  ensurePrivateDir(config.dataDir);
  const authorKey = resolveAuthorKey(config.dataDir);
  const target = { url: config.redis.url, cluster: config.redis.cluster, sentinels: config.redis.sentinels, sentinelName: config.redis.sentinelName };
  const cluster = target.cluster.length > 0;
  let ensured: EnsuredRedis | null = null;
  if (cluster) {
    // A cluster is never started privately: it must answer (some seed node, and the slots it reports).
    if (!(await pingCluster(target))) {
      throw new RadarError('ERR_REDIS_UNAVAILABLE', `no node of the ${describeTarget(target)} answers with a usable slot map: check redis.cluster (REDIS_CLUSTER_NODES) and that the cluster is up (redis-cli --cluster check)`);
    }
  } else if (target.sentinels.length > 0) {
    if (!(await pingSentinelPrimary(target))) {
      throw new RadarError('ERR_REDIS_UNAVAILABLE', `the ${describeTarget(target)} does not answer: check redis.sentinels (REDIS_SENTINEL_NODES), redis.sentinelName and that a sentinel knows the primary (redis-cli -p <port> sentinel get-master-addr-by-name <name>)`);
    }
  } else {
    ensured = await ensureRedis(config.redis.url, {
      autoStart: (options.autoStartRedis ?? false) && config.redis.autoStart,
      dataDir: config.dataDir,
      log,
    });
  }
  const redis = connectRedis(target);
  redis.on('error', (error: Error) => log.warn({ err: error.message }, 'redis connection error'));
  const policy = await checkEvictionPolicy(redis).catch(() => null);
  if (policy !== null && policy !== 'noeviction') {
    log.warn({ policy }, 'Redis maxmemory-policy is not noeviction: BullMQ can lose jobs under memory pressure (CONFIG SET maxmemory-policy noeviction)');
  }
  const keys = new RedisKeys(config.redis.prefix, { slotPerQueue: cluster });
  const queues = new Queues(redis, keys, { attempts: config.ingest.attempts, backoffMs: config.ingest.backoff });
  let store: Store;
  try {
    const open = () => Store.open({ url: config.database.url, schema: config.database.schema, migrations: options.migrations ?? 'apply' });
    store = await (options.openStore ? options.openStore(open) : open());
  } catch (error) {
    await queues.close();
    redis.disconnect();
    await ensured?.stop();
    throw error;
  }
  const ctx: ServiceContext = {
    config,
    log,
    clock: options.clock ?? systemClock,
    redis,
    keys,
    queues,
    store,
    metrics: createMetrics(),
    sources: new SourceState(redis, keys, store.sources, options.clock ?? systemClock),
    authorKey,
    classifier: options.classifier,
    async close() {
      await queues.close();
      await store.close();
      await redis.quit().catch(() => redis.disconnect());
      await ensured?.stop();
    },
  };
  return ctx;
}
