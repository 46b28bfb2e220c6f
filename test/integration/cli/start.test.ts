/**
 * `radar start` as a newcomer runs it (a child process, the real CLI): the demo source backfills and
 * streams, the API shows classified and counted messages, Ctrl-C shuts down cleanly. Also: a bad
 * config exits 1 naming file, line and key; `radar config check`; `radar ingest`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../../src/queues/connection.js';
import { REDIS_URL, requireRedis, uniqueName } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/radar.js');

/** Runs `radar` to its end, without blocking this process (the CLI tests below run side by side). */
function radar(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

describe('radar start (the all-in-one service)', () => {
  let dir: string;
  let child: ChildProcess;
  let url = '';
  let stderr = '';
  const prefix = uniqueName('cli');

  beforeAll(async () => {
    await requireRedis();
    dir = mkdtempSync(join(tmpdir(), 'radar-cli-'));
    writeFileSync(
      join(dir, 'radar.yaml'),
      [
        `dataDir: ${dir}`,
        'server: { host: 127.0.0.1, port: 0 }',
        `redis: { url: "${REDIS_URL}", prefix: ${prefix}, autoStart: false }`,
        `database: { url: "sqlite:${join(dir, 'radar.db')}" }`,
        'demo: { backfill: 6h }',
        '',
      ].join('\n'),
    );
    child = spawn(process.execPath, [BIN, 'start'], { cwd: ROOT, env: { ...process.env, RADAR_CONFIG: join(dir, 'radar.yaml'), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      url ||= /running: (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1] ?? '';
    });
    await waitFor(() => url !== '', 60_000, `service did not start: ${stderr}`);
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    const redis = createRedis(REDIS_URL);
    const keys = await redis.keys(`*${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints generated credentials once and keeps them in dataDir/credentials.json (mode 0600)', () => {
    const creds = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { apiToken: string; admin: { password: string } };
    expect(stderr).toContain(creds.admin.password);
    expect(stderr).toContain(creds.apiToken);
  });

  it('the demo source fills the API with classified, counted messages', async () => {
    const { apiToken } = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { apiToken: string };
    const headers = { authorization: `Bearer ${apiToken}` };
    expect((await fetch(`${url}/health`)).status).toBe(200);
    let items: Array<{ source: string; classification: { complaint: boolean } }> = [];
    await waitFor(async () => {
      items = ((await (await fetch(`${url}/api/messages?limit=100`, { headers })).json()) as { items: typeof items }).items;
      return items.length === 100;
    }, 60_000, 'demo messages');
    expect(items.every((m) => m.source === 'demo')).toBe(true);
    expect(items.some((m) => m.classification.complaint)).toBe(true);
    const now = Date.now();
    const series = (await (await fetch(`${url}/api/series/complaints?from=${now - 6 * 3_600_000}`, { headers })).json()) as { points: Array<{ v: number }> };
    expect(series.points.reduce((a, p) => a + p.v, 0)).toBeGreaterThan(0);
    const traffic = (await (await fetch(`${url}/api/series/traffic?from=${now - 3_600_000}`, { headers })).json()) as { points: unknown[] };
    expect(traffic.points.length).toBeGreaterThan(30);
  });

  it('SIGINT shuts down cleanly (exit 0)', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

describe.concurrent('radar CLI', () => {
  it('config check: ok for the example; a broken file exits 1 with file:line: key: what', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'radar-cfg-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'server:\n  port: 80\n  hots: x\n');
    const [ok, res, start] = await Promise.all([radar(['config', 'check', 'config/radar.example.yaml']), radar(['config', 'check', bad]), radar(['start'], { RADAR_CONFIG: bad })]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('ok');
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`${bad}:3: server: unknown key "hots"`);
    expect(start.status).toBe(1);
    expect(start.stderr).toContain(`${bad}:3: server: unknown key "hots"`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('auth hash-password prints an scrypt hash the config accepts', async () => {
    const res = await radar(['auth', 'hash-password'], {}, 'correct horse battery\n');
    expect(res.status).toBe(0);
    expect(res.stdout.trim()).toMatch(/^scrypt\$16384\$8\$1\$/);
  });

  it('ingest <file.jsonl> queues valid lines and reports rejected ones', async () => {
    await requireRedis();
    const dir = mkdtempSync(join(tmpdir(), 'radar-ingest-'));
    const prefix = uniqueName('ing');
    writeFileSync(join(dir, 'radar.yaml'), `dataDir: ${dir}\nredis: { url: "${REDIS_URL}", prefix: ${prefix}, autoStart: false }\ndatabase: { url: "sqlite:${join(dir, 'r.db')}" }\n`);
    writeFileSync(join(dir, 'm.jsonl'), ['{"channel":"email","text":"cannot log in"}', '{"channel":"fax","text":"x"}', '{"id":"t-1","channel":"twitter","text":"slow inbox"}', '{"channel":"email","text":"from the future","createdAt":"2999-01-01T00:00:00Z"}', ''].join('\n'));
    const res = await radar(['ingest', join(dir, 'm.jsonl')], { RADAR_CONFIG: join(dir, 'radar.yaml') });
    expect(res.stdout).toContain('2 messages queued for ingest, 2 rejected');
    expect(res.stderr).toMatch(/m\.jsonl:2: rejected: channel/);
    expect(res.stderr).toMatch(/m\.jsonl:4: rejected: createdAt: is more than 10 min in the future/);
    expect(res.status).toBe(2);
    const redis = createRedis(REDIS_URL);
    expect(await redis.llen(`{${prefix}}:ingest:wait`)).toBe(2);
    const keys = await redis.keys(`*${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });
});
