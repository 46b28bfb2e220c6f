/**
 * The service context: everything a worker or the api needs, built once per process from the config.
 * This is a composition root: it opens Redis and the database; `close()` releases them.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Classification } from '../src/domain/classification.js';
import type { Lang } from '../src/domain/message.js';
import type { ServiceConfig } from '../src/config/service.js';
import { resolveAuthorKey } from '../src/config/credentials.js';
import { ensurePrivateDir } from '../src/platform/private-files.js';
import { systemClock, type Clock } from '../src/platform/clock.js';
import { createMetrics, type Metrics } from '../src/platform/metrics.js';
import { checkEvictionPolicy, createRedis } from '../src/queues/connection.js';
import { RedisKeys } from '../src/queues/keys.js';
import { Queues } from '../src/queues/queues.js';
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
  readonly redis: Redis;
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
}

export async function createContext(config: ServiceConfig, options: CreateContextOptions): Promise<ServiceContext> {
  const log = options.log;
  // Before anything writes under dataDir: the folder is 0700, the key is read or generated once.
  ensurePrivateDir(config.dataDir);
  const authorKey = resolveAuthorKey(config.dataDir);
  let ensured: EnsuredRedis | null = null;
  ensured = await ensureRedis(config.redis.url, {
    autoStart: (options.autoStartRedis ?? false) && config.redis.autoStart,
    dataDir: config.dataDir,
    log,
  });
  const redis = createRedis(config.redis.url);
  redis.on('error', (error) => log.warn({ err: error.message }, 'redis connection error'));
  const policy = await checkEvictionPolicy(redis).catch(() => null);
  if (policy !== null && policy !== 'noeviction') {
    log.warn({ policy }, 'Redis maxmemory-policy is not noeviction: BullMQ can lose jobs under memory pressure (CONFIG SET maxmemory-policy noeviction)');
  }
  const keys = new RedisKeys(config.redis.prefix);
  const queues = new Queues(redis, keys, { attempts: config.ingest.attempts, backoffMs: config.ingest.backoff });
  let store: Store;
  try {
    store = await Store.open({ url: config.database.url, schema: config.database.schema });
  } catch (error) {
    await queues.close();
    redis.disconnect();
    await ensured.stop();
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
