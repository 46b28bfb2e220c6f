/**
 * anomaly-extra (Microsoft Cloud Monitoring Dataset, 60 labelled series, 1-min and hourly): the detector at the
 * production defaults (+ NAB's probation as the warm-up, the same rule the corpus' scorer uses), scored by the
 * corpus' own scorer on the detector's alert column: event recall within 7 rows, false alerts per series-day,
 * point-adjusted F1. Not tuned on alone: settings are chosen on NAB and this corpus together.
 */
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchArgs } from './index.js';
import { cliDetectorOptions } from '../src/cli/detect-run.js';
import { NAB_ALERT_DETECTOR, NAB_DETECTOR, runCorpus } from './nab.bench.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export default async function extraBench(args: BenchArgs): Promise<void> {
  if (args.extra === undefined) {
    process.stdout.write('skipped: no anomaly-extra data (../shared/anomaly-extra absent; give --extra <path>)\n');
    return;
  }
  const out = join(root, 'bench-out', 'extra');
  const run = runCorpus(join(args.extra, 'data'), out, cliDetectorOptions(), NAB_DETECTOR, NAB_ALERT_DETECTOR);
  process.stdout.write(`ran ${run.files} files, ${run.points} points at the production defaults; alert column:\n`);
  const text = execFileSync(process.execPath, [join(args.extra, 'score.mjs'), '--results', out, '--detector', NAB_DETECTOR], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  process.stdout.write(text);
}
