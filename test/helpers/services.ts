/**
 * Real services for integration tests, isolated per test: a unique Redis key prefix, a fresh SQLite
 * file or PostgreSQL schema, cleaned up afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { serviceConfigSchema, type ServiceConfig } from '../../src/config/service.js';
import { silentLogger } from '../../src/platform/log.js';
import { pingRedis, createRedis, scanKeys } from '../../src/queues/connection.js';
import { dropSchema } from '../../src/store/database.js';
import type { Clock } from '../../src/platform/clock.js';
import { createContext, type ClassifierHolder, type ServiceContext } from '../../workers/context.js';
import { testClassifierHolder } from './classifier.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

let pgAvailable: Promise<boolean> | undefined;
/** Is PostgreSQL reachable? In CI (CI=true) it must be: a missing database fails instead of skipping. */
export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (error) {
      if (process.env.CI === 'true') throw new Error(`PostgreSQL is required in CI but ${POSTGRES_URL} does not answer: ${(error as Error).message}`);
      process.stderr.write(`\n!!! PostgreSQL tests SKIPPED: ${POSTGRES_URL} does not answer (${(error as Error).message}). Set TEST_DATABASE_URL.\n\n`);
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgAvailable;
}

export async function requireRedis(): Promise<void> {
  if (!(await pingRedis(REDIS_URL))) throw new Error(`Redis is required for integration tests but ${REDIS_URL} does not answer (start redis-server or set TEST_REDIS_URL)`);
}

/** Removes what processes started by a test left behind: the Redis keys under `prefix` and the PostgreSQL `schema`. */
export async function dropProcessState(prefix: string, schema: string): Promise<void> {
  const redis = createRedis(REDIS_URL);
  try {
    const keys = await scanKeys(redis, `*${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
  await dropSchema(POSTGRES_URL, schema);
}

export type DbKind = 'sqlite' | 'postgres';

export interface TestService {
  readonly ctx: ServiceContext;
  readonly config: ServiceConfig;
  readonly prefix: string;
  readonly dir: string;
  cleanup(): Promise<void>;
}

/** A full service context on real Redis and a real database, unique to the calling test. */
export async function createTestService(
  options: { db?: DbKind; config?: Record<string, unknown>; clock?: Clock; classifier?: ClassifierHolder } = {},
): Promise<TestService> {
  await requireRedis();
  const prefix = uniqueName('t');
  const dir = mkdtempSync(join(tmpdir(), 'radar-test-'));
  const schema = prefix.toLowerCase();
  const db = options.db ?? 'sqlite';
  const config = serviceConfigSchema.parse({
    ...options.config,
    dataDir: dir,
    redis: { url: REDIS_URL, prefix, autoStart: false },
    database: db === 'postgres' ? { url: POSTGRES_URL, schema } : { url: `sqlite:${join(dir, 'radar.db')}` },
  });
  const ctx = await createContext(config, {
    log: silentLogger,
    classifier: options.classifier ?? testClassifierHolder(),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    ctx,
    config,
    prefix,
    dir,
    async cleanup() {
      await ctx.queues.obliterate().catch(() => undefined);
      const redis = createRedis(REDIS_URL);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
      await ctx.close();
      if (db === 'postgres') await dropSchema(POSTGRES_URL, schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
