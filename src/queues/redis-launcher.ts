import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { RadarError } from '../platform/errors.js';
import { ensurePrivateDir, tightenTree } from '../platform/private-files.js';
import { pingRedis } from './connection.js';

export interface EnsuredRedis {
  readonly url: string;
  /** The private redis-server we started, if any (stopped on shutdown). */
  readonly child: ChildProcess | null;
  stop(): Promise<void>;
}

function redisServerOnPath(): boolean {
  return spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure a Redis answers at `url`. When nothing does and `autoStart` is on and `redis-server` is on
 * the PATH, starts a private one on the URL's port (data under `<dataDir>/redis`, appendonly on) as a
 * child process. Otherwise throws one clear line on how to get Redis.
 */
export async function ensureRedis(url: string, options: { autoStart: boolean; dataDir: string; log: Logger }): Promise<EnsuredRedis> {
  if (await pingRedis(url)) return { url, child: null, stop: async () => undefined };
  const parsed = new URL(url);
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(parsed.hostname);
  if (!options.autoStart || !local || !redisServerOnPath()) {
    throw new RadarError(
      'ERR_REDIS_UNAVAILABLE',
      `nothing answers at ${parsed.host}: start Redis 6.2+ (apt-get install redis-server, or docker run -p 6379:6379 redis:7) or set REDIS_URL`,
    );
  }
  const port = parsed.port === '' ? '6379' : parsed.port;
  const dir = resolve(options.dataDir, 'redis');
  ensurePrivateDir(options.dataDir);
  tightenTree(dir);
  // The queues hold message texts: redis-server writes its files under umask 077 (0600 in a 0700 folder).
  const child = spawn(
    'sh',
    ['-c', 'umask 077 && exec redis-server "$@"', 'redis-server', '--port', port, '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction', '--daemonize', 'no'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  options.log.info({ port, dir, pid: child.pid }, 'started a private redis-server');
  for (let i = 0; i < 100; i += 1) {
    if (child.exitCode !== null) break;
    if (await pingRedis(url, 300)) {
      return {
        url,
        child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new RadarError('ERR_REDIS_UNAVAILABLE', `started redis-server on port ${port} but it did not answer`);
}
