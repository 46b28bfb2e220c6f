/**
 * What one process runs (`--role`), who migrates at start (`database.migrate`), what `config check
 * --deployment` refuses, and the config errors of the new keys.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue } from '../../../src/config/load.js';
import { checkDeployment } from '../../../src/config/deployment.js';
import { loadServiceConfig, serviceConfigSchema } from '../../../src/config/service.js';
import { migratesAtStart, planRoles } from '../../../workers/roles.js';

const fixture = (name: string) => new URL(`../../fixtures/config/${name}`, import.meta.url).pathname;
const SECRET = 'a-shared-secret-of-at-least-32-characters';
const PG = 'postgres://radar@db.internal:5432/radar';

const shared = {
  database: { url: PG, schema: 'radar' },
  redis: { cluster: ['10.0.0.1:7000', '10.0.0.2:7000', '10.0.0.3:7000'] },
  auth: { sessionSecret: SECRET, tokens: [{ name: 'ops', token: 'a-token-of-16-chars-or-more' }] },
};

describe('--role', () => {
  it.each([
    ['all', { roles: ['all'], api: true, all: true, workers: ['ingest', 'poll', 'detect', 'notify', 'demo', 'retention'] }],
    ['api', { roles: ['api'], api: true, all: false, workers: [] }],
    ['ingest', { roles: ['ingest'], api: false, all: false, workers: ['ingest'] }],
    ['poll', { roles: ['poll'], api: false, all: false, workers: ['poll', 'demo'] }],
    ['detect', { roles: ['detect'], api: false, all: false, workers: ['detect', 'retention'] }],
    ['notify', { roles: ['notify'], api: false, all: false, workers: ['notify'] }],
    ['api,ingest', { roles: ['api', 'ingest'], api: true, all: false, workers: ['ingest'] }],
    [' notify , detect,notify', { roles: ['notify', 'detect'], api: false, all: false, workers: ['detect', 'notify', 'retention'] }],
    ['api,all', { roles: ['all'], api: true, all: true, workers: ['ingest', 'poll', 'detect', 'notify', 'demo', 'retention'] }],
  ])('%j', (spec, plan) => {
    expect(planRoles(spec)).toEqual(plan);
  });

  it.each([
    ['apy', '--role: unknown role "apy" (one of api, ingest, poll, detect, notify, all)'],
    ['api,,worker', '--role: unknown role "worker" (one of api, ingest, poll, detect, notify, all)'],
    [' , ', '--role: no role given (one or more of api, ingest, poll, detect, notify, all, comma-separated)'],
  ])('%j is refused: %s', (spec, message) => {
    expect(() => planRoles(spec)).toThrow(message);
  });
});

describe('database.migrate: who migrates at start', () => {
  const config = (url: string, migrate?: string) => serviceConfigSchema.parse({ database: { url, ...(migrate ? { migrate } : {}) } });
  it.each([
    ['auto', PG, true, true],
    ['auto', PG, false, false],
    ['auto', 'sqlite:./data/radar.db', false, true],
    ['always', PG, false, true],
    ['never', PG, true, false],
    ['never', 'sqlite:./data/radar.db', true, false],
  ] as const)('%s on %s, role all: %s → %s', (mode, url, all, expected) => {
    expect(migratesAtStart(config(url, mode), all)).toBe(expected);
  });

  it('defaults to auto', () => {
    expect(serviceConfigSchema.parse({}).database.migrate).toBe('auto');
  });
});

describe('config check --deployment', () => {
  const env = { RADAR_AUTHOR_KEY: SECRET };

  it('accepts shared secrets from the environment, a PostgreSQL database and a cluster', () => {
    expect(checkDeployment(serviceConfigSchema.parse(shared), env)).toEqual({ errors: [], notes: [] });
  });

  it('refuses the defaults of a one-process install, naming each missing piece', () => {
    const { errors, notes } = checkDeployment(serviceConfigSchema.parse({}), {});
    expect(errors.map((e) => e.split(':')[0])).toEqual(['database.url is a local SQLite file (sqlite', 'auth.sessionSecret is not set', 'RADAR_AUTHOR_KEY is not set', 'auth.users and auth.tokens are empty']);
    expect(errors[0]).toContain('set DATABASE_URL=postgres://');
    expect(errors[1]).toContain('RADAR_SESSION_SECRET');
    expect(notes).toEqual(['redis.url is 127.0.0.1: only processes on this host reach it (set REDIS_URL, or redis.cluster / REDIS_CLUSTER_NODES, or redis.sentinels / REDIS_SENTINEL_NODES)']);
  });

  it.each([
    ['a local SQLite file', { ...shared, database: { url: 'sqlite:/var/lib/radar/radar.db' } }, env, 'database.url is a local SQLite file (sqlite:/var/lib/radar/radar.db)'],
    ['no session secret', { ...shared, auth: { tokens: shared.auth.tokens } }, env, 'auth.sessionSecret is not set'],
    ['no author key', shared, {}, 'RADAR_AUTHOR_KEY is not set'],
    ['a short author key', shared, { RADAR_AUTHOR_KEY: 'short' }, 'RADAR_AUTHOR_KEY must be at least 32 characters'],
    ['no login', { ...shared, auth: { sessionSecret: SECRET } }, env, 'auth.users and auth.tokens are empty'],
  ])('refuses %s', (_name, raw, environment, start) => {
    const { errors } = checkDeployment(serviceConfigSchema.parse(raw), environment);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.startsWith(start)).toBe(true);
  });

  it('notes a loopback database without refusing it (several processes on one host)', () => {
    const { errors, notes } = checkDeployment(serviceConfigSchema.parse({ ...shared, database: { url: 'postgres://radar@127.0.0.1:5432/radar' } }), env);
    expect(errors).toEqual([]);
    expect(notes).toEqual(['database.url is on 127.0.0.1: only processes on this host reach it']);
  });
});

describe('errors of the new keys name the file, line and key', () => {
  function errorsOf(name: string): string[] {
    try {
      loadServiceConfig(fixture(name), {});
    } catch (error) {
      if (error instanceof ConfigError) return error.issues.map((i) => formatIssue({ ...i, file: name }));
      throw error;
    }
    throw new Error(`${name} was accepted`);
  }
  it.each([
    ['bad-cluster-node.yaml', ['bad-cluster-node.yaml:2: redis.cluster[1]: must be host:port']],
    ['cluster-and-sentinels.yaml', ['cluster-and-sentinels.yaml:3: redis.sentinels: set cluster or sentinels, not both']],
    ['bad-migrate-mode.yaml', ["bad-migrate-mode.yaml:2: database.migrate: Invalid enum value. Expected 'auto' | 'always' | 'never', received 'sometimes'"]],
  ])('%s', (name, expected) => {
    expect(errorsOf(name)).toEqual(expected);
  });
});

describe('Redis Cluster and Sentinel nodes from the environment', () => {
  const file = fixture('bad-migrate-mode.yaml').replace('bad-migrate-mode.yaml', 'empty.yaml');
  it.each([
    ['REDIS_CLUSTER_NODES', 'cluster'],
    ['REDIS_SENTINEL_NODES', 'sentinels'],
  ] as const)('%s: a comma list of host:port; a malformed node is one clear error', (name, key) => {
    expect(loadServiceConfig(file, { [name]: ' 10.0.0.1:7000, [::1]:7001 ' }).redis[key]).toEqual(['10.0.0.1:7000', '[::1]:7001']);
    expect(loadServiceConfig(file, { [name]: '' }).redis[key]).toEqual([]);
    expect(() => loadServiceConfig(file, { [name]: '10.0.0.1:7000,redis-a' })).toThrow(`${name}: "redis-a" is not host:port`);
  });
});
