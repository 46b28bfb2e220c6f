/**
 * A real three-master Redis Cluster for a test: Debian's `redis-server` processes on loopback ports in
 * a temp folder (cluster mode, no persistence unless `persistent`), joined by `redis-cli --cluster
 * create`, stopped and removed by `stop()`. `restartMaster(i)` kills one master with SIGKILL and starts
 * it again on the same port, folder and node id (a crashed primary coming back). Needs redis-server and
 * redis-cli on the PATH (.ci/run installs them).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { pingRedis } from '../../src/queues/connection.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

export interface TestRedisCluster {
  /** `127.0.0.1:port` of each master (the `redis.cluster` seed list). */
  readonly nodes: readonly string[];
  /**
   * SIGKILL master `index` (a crash: no shutdown save), start it again on the same port and folder, and
   * wait until every node says the cluster is ok again. With `persistent` its append-only file (fsync on
   * every write) brings back every write it acknowledged; without, it comes back empty.
   */
  restartMaster(index: number): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  /** Append-only file with `appendfsync always` on each master, so a master killed -9 loses no acknowledged write. */
  readonly persistent?: boolean;
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port P with P and its cluster bus port P + 10000 both free. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i += 1) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await portFree(port)) && (await portFree(port + 10_000))) {
      taken.add(port).add(port + 10_000);
      return port;
    }
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

/** Waits until every node of `ports` reports cluster_state:ok. */
async function waitClusterOk(ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      await waitFor(async () => String(await client.cluster('INFO')).includes('cluster_state:ok'), 20_000, `cluster state on ${port} not ok`);
    } finally {
      client.disconnect();
    }
  }
}

export async function startRedisCluster(masters = 3, options: RedisClusterOptions = {}): Promise<TestRedisCluster> {
  for (const command of ['redis-server', 'redis-cli']) {
    if (!onPath(command)) throw new Error(`${command} is required for the Redis Cluster tests (apt-get install redis-server redis-tools)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'radar-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const launch = (port: number): ChildProcess =>
    spawn(
      'redis-server',
      [
        '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir, '--save', '',
        ...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always', '--appenddirname', `aof-${port}`] : ['--appendonly', 'no']),
        '--daemonize', 'no',
      ],
      { stdio: 'ignore' },
    );
  const taken = new Set<number>();
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i += 1) ports.push(await freeClusterPort(taken));
    for (const port of ports) children.push(launch(port));
    for (const port of ports) await waitFor(() => pingRedis(`redis://127.0.0.1:${port}`, 300), 20_000, `redis-server on ${port} did not answer`);
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    // Every node must agree the cluster is usable before a client asks for its slots.
    await waitClusterOk(ports);
    const restartMaster = async (index: number) => {
      const port = ports[index];
      const child = children[index];
      if (port === undefined || child === undefined) throw new Error(`no master ${index}`);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await exited;
      }
      children[index] = launch(port);
      await waitFor(() => pingRedis(`redis://127.0.0.1:${port}`, 300), 20_000, `redis-server on ${port} did not come back`);
      await waitClusterOk(ports);
    };
    return { nodes, restartMaster, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
