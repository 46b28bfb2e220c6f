/**
 * The service spread over processes: real `radar` child processes (`node bin/radar.js`), each with its
 * own data folder (as on separate hosts), sharing one PostgreSQL schema, one Redis prefix and the
 * secrets from the environment. Migrations run once (`radar migrate`), not by the roles at start; a
 * message pushed to the api process is stored by the ingest process; every process answers /health
 * and /metrics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashAuthor } from '../../../src/platform/hash.js';
import { dropProcessState, POSTGRES_URL, postgresAvailable, REDIS_URL, requireRedis, uniqueName } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/radar.js');
const TOKEN = 'roles-test-token-0123456789';
const ENV = {
  RADAR_SESSION_SECRET: 'roles-test-session-secret-0123456789-abcdef',
  RADAR_AUTHOR_KEY: 'roles-test-author-key-0123456789-abcdefghij',
  RADAR_API_TOKEN: TOKEN,
  LOG_LEVEL: 'info',
  PORT: '0',
  METRICS_PORT: '0',
};

interface Proc {
  readonly child: ChildProcess;
  stderr: string;
  /** The api URL or the metrics listener's base URL, once printed. */
  url: string;
  readonly exited: Promise<number | null>;
}

function radar(args: string[], env: Record<string, string | undefined> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...ENV, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const proc: Proc = {
    child,
    stderr: '',
    url: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stderr?.on('data', (chunk: Buffer) => {
    proc.stderr += chunk.toString();
    proc.url ||= /complaint-radar is running: (http:\/\/[^/\s]+)\//.exec(proc.stderr)?.[1] ?? /metrics: (http:\/\/[^/\s]+)\/metrics/.exec(proc.stderr)?.[1] ?? '';
  });
  return proc;
}

describe('roles as separate processes on PostgreSQL and Redis', async () => {
  const available = await postgresAvailable();
  const prefix = uniqueName('roles');
  const schema = prefix.toLowerCase();
  let dir = '';
  const running: Proc[] = [];
  const configFor = (host: string) => join(dir, `${host}.yaml`);

  beforeAll(async () => {
    if (!available) return;
    await requireRedis();
    dir = mkdtempSync(join(tmpdir(), 'radar-roles-'));
    for (const host of ['api', 'ingest', 'workers']) {
      writeFileSync(
        configFor(host),
        [
          `dataDir: ${join(dir, host)}`,
          `redis: { url: "${REDIS_URL}", prefix: ${prefix}, autoStart: false }`,
          `database: { url: "${POSTGRES_URL}", schema: ${schema} }`,
          'auth:',
          '  sessionSecret: ${RADAR_SESSION_SECRET}',
          '  tokens: [{ name: ci, token: "${RADAR_API_TOKEN}", role: admin }]',
          'demo: { enabled: false }',
          '',
        ].join('\n'),
      );
    }
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    if (!available) return;
    await dropProcessState(prefix, schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!available)('config check --deployment accepts the shared setup and refuses it without the author key', async () => {
    const ok = radar(['config', 'check', '--deployment', '-c', configFor('api')]);
    expect(await ok.exited).toBe(0);
    const refused = radar(['config', 'check', '--deployment', '-c', configFor('api')], { RADAR_AUTHOR_KEY: '' });
    expect(await refused.exited).toBe(1);
    expect(refused.stderr).toContain('error: deployment: RADAR_AUTHOR_KEY is not set');
  });

  it.skipIf(!available)('a role refuses to start on an unmigrated schema, with one line', async () => {
    const ingest = radar(['start', '--role', 'ingest', '-c', configFor('ingest')]);
    expect(await ingest.exited).toBe(1);
    expect(ingest.stderr).toMatch(new RegExp(`^error: PostgreSQL schema "${schema}" lacks \\d+ migration\\(s\\) \\(0001_core, .*\\): run \`radar migrate\` once`, 'm'));
    expect(ingest.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.skipIf(!available)('radar migrate runs them once; then api, ingest and detect+notify processes work together', async () => {
    const migrate = radar(['migrate', '-c', configFor('api')]);
    expect(await migrate.exited).toBe(0);
    const again = radar(['migrate', '--check', '-c', configFor('api')]);
    expect(await again.exited).toBe(0);

    const api = radar(['start', '--role', 'api', '-c', configFor('api')]);
    const ingest = radar(['start', '--role', 'ingest', '-c', configFor('ingest')]);
    const workers = radar(['start', '--role', 'detect,notify', '-c', configFor('workers')]);
    running.push(api, ingest, workers);
    for (const p of running) await waitFor(() => p.url !== '' || p.child.exitCode !== null, 60_000, `a role did not start: ${p.stderr}`);
    for (const p of running) expect(p.child.exitCode, p.stderr).toBeNull();

    for (const p of running) {
      const health = await fetch(`${p.url}/health`);
      expect(health.status, `${p.url}/health`).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', checks: { redis: 'ok', database: 'ok' } });
      const metrics = await fetch(`${p.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('# TYPE radar_messages_ingested_total counter');
    }

    const push = await fetch(`${api.url}/api/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ id: 'r1', channel: 'api', text: 'the app crashes at checkout', author: 'alice@example.com' }] }),
    });
    expect(push.status).toBe(202);

    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const stored = async () => (await client.query(`select id, author from "${schema}".messages`)).rows as Array<{ id: string; author: string | null }>;
      await waitFor(async () => (await stored()).length > 0, 30_000, 'the message was not stored');
      // Hashed by the api process with the shared key from the environment, not a per-host generated one.
      expect(await stored()).toEqual([{ id: 'api:r1', author: hashAuthor(ENV.RADAR_AUTHOR_KEY, 'alice@example.com') }]);
    } finally {
      await client.end();
    }
    // The ingest process stored it: only it counts an ingested message.
    const counted = async (p: Proc) => /^radar_messages_ingested_total\{[^}]*\} 1$/m.test(await (await fetch(`${p.url}/metrics`)).text());
    expect(await counted(ingest)).toBe(true);
    expect(await counted(api)).toBe(false);

    for (const p of running) p.child.kill('SIGTERM');
    for (const p of running) expect(await p.exited, p.stderr).toBe(0);
    // A safety net, not a timing assertion: five `radar` processes start one after another, beside
    // another test file on a 2-core machine.
  }, 180_000);
});
