/**
 * The `radar` command's surface, run as an operator runs it (real child processes): `radar --help`
 * lists every registered command (the list comes from the program object, not a copy), every command
 * that reads a config file takes it as `-c/--config` (old spellings still work), a worker process logs
 * only the workers that really run, and a shutdown ends with a `stopped` line.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli.js';
import { createRedis } from '../../../src/queues/connection.js';
import { REDIS_URL, requireRedis, uniqueName } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/radar.js');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function radar(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

/** Every registered command under `cmd` by its full name (`classify replay`), depth first. */
function registered(cmd: Command, prefix = ''): Array<{ path: string; cmd: Command }> {
  return cmd.commands.flatMap((sub) => {
    const path = `${prefix}${sub.name()}`;
    return [{ path, cmd: sub }, ...registered(sub, `${path} `)];
  });
}

/** The command names `--help` lists (the first column of its "Commands:" section, arguments dropped). */
function listedCommands(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return section
    .split('\n')
    .filter((line) => /^ {2}\S/.test(line))
    .map((line) => line.trim().split(/ {2,}/)[0] ?? '')
    .map((term) => term.split(' ').filter((w) => /^[a-z][\w-]*$/.test(w)).join(' '));
}

let dir: string;
let program: Command;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'radar-cli-commands-'));
  program = await buildProgram();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.concurrent('radar --help', () => {
  it('lists every registered command, sub-commands by their full name, and nothing else', async () => {
    const res = await radar(['--help']);
    expect(res.status).toBe(0);
    const expected = registered(program).map((c) => c.path);
    expect(expected).toEqual(expect.arrayContaining(['classify replay', 'start', 'alerts test-route', 'retention run']));
    expect(listedCommands(res.stdout)).toEqual([...expected, 'help']);
  });

  it('a command group lists its own sub-commands the same way', async () => {
    const res = await radar(['classify', '--help']);
    expect(res.status).toBe(0);
    const classify = program.commands.find((c) => c.name() === 'classify');
    if (!classify) throw new Error('no classify command');
    expect(listedCommands(res.stdout)).toEqual(registered(classify, 'classify ').map((c) => c.path));
  });
});

