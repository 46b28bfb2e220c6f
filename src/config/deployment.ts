/**
 * `radar config check --deployment`: is this config fit for a service spread over several processes
 * and hosts? Each process must share what one process would otherwise generate for itself (the session
 * secret that signs sessions and ack links, the author hash key, the login) and one database.
 */
import { AUTHOR_KEY_ENV, MIN_SECRET_LENGTH } from './credentials.js';
import type { ServiceConfig } from './service.js';

export interface DeploymentCheck {
  /** What would break a multi-process deployment: each names the key or variable and what to do. */
  readonly errors: readonly string[];
  /** Worth knowing, not refused (a loopback address other hosts cannot reach). */
  readonly notes: readonly string[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

export function checkDeployment(config: ServiceConfig, env: NodeJS.ProcessEnv): DeploymentCheck {
  const errors: string[] = [];
  const notes: string[] = [];
  const postgres = /^postgres(ql)?:\/\//i.test(config.database.url);
  if (!postgres) {
    errors.push(
      `database.url is a local SQLite file (${config.database.url}): processes on several hosts need one shared PostgreSQL database; set DATABASE_URL=postgres://user@host:5432/db (and database.schema)`,
    );
  }
  if (config.auth.sessionSecret === undefined) {
    errors.push(
      'auth.sessionSecret is not set: each process would generate its own into <dataDir>/credentials.json, and a session or ack link signed by one would be refused by another; add `sessionSecret: ${RADAR_SESSION_SECRET}` under auth and set RADAR_SESSION_SECRET (openssl rand -base64 32) in every process\'s environment',
    );
  }
  const authorKey = env[AUTHOR_KEY_ENV];
  if (authorKey === undefined || authorKey === '') {
    errors.push(
      `${AUTHOR_KEY_ENV} is not set: each host would generate its own author hash key, and one author would hash differently per host; set ${AUTHOR_KEY_ENV} (openssl rand -base64 32) in every process's environment`,
    );
  } else if (authorKey.length < MIN_SECRET_LENGTH) {
    errors.push(`${AUTHOR_KEY_ENV} must be at least ${MIN_SECRET_LENGTH} characters (openssl rand -base64 32)`);
  }
  if (config.auth.users.length === 0 && config.auth.tokens.length === 0) {
    errors.push(
      'auth.users and auth.tokens are empty: each api process would generate its own admin login and API token; configure users (passwordHash from `radar auth hash-password`) and tokens (`token: ${RADAR_API_TOKEN}`)',
    );
  }
  if (config.redis.cluster.length === 0 && config.redis.sentinels.length === 0) {
    const host = hostOf(config.redis.url);
    if (host !== null && LOOPBACK.has(host)) notes.push(`redis.url is ${host}: only processes on this host reach it (set REDIS_URL, or redis.cluster / REDIS_CLUSTER_NODES, or redis.sentinels / REDIS_SENTINEL_NODES)`);
  }
  if (postgres) {
    const host = hostOf(config.database.url);
    if (host !== null && LOOPBACK.has(host)) notes.push(`database.url is on ${host}: only processes on this host reach it`);
  }
  return { errors, notes };
}
