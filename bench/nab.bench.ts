/**
 * NAB at the production defaults: runs the detector over all 58 series in one process (streaming, never reading
 * labels) with exactly the options `radar detect` uses without flags, except RUNNING.md's `--probation-rows`
 * (the warm-up lasts at least the probation rows, which NAB does not score; nothing else depends on it). Writes
 * results in NAB layout under bench-out/nab/ and scores them with the shared scorer: the score column with the
 * scorer's threshold, and the detector's own alert column.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchArgs } from './index.js';
import type { DetectorOptions } from '../src/detect/options.js';
import type { DetectorOutput } from '../src/detect/detector.js';
import { formatScoresCsv, parseSeriesCsv, scoreRows } from '../src/detect/csv.js';
import { cliDetectorOptions } from '../src/cli/detect-run.js';

export const NAB_DETECTOR = 'complaintRadar';
/** The detector's own alert column, scored as a 0/1 score at threshold 0.5. */
export const NAB_ALERT_DETECTOR = 'complaintRadarAlerts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface NabRun {
  readonly files: number;
  readonly points: number;
  readonly seconds: number;
}

/** NAB's probation: the first min(floor(0.15 × rows), 750) rows are not scored. */
export function probationRows(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 750);
}

/**
 * Scores every data file under `<data>/<corpus>/*.csv` into `<out>/<detector>/<corpus>/<detector>_<file>.csv`, and
 * the alert column as a 0/1 score into `<out>/<alertDetector>/…`.
 */
export function runCorpus(data: string, out: string, options: DetectorOptions, detector: string, alertDetector: string): NabRun {
  let files = 0;
  let points = 0;
  let busy = 0;
  for (const corpus of readdirSync(data, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const name of readdirSync(join(data, corpus)).filter((f) => f.endsWith('.csv')).sort()) {
      const text = readFileSync(join(data, corpus, name), 'utf8');
      const start = process.hrtime.bigint();
      const rows = parseSeriesCsv(text);
      const outputs = scoreRows(rows, null, { ...options, probationRows: probationRows(rows.length) });
      const csv = formatScoresCsv(rows, outputs);
      busy += Number(process.hrtime.bigint() - start) / 1e9;
      const alerts = formatScoresCsv(rows, outputs.map((o): DetectorOutput => ({ ...o, score: o.alert ? 1 : 0 })));
      for (const [det, text2] of [[detector, csv], [alertDetector, alerts]] as const) {
        const dir = join(out, det, corpus);
        mkdirSync(dir, { recursive: true });
        const target = join(dir, `${det}_${name}`);
        writeFileSync(`${target}.tmp`, text2);
        renameSync(`${target}.tmp`, target);
      }
      files += 1;
      points += rows.length;
    }
  }
  return { files, points, seconds: busy };
}

export function runNab(nab: string, out: string, options: DetectorOptions = cliDetectorOptions()): NabRun {
  return runCorpus(join(nab, 'data'), out, options, NAB_DETECTOR, NAB_ALERT_DETECTOR);
}

export interface NabScores {
  readonly text: string;
  readonly json: unknown;
}

export function scoreNab(nab: string, out: string, detector = NAB_DETECTOR, threshold: number | null = null): NabScores {
  const jsonFile = join(out, `${detector}${threshold === null ? '' : `-t${threshold}`}.json`);
  const args = [join(nab, 'score.mjs'), '--nab', nab, '--results', out, '--detector', detector, '--json', jsonFile];
  if (threshold !== null) args.push('--threshold', String(threshold));
  const text = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { text, json: JSON.parse(readFileSync(jsonFile, 'utf8')) as unknown };
}

interface ScoredCorpus {
  readonly raw: number;
}

interface ScoredProfile {
  readonly threshold: number;
  readonly nullScore: number;
  readonly perfectScore: number;
  readonly perCorpus: Record<string, ScoredCorpus>;
}

