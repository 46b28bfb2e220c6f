/**
 * Everything under data/ holds secrets or personal data: folders 0700, files 0600, whatever the umask
 * (the tests run with umask 000, so nothing here relies on it), and files left open by an older
 * version are closed when they are opened again.
 */
import { createServer } from 'node:net';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/platform/log.js';
import { createRedis } from '../../../src/queues/connection.js';
import { ensureRedis } from '../../../src/queues/redis-launcher.js';
import { openDatabase } from '../../../src/store/database.js';
import { createTestService } from '../../helpers/services.js';

const mode = (path: string) => statSync(path).mode & 0o777;

/** Every entry under `dir` with its mode, e.g. `{'redis': 0o700, 'redis/appendonlydir/x.aof': 0o600}`. */
function modesUnder(dir: string, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    out[rel] = mode(join(dir, entry.name));
    if (entry.isDirectory()) Object.assign(out, modesUnder(join(dir, entry.name), rel));
  }
  return out;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

let root: string;
let umask: number;

beforeAll(() => {
  umask = process.umask(0o000);
  root = mkdtempSync(join(tmpdir(), 'radar-modes-'));
});

afterAll(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

describe('data/ modes', () => {
  it('SQLite: the database and its -wal and -shm are 0600, a new folder 0700', async () => {
    const file = join(root, 'fresh', 'radar.db');
    const db = await openDatabase({ url: `sqlite:${file}` });
    try {
      db.sqlite?.exec('CREATE TABLE probe (x TEXT); INSERT INTO probe VALUES (\'a message\');');
      expect(modesUnder(join(root, 'fresh'))).toEqual({ 'radar.db': 0o600, 'radar.db-wal': 0o600, 'radar.db-shm': 0o600 });
      expect(mode(join(root, 'fresh'))).toBe(0o700);
    } finally {
      await db.close();
    }
  });

  it('SQLite: a database an older version left 0644 is tightened when opened', async () => {
    const dir = join(root, 'old');
    mkdirSync(dir);
    const file = join(dir, 'radar.db');
    const first = await openDatabase({ url: `sqlite:${file}` });
    await first.close();
    chmodSync(file, 0o644);
    const again = await openDatabase({ url: `sqlite:${file}` });
    try {
      again.sqlite?.exec('CREATE TABLE probe (x TEXT); INSERT INTO probe VALUES (\'a message\');');
      expect(mode(file)).toBe(0o600);
      expect(mode(`${file}-wal`)).toBe(0o600);
    } finally {
      await again.close();
    }
  });

  it('the service context: dataDir 0700 with credentials.json and the database 0600', async () => {
    const svc = await createTestService();
    try {
      await svc.ctx.store.messages.count();
      const modes = modesUnder(svc.dir);
      expect(mode(svc.dir)).toBe(0o700);
      expect(modes['credentials.json']).toBe(0o600);
      expect(modes['radar.db']).toBe(0o600);
      expect(Object.entries(modes).filter(([, m]) => m !== 0o600)).toEqual([]);
    } finally {
      await svc.cleanup();
    }
  });

  it('the private redis-server writes 0600 files in a 0700 folder, and tightens what was there', async () => {
    const dataDir = join(root, 'data');
    mkdirSync(join(dataDir, 'redis'), { recursive: true });
    writeFileSync(join(dataDir, 'redis', 'left-by-an-old-version.aof'), 'x');
    chmodSync(join(dataDir, 'redis', 'left-by-an-old-version.aof'), 0o644);
    chmodSync(join(dataDir, 'redis'), 0o755);
    const url = `redis://127.0.0.1:${await freePort()}`;
    const ensured = await ensureRedis(url, { autoStart: true, dataDir, log: silentLogger });
    try {
      expect(ensured.child).not.toBeNull();
      const client = createRedis(url);
      await client.set('k', 'a message');
      await client.bgrewriteaof();
      await new Promise((r) => setTimeout(r, 300));
      client.disconnect();
    } finally {
      await ensured.stop();
    }
    const modes = modesUnder(dataDir);
    expect(Object.keys(modes).filter((k) => /\.(aof|manifest)$/.test(k)).length).toBeGreaterThan(1);
    for (const [path, m] of Object.entries(modes)) expect([path, m]).toEqual([path, statSync(join(dataDir, path)).isDirectory() ? 0o700 : 0o600]);
    expect(mode(dataDir)).toBe(0o700);
  });
});
