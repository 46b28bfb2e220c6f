/**
 * A real three-master Redis Cluster for a test: Debian's `redis-server` processes on loopback ports in
 * a temp folder (cluster mode, no persistence), joined by `redis-cli --cluster create`, stopped and
 * removed by `stop()`. Needs redis-server and redis-cli on the PATH (.ci/run installs them).
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
  stop(): Promise<void>;
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

export async function startRedisCluster(masters = 3): Promise<TestRedisCluster> {
  for (const command of ['redis-server', 'redis-cli']) {
    if (!onPath(command)) throw new Error(`${command} is required for the Redis Cluster tests (apt-get install redis-server redis-tools)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'radar-cluster-'));
  const children: ChildProcess[] = [];
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
    const ports: number[] = [];
    for (let i = 0; i < masters; i += 1) ports.push(await freeClusterPort(taken));
    for (const port of ports) {
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
        { stdio: 'ignore' },
      );
      children.push(child);
    }
    for (const port of ports) await waitFor(() => pingRedis(`redis://127.0.0.1:${port}`, 300), 20_000, `redis-server on ${port} did not answer`);
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    // Every node must agree the cluster is usable before a client asks for its slots.
    for (const port of ports) {
      const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await client.connect();
        await waitFor(async () => String(await client.cluster('INFO')).includes('cluster_state:ok'), 20_000, `cluster state on ${port} not ok`);
      } finally {
        client.disconnect();
      }
    }
    return { nodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
