/**
 * A worker-only process (`radar worker notify retention`, a real child process through the real CLI)
 * serves /metrics and /health on its own port; its scrape-time values come from the store, and its
 * log lines carry its pid and hostname.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../../src/queues/connection.js';
import { Store } from '../../../src/store/store.js';
import { REDIS_URL, requireRedis, uniqueName } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/radar.js');

describe('a worker-only process', () => {
  let dir: string;
  let child: ChildProcess;
  let url = '';
  let stderr = '';
  let stdout = '';
  const prefix = uniqueName('wm');

  beforeAll(async () => {
    await requireRedis();
    dir = mkdtempSync(join(tmpdir(), 'radar-wm-'));
    writeFileSync(
      join(dir, 'radar.yaml'),
      [`dataDir: ${dir}`, `redis: { url: "${REDIS_URL}", prefix: ${prefix}, autoStart: false }`, `database: { url: "sqlite:${join(dir, 'radar.db')}" }`, ''].join('\n'),
    );
    child = spawn(process.execPath, [BIN, 'worker', 'notify', 'retention'], {
      cwd: ROOT,
      env: { ...process.env, RADAR_CONFIG: join(dir, 'radar.yaml'), LOG_LEVEL: 'info', LOG_FORMAT: 'json', METRICS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      url ||= /metrics: (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(stderr)?.[1] ?? '';
    });
    await waitFor(() => url !== '' || child.exitCode !== null, 60_000, 'worker did not start');
    if (url === '') throw new Error(`worker exited: ${stderr}`);
  }, 90_000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    const redis = createRedis(REDIS_URL);
    const keys = await redis.keys(`*${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /metrics with its own counters and store-read gauges', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const body = await res.text();
    expect(body).toContain('# TYPE radar_notifications_sent_total counter');
    expect(body).toContain('# TYPE radar_notifications_failed_total counter');
    expect(body).toMatch(/radar_queue_depth\{queue="notify",state="waiting"\} 0/);
    expect(body).toMatch(/^radar_alerts_firing 0$/m);
    expect(body).toMatch(/^radar_outbox_backlog 0$/m);
    expect(body).toMatch(/^radar_process_resident_memory_bytes \d+/m);

    // Firing alerts are read from the store at scrape time, whoever wrote them.
    const store = await Store.open({ url: `sqlite:${join(dir, 'radar.db')}` });
    try {
      const row = (id: string, state: string) => ({ id, state, rule: 'r', group_key: id, owner: null, starts_at: 1, updated_at: 1, acknowledged_at: null, acknowledged_by: null, doc: '{}', evidence: null });
      await store.db.insertInto('alerts').values([row('a1', 'firing'), row('a2', 'firing'), row('a3', 'resolved')]).execute();
    } finally {
      await store.close();
    }
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^radar_alerts_firing 2$/m);
  });

  it('serves a tiny /health, and nothing else', async () => {
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', checks: { redis: 'ok', database: 'ok' } });
    const other = await fetch(`${url}/api/messages`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: 'NOT_FOUND' });
  });

  it('logs JSON lines with its pid and hostname', () => {
    const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const listening = lines.find((l) => l.msg === 'metrics listening');
    expect(listening).toMatchObject({ pid: child.pid, hostname: hostname(), url });
    expect(lines.every((l) => l.pid === child.pid && l.hostname === hostname())).toBe(true);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null, 20_000, 'worker did not exit');
    expect(child.exitCode).toBe(0);
  });
});
