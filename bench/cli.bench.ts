/**
 * What a `radar` process costs to start: CPU seconds (user + system, every thread; robust to other load,
 * unlike wall time) of `radar --help` and `radar config check config/radar.example.yaml`, each command's
 * code loaded only when it runs. Beside them, two reference processes started the same way
 * (bench/cli-child.mjs): `floor` — node, tsx's loader and commander, the least any `radar` costs; `eager`
 * — the program plus every module the commands load, what each process paid when every command module was
 * imported up front. Rounds interleave the four, 7 of them (3 with --quick); median and range.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchArgs } from './index.js';
import { median } from './stats.js';

const ROOT = new URL('../', import.meta.url).pathname;

const RUNS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['radar --help', ['bin/radar.js', '--help']],
  ['radar config check config/radar.example.yaml', ['bin/radar.js', 'config', 'check', 'config/radar.example.yaml']],
  ['floor: node + tsx + commander', ['bench/cli-child.mjs', 'floor']],
  ['eager: every command module loaded', ['bench/cli-child.mjs', 'eager']],
];

/** CPU seconds of one child process. */
function cpuSeconds(args: readonly string[], file: string): number {
  const run = spawnSync(process.execPath, ['--import', './bench/cli-cpu.mjs', ...args], {
    cwd: ROOT,
    env: { ...process.env, RADAR_BENCH_CPU_FILE: file, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  const { user, system } = JSON.parse(readFileSync(file, 'utf8')) as { user: number; system: number };
  return (user + system) / 1e6;
}

export default async function cliBench(args: BenchArgs): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'radar-bench-cli-'));
  const rounds = args.quick ? 3 : 7;
  const times = RUNS.map(() => [] as number[]);
  try {
    cpuSeconds(RUNS[0]?.[1] ?? [], join(dir, 'warm.json')); // tsx's transform cache warm, as on any machine after the first run
    for (let r = 0; r < rounds; r++) RUNS.forEach(([, argv], i) => times[i]?.push(cpuSeconds(argv, join(dir, `${r}-${i}.json`))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${rounds} rounds; CPU seconds (user + system), median (min–max)\n`);
  RUNS.forEach(([name], i) => {
    const xs = times[i] ?? [];
    process.stdout.write(`${name.padEnd(48)} ${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})\n`);
  });
}
