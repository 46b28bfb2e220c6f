// `node --import ./bench/cli-cpu.mjs …` (bench/cli.bench.ts): when the process exits, writes its CPU time
// (user and system, microseconds, every thread) as JSON to $RADAR_BENCH_CPU_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.RADAR_BENCH_CPU_FILE;
if (file) process.on('exit', () => writeFileSync(file, JSON.stringify(process.cpuUsage())));