describe.concurrent('-c/--config on every command that reads a config file', () => {
  /** How to run each config-taking command with `-c <file>` (the other arguments it requires). */
  const invocations: Record<string, (config: string) => string[]> = {
    'classify replay': (c) => ['classify', 'replay', '--keywords', 'config/keywords.yaml', '-c', c],
    'classify versions': (c) => ['classify', 'versions', '-c', c],
    'classify activate': (c) => ['classify', 'activate', 'k000000000000', '-c', c],
    start: (c) => ['start', '-c', c],
    worker: (c) => ['worker', 'detect', '-c', c],
    migrate: (c) => ['migrate', '-c', c],
    'config check': (c) => ['config', 'check', '-c', c],
    ingest: (c) => ['ingest', join(dir, 'one.jsonl'), '-c', c],
    'retention run': (c) => ['retention', 'run', '-c', c],
    detect: (c) => ['detect', '--in', join(dir, 'in.csv'), '--out', join(dir, 'out.csv'), '-c', c],
    'alerts test-route': (c) => ['alerts', 'test-route', 'complaints', '-c', c],
    'alerts test-notify': (c) => ['alerts', 'test-notify', '-c', c],
    'imap check': (c) => ['imap', 'check', '-c', c],
    'sources test': (c) => ['sources', 'test', 'brand', '-c', c],
  };

  it('every command with a --config option spells it -c, --config <file>, and each has a case below', () => {
    const withConfig = registered(program).filter(({ cmd }) => cmd.options.some((o) => o.long === '--config'));
    for (const { path, cmd } of withConfig) expect(cmd.options.find((o) => o.long === '--config')?.flags, path).toBe('-c, --config <file>');
    expect(withConfig.map((c) => c.path).sort()).toEqual(Object.keys(invocations).sort());
  });

  it.each(Object.keys(invocations))('radar %s -c <file> reads that file', async (name) => {
    writeFileSync(join(dir, 'one.jsonl'), '{"channel":"email","text":"cannot log in"}\n');
    writeFileSync(join(dir, 'in.csv'), '2024-01-01 00:00:00,1\n2024-01-01 00:01:00,2\n');
    const missing = join(dir, `missing-${name.replace(' ', '-')}.yaml`);
    const res = await radar(invocations[name]?.(missing) ?? []);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(new RegExp(`^(error|radar \\w+): ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: file not found\n$`));
  });

  it('a -c file is used: alerts test-route pages the person that file puts on call; config check checks it', async () => {
    const file = join(dir, 'oncall.yaml');
    writeFileSync(file, 'alerting:\n  oncall:\n    timezone: UTC\n    people: [{ id: zoe, name: Zoe Quill }]\n');
    const route = await radar(['alerts', 'test-route', 'complaints.login', '-c', file]);
    expect(route.stderr).toBe('');
    expect(route.stdout).toContain('Zoe Quill');
    const check = await radar(['config', 'check', '-c', file]);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain(`${file}: ok (service config)`);
  });

  it('classify replay keeps its old spellings: --service-config, and a keyword file given as --config', async () => {
    const file = join(dir, 'replay.yaml');
    writeFileSync(file, `dataDir: ${dir}\ndatabase: { url: "sqlite:${join(dir, 'replay.db')}" }\n`);
    const range = ['--from', '2026-01-01T00:00:00Z', '--to', '2026-01-02T00:00:00Z'];
    const old = await radar(['classify', 'replay', '--config', 'config/keywords.yaml', '--service-config', file, '--json', ...range]);
    expect(old.status).toBe(0);
    expect(old.stderr).toBe('note: config/keywords.yaml is a keyword config: taken as the candidate (--keywords); -c/--config names the service config\n');
    expect(JSON.parse(old.stdout)).toMatchObject({ n: 0, flipCount: 0 });
    const now = await radar(['classify', 'replay', '--keywords', 'config/keywords.yaml', '-c', file, '--json', ...range]);
    expect(now.status).toBe(0);
    expect(now.stderr).toBe('');
    expect(JSON.parse(now.stdout)).toEqual(JSON.parse(old.stdout));
    // the old alias is hidden from the help
    const help = await radar(['classify', 'replay', '--help']);
    expect(help.stdout).toContain('-c, --config <file>');
    expect(help.stdout).not.toContain('--service-config');
  });
});

describe('a worker process: the start log and the last line', () => {
  it('logs only the workers that run, and ends with "stopped" after SIGINT', async () => {
    await requireRedis();
    const prefix = uniqueName('clistop');
    const file = join(dir, 'worker.yaml');
    writeFileSync(
      file,
      [`dataDir: ${dir}`, `redis: { url: "${REDIS_URL}", prefix: ${prefix}, autoStart: false }`, `database: { url: "sqlite:${join(dir, 'worker.db')}" }`, 'demo: { enabled: false }', ''].join('\n'),
    );
    // poll has no source to poll and demo is off: neither runs, so neither is listed
    const child = spawn(process.execPath, [BIN, 'worker', 'poll', 'detect', 'demo', '-c', file], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = () => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; workers?: string[] });
    try {
      await waitFor(() => lines().some((l) => l.msg === 'started'), 60_000, `worker did not start: ${stderr}`);
      expect(lines().find((l) => l.msg === 'started')?.workers).toEqual(['detect']);
      expect(lines().find((l) => l.msg === 'starting')).not.toHaveProperty('workers');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(lines().at(-1)).toMatchObject({ msg: 'stopped', failed: 0 });
      expect(lines().at(-2)?.msg).not.toBe('stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      const redis = createRedis(REDIS_URL);
      const keys = await redis.keys(`*${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
