/**
 * A role started while its PostgreSQL cannot be reached waits for it instead of exiting: a real
 * `radar start --role ingest` child process pointed at a loopback port where nothing listens yet retries
 * with backoff (saying so on stderr), answers /health with 503 "starting" meanwhile, and starts once a
 * TCP relay to the real PostgreSQL opens on that port; then it ingests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../../src/store/store.js';
import { createRedis } from '../../../src/queues/connection.js';
import { RedisKeys } from '../../../src/queues/keys.js';
import { Queues } from '../../../src/queues/queues.js';
import { dropProcessState, POSTGRES_URL, postgresAvailable, REDIS_URL, requireRedis, uniqueName } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/radar.js');

/** A free loopback port: listened on once, then closed, so nothing answers there. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Relays every connection on `port` to the real PostgreSQL. */
async function relay(port: number, target: URL): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return { server, sockets };
}

describe('a role waits for its database at start', async () => {
  const available = await postgresAvailable();
  const prefix = uniqueName('waitdb');
  const schema = prefix.toLowerCase();
  const dir = mkdtempSync(join(tmpdir(), 'radar-waitdb-'));
  let child: ChildProcess | undefined;
  let relayed: Awaited<ReturnType<typeof relay>> | undefined;

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    for (const s of relayed?.sockets ?? []) s.destroy();
    relayed?.server.close();
    if (available) {
      await dropProcessState(prefix, schema);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!available)('retries with backoff, reports not ready, then starts and ingests once PostgreSQL answers', async () => {
    await requireRedis();
    // The schema is migrated beforehand (`radar migrate` once): the role only checks it.
    await (await Store.open({ url: POSTGRES_URL, schema, migrations: 'apply' })).close();
    const port = await freePort();
    const real = new URL(POSTGRES_URL);
    const behind = new URL(POSTGRES_URL);
    behind.hostname = '127.0.0.1';
    behind.port = String(port);
    const config = join(dir, 'radar.yaml');
    writeFileSync(
      config,
      [`dataDir: ${join(dir, 'data')}`, `redis: { url: "${REDIS_URL}", prefix: ${prefix}, autoStart: false }`, `database: { url: "${behind.href}", schema: ${schema} }`, 'demo: { enabled: false }', ''].join('\n'),
    );
    let stderr = '';
    child = spawn(process.execPath, [BIN, 'start', '--role', 'ingest', '-c', config], {
      cwd: ROOT,
      env: { ...process.env, RADAR_AUTHOR_KEY: 'waitdb-author-key-0123456789-abcdefghij', METRICS_PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));

    await waitFor(() => /waiting for the database/.test(stderr) || child?.exitCode !== null, 60_000, `no waiting line: ${stderr}`);
    expect(child.exitCode, stderr).toBeNull();
    expect(stderr).toMatch(/waiting for the database \(ERR_DB: cannot connect to PostgreSQL: .*ECONNREFUSED.*\); retrying with backoff/);
    const healthUrl = /(http:\/\/\S+\/health) answers 503/.exec(stderr)?.[1];
    expect(healthUrl, stderr).toBeDefined();
    const waiting = await fetch(healthUrl as string);
    expect(waiting.status).toBe(503);
    expect(await waiting.json()).toMatchObject({ status: 'starting', checks: { database: 'unavailable' } });

    // It keeps trying (1 s, then 2 s …) and stays up: still running after its second attempt.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(child.exitCode, stderr).toBeNull();

    relayed = await relay(port, real);
    await waitFor(() => /metrics: (http:\/\/\S+)\/metrics/.test(stderr) || child?.exitCode !== null, 60_000, `did not start: ${stderr}`);
    expect(child.exitCode, stderr).toBeNull();
    const base = /metrics: (http:\/\/\S+)\/metrics/.exec(stderr)?.[1] as string;
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', checks: { database: 'ok' } });

    // And it works: a queued message is stored through the relay.
    const redis = createRedis(REDIS_URL);
    const queues = new Queues(redis, new RedisKeys(prefix));
    await queues.enqueueMessages([{ id: 'api:waitdb-1', channel: 'api', source: 'api', author: null, text: 'the app crashes at checkout', lang: null, createdAt: new Date().toISOString(), link: null }]);
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await waitFor(async () => (await client.query(`select id from "${schema}".messages`)).rows.length === 1, 30_000, 'the message was not stored');
    } finally {
      await client.end();
      await queues.close();
      redis.disconnect();
    }

    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
  });
});
