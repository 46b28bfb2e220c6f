/**
 * A real Redis primary, one replica and three Sentinels for a test (Debian's `redis-server`, the
 * sentinels as `redis-server <conf> --sentinel`), on loopback ports in a temp folder; `killPrimary()`
 * SIGKILLs the primary so the sentinels fail over to the replica; `stop()` ends them all.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pingRedis } from '../../src/queues/connection.js';
import { waitFor } from './wait.js';

export interface TestRedisSentinel {
  /** `127.0.0.1:port` of each sentinel (the `redis.sentinels` list). */
  readonly sentinels: readonly string[];
  readonly name: string;
  readonly primaryPort: number;
  readonly replicaPort: number;
  /** The port the sentinels now name as primary. */
  primaryNow(): Promise<number>;
  killPrimary(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export async function startRedisSentinel(): Promise<TestRedisSentinel> {
  if (spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('redis-server is required for the Redis Sentinel test (apt-get install redis-server)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'radar-sentinel-'));
  const name = 'radar-test';
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(kill));
    rmSync(dir, { recursive: true, force: true });
  };
  const server = (args: string[]) => {
    const child = spawn('redis-server', args, { stdio: 'ignore', cwd: dir });
    children.push(child);
    return child;
  };
  try {
    const primaryPort = await freePort();
    const replicaPort = await freePort();
    const primary = server(['--port', String(primaryPort), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `p-${primaryPort}.rdb`, '--save', '', '--appendonly', 'no']);
    await waitFor(() => pingRedis(`redis://127.0.0.1:${primaryPort}`, 300), 20_000, 'primary did not answer');
    server(['--port', String(replicaPort), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `r-${replicaPort}.rdb`, '--save', '', '--appendonly', 'no', '--replicaof', '127.0.0.1', String(primaryPort)]);
    const replica = new Redis({ port: replicaPort, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await waitFor(() => pingRedis(`redis://127.0.0.1:${replicaPort}`, 300), 20_000, 'replica did not answer');
      await replica.connect();
      await waitFor(async () => /master_link_status:up/.test(await replica.info('replication')), 20_000, 'replica did not sync');
    } finally {
      replica.disconnect();
    }
    const sentinels: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      server([conf, '--sentinel']);
      sentinels.push(`127.0.0.1:${port}`);
    }
    const primaryNow = async (): Promise<number> => {
      const [host, port] = (sentinels[0] as string).split(':');
      const client = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await client.connect();
        const reply = (await client.call('SENTINEL', 'get-master-addr-by-name', name)) as [string, string] | null;
        return reply ? Number(reply[1]) : 0;
      } finally {
        client.disconnect();
      }
    };
    for (const s of sentinels) await waitFor(() => pingRedis(`redis://${s}`, 300), 20_000, `sentinel ${s} did not answer`);
    // Every sentinel must know the replica (and the other sentinels) before a failover can happen.
    await waitFor(async () => {
      for (const s of sentinels) {
        const [host, port] = s.split(':');
        const client = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 1 });
        try {
          await client.connect();
          const master = (await client.call('SENTINEL', 'master', name)) as string[];
          const field = (k: string) => Number(master[master.indexOf(k) + 1]);
          if (field('num-slaves') < 1 || field('num-other-sentinels') < 2) return false;
        } finally {
          client.disconnect();
        }
      }
      return true;
    }, 30_000, 'sentinels did not discover the replica and each other');
    return {
      sentinels,
      name,
      primaryPort,
      replicaPort,
      primaryNow,
      killPrimary: () => kill(primary),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
