/**
 * Detector throughput: points per second through `Detector.update` for one long series (continuous metric, and
 * low counts with a traffic reference). No IO in the timed loop. Prints wall-clock and per-CPU-second rates (the
 * second does not depend on what else the machine runs).
 */
import type { BenchArgs } from './index.js';
import { createDetector } from '../src/detect/detector.js';
import type { DetectorOptions } from '../src/detect/options.js';

interface Rate {
  readonly wall: number;
  readonly cpu: number;
}

function throughput(n: number, options: DetectorOptions, value: (i: number) => number, reference: ((i: number) => number) | null): Rate {
  const t0 = Date.UTC(2026, 0, 5);
  const values = Float64Array.from({ length: n }, (_, i) => value(i));
  const refs = reference === null ? null : Float64Array.from({ length: n }, (_, i) => reference(i));
  const d = createDetector(options);
  let sink = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  if (refs === null) for (let i = 0; i < n; i++) sink += d.update(t0 + i * 60_000, values[i] as number).score;
  else for (let i = 0; i < n; i++) sink += d.update(t0 + i * 60_000, values[i] as number, refs[i] as number).score;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  if (sink < 0) process.stdout.write('');
  return { wall: n / seconds, cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

export default async function detectBench(args: BenchArgs): Promise<void> {
  const n = args.quick ? 300_000 : 2_000_000;
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const wave = (i: number) => 1 + 0.8 * Math.sin((2 * Math.PI * (i % 1440)) / 1440);
  // Warm the JIT on a short run first.
  throughput(50_000, { model: 'continuous' }, (i) => 100 * wave(i) + 10 * rand(), null);
  const cont = throughput(n, { model: 'continuous' }, (i) => 100 * wave(i) + 10 * rand(), null);
  const counts = throughput(n, { model: 'counts' }, (i) => Math.floor(4 * wave(i) * rand() * 2), (i) => 1000 * wave(i));
  const rate = (r: Rate) => `${(r.wall / 1e6).toFixed(2)} M points/s wall (${(r.cpu / 1e6).toFixed(2)} M per CPU second)`;
  process.stdout.write(`one series, ${n} points: continuous metric ${rate(cont)}\n`);
  process.stdout.write(`one series, ${n} points: complaint counts with a traffic reference ${rate(counts)}\n`);
}