function standardProfile(json: unknown, detector: string): ScoredProfile {
  return (json as { detectors: Record<string, { profiles: { standard: ScoredProfile } }> }).detectors[detector]?.profiles
    .standard as ScoredProfile;
}

/**
 * Leave-one-corpus-out on the score column (standard profile): for each NAB corpus, the threshold is the one the
 * scorer picks on the other corpora, and the held-out corpus is scored at it; the held-out raw scores are summed and
 * normalised over all windows as NAB does. Nothing is picked from the held-out corpus' labels.
 */
export function scoreLoco(nab: string, out: string, detector = NAB_DETECTOR): string {
  const data = join(nab, 'data');
  const windows = JSON.parse(readFileSync(join(nab, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, unknown>;
  const corpora = readdirSync(data, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const scratch = join(out, '..', `${detector}-loco`);
  rmSync(scratch, { recursive: true, force: true });
  let raw = 0;
  let nullScore = 0;
  let perfectScore = 0;
  const parts: string[] = [];
  for (const held of corpora) {
    const dir = join(scratch, held);
    mkdirSync(join(dir, 'data'), { recursive: true });
    for (const c of corpora) if (c !== held) symlinkSync(join(data, c), join(dir, 'data', c));
    writeFileSync(join(dir, 'windows.json'), JSON.stringify(Object.fromEntries(Object.entries(windows).filter(([k]) => !k.startsWith(`${held}/`)))));
    const tuned = join(dir, 'tuned.json');
    const base = [join(nab, 'score.mjs'), '--nab', nab, '--results', out, '--detector', detector, '--quiet'];
    execFileSync(process.execPath, [...base, '--data', join(dir, 'data'), '--windows', join(dir, 'windows.json'), '--json', tuned]);
    const threshold = standardProfile(JSON.parse(readFileSync(tuned, 'utf8')), detector).threshold;
    const heldJson = join(dir, 'held.json');
    execFileSync(process.execPath, [...base, '--threshold', String(threshold), '--json', heldJson]);
    const whole = standardProfile(JSON.parse(readFileSync(heldJson, 'utf8')), detector);
    nullScore = whole.nullScore;
    perfectScore = whole.perfectScore;
    const corpus = whole.perCorpus[held];
    raw += corpus?.raw ?? 0;
    parts.push(`${held} ${(corpus?.raw ?? 0).toFixed(2)} raw at ${threshold.toFixed(4)}`);
  }
  // Normalised as NAB does, with the whole corpus' null and perfect scores.
  const score = (100 * (raw - nullScore)) / (perfectScore - nullScore);
  return `leave-one-corpus-out (score column, standard profile; each corpus at the threshold the scorer picks on the other ${corpora.length - 1}): ${score.toFixed(2)}\n  ${parts.join('\n  ')}\n`;
}

export default async function nabBench(args: BenchArgs): Promise<void> {
  if (args.nab === undefined) {
    process.stdout.write('skipped: no NAB data (../shared/nab absent; give --nab <path>)\n');
    return;
  }
  const out = join(root, 'bench-out', 'nab');
  const wall = process.hrtime.bigint();
  const run = runNab(args.nab, out);
  const total = Number(process.hrtime.bigint() - wall) / 1e9;
  process.stdout.write(
    `ran ${run.files} files, ${run.points} points at the production defaults (+ --probation-rows per RUNNING.md): ${total.toFixed(2)} s in all (${run.seconds.toFixed(2)} s parsing + detecting + formatting)\n`,
  );
  process.stdout.write('-- score column, threshold picked by the scorer (comparable with the NAB scoreboard)\n');
  process.stdout.write(scoreNab(args.nab, out).text);
  process.stdout.write('\n-- the detector\'s own alert column (what the service pages on; no threshold picked from labels)\n');
  process.stdout.write(scoreNab(args.nab, out, NAB_ALERT_DETECTOR, 0.5).text);
  process.stdout.write('\n-- ' + scoreLoco(args.nab, out));
}
