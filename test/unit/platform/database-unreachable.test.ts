import { describe, expect, it } from 'vitest';
import { RadarError } from '../../../src/platform/errors.js';
import { isDatabaseUnreachable, whenDatabaseReachable } from '../../../workers/database-wait.js';
import { silentLogger } from '../../../src/platform/log.js';

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnreachable', () => {
  it.each([
    ['refused, wrapped as at start', new RadarError('ERR_DB', 'cannot connect to PostgreSQL: connect ECONNREFUSED 127.0.0.1:5433', { cause: coded('connect ECONNREFUSED 127.0.0.1:5433', 'ECONNREFUSED'), retryable: true }), true],
    ['host not found', coded('getaddrinfo ENOTFOUND db', 'ENOTFOUND'), true],
    ['backend terminated (pg_terminate_backend)', coded('terminating connection due to administrator command', '57P01'), true],
    ['server starting up', coded('the database system is starting up', '57P03'), true],
    ['connection exception class 08', coded('connection failure', '08006'), true],
    ['pg connection cut', new Error('Connection terminated unexpectedly'), true],
    ['wrong password', coded('password authentication failed for user "radar"', '28P01'), false],
    ['missing migrations', new RadarError('ERR_SCHEMA_OUTDATED', 'PostgreSQL schema "radar" lacks 2 migration(s)'), false],
    ['a bad config', new RadarError('ERR_CONFIG', 'invalid schema name'), false],
    ['not an error', 'ECONNREFUSED', false],
  ])('%s: %s', (_name, error, expected) => {
    expect(isDatabaseUnreachable(error)).toBe(expected);
  });
});

describe('whenDatabaseReachable', () => {
  it('retries an unreachable database with doubling waits up to the cap, then returns what opened', async () => {
    const waits: number[] = [];
    const reasons: string[] = [];
    let calls = 0;
    const opened = await whenDatabaseReachable(
      async () => {
        calls += 1;
        if (calls < 5) throw coded('connect ECONNREFUSED 127.0.0.1:5433', 'ECONNREFUSED');
        return 'store';
      },
      { log: silentLogger, firstDelayMs: 1000, maxDelayMs: 4000, sleep: async (ms) => void waits.push(ms), onWaiting: (r) => reasons.push(r) },
    );
    expect(opened).toBe('store');
    expect(waits).toEqual([1000, 2000, 4000, 4000]);
    expect(reasons).toHaveLength(4);
  });

  it('does not retry what waiting cannot mend', async () => {
    let calls = 0;
    const refused = whenDatabaseReachable(
      async () => {
        calls += 1;
        throw coded('password authentication failed', '28P01');
      },
      { log: silentLogger, sleep: async () => undefined },
    );
    await expect(refused).rejects.toThrow('password authentication failed');
    expect(calls).toBe(1);
  });
});
