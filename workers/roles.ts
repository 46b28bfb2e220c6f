/**
 * Process roles (`radar start --role api,ingest`): which part of the service one process runs, so a
 * deployment can spread the service over processes and hosts. Every role is stateless apart from Redis
 * and the database; each process serves /health and /metrics (the api on its HTTP port, the others on
 * `metrics.port`).
 */
import { RadarError } from '../src/platform/errors.js';
import { isPostgresUrl } from '../src/store/database.js';
import type { ServiceConfig } from '../src/config/service.js';
import type { WorkerKind } from './service.js';

export const PROCESS_ROLES = ['api', 'ingest', 'poll', 'detect', 'notify', 'all'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

/** The workers each role runs: the demo source goes with the pollers, the retention job with the detector. */
const ROLE_WORKERS: Readonly<Record<Exclude<ProcessRole, 'api' | 'all'>, readonly WorkerKind[]>> = {
  ingest: ['ingest'],
  poll: ['poll', 'demo'],
  detect: ['detect', 'retention'],
  notify: ['notify'],
};
const ALL_WORKERS: readonly WorkerKind[] = ['ingest', 'poll', 'detect', 'notify', 'demo', 'retention'];

export interface RolePlan {
  readonly roles: readonly ProcessRole[];
  /** Serve the HTTP api and dashboard. */
  readonly api: boolean;
  readonly workers: readonly WorkerKind[];
  /** The whole service in this one process (role `all`). */
  readonly all: boolean;
}

/** Parses `api,ingest` (comma list, spaces allowed); unknown or empty is an ERR_CONFIG naming the choices. */
export function planRoles(spec: string): RolePlan {
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new RadarError('ERR_CONFIG', `--role: no role given (one or more of ${PROCESS_ROLES.join(', ')}, comma-separated)`);
  const roles: ProcessRole[] = [];
  for (const name of names) {
    if (!(PROCESS_ROLES as readonly string[]).includes(name)) throw new RadarError('ERR_CONFIG', `--role: unknown role "${name}" (one of ${PROCESS_ROLES.join(', ')})`);
    if (!roles.includes(name as ProcessRole)) roles.push(name as ProcessRole);
  }
  if (roles.includes('all')) return { roles: ['all'], api: true, workers: ALL_WORKERS, all: true };
  const workers = ALL_WORKERS.filter((w) => roles.some((r) => r !== 'api' && r !== 'all' && ROLE_WORKERS[r].includes(w)));
  return { roles, api: roles.includes('api'), workers, all: false };
}

/**
 * Does a process apply pending migrations at start (`database.migrate`)? auto: the all-in-one process,
 * and any process on a local SQLite file (one host; its write lock serialises them); a process that is
 * one of several on PostgreSQL only checks, `radar migrate` having run once. always / never: as named.
 */
export function migratesAtStart(config: ServiceConfig, all: boolean): boolean {
  if (config.database.migrate === 'always') return true;
  if (config.database.migrate === 'never') return false;
  return all || !isPostgresUrl(config.database.url);
}
