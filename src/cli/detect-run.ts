/**
 * `radar detect --in series.csv [--reference traffic.csv] [--direction up|down|both] --out scores.csv
 *  [--probation-rows N] [--config params.json]`: scores a CSV with the same detector the worker runs. Without
 * `--config` the options are the service's defaults; the step is inferred from the timestamps.
 * Output: one row per input row, `timestamp,value,anomaly_score,alert,expected,lower,upper,reason,raw_score`,
 * written atomically (temp file, then rename). The command's options: detect-command.ts.
 */
import { readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { detectConfigSchema, detectorOptionsFromSettings, detectorSettingsSchema } from '../config/detect.js';
import { parseConfigText } from '../config/load.js';
import { cliErrorLines } from './errors.js';
import { scoreSeriesCsv } from '../detect/csv.js';
import type { DetectorOptions, DirectionOption } from '../detect/options.js';

export interface DetectFlags {
  readonly in: string;
  readonly out: string;
  readonly reference?: string;
  readonly direction?: string;
  readonly probationRows?: string;
  readonly config?: string;
}

function fail(message: string): never {
  process.stderr.write(`radar detect: ${message}\n`);
  process.exit(2);
}

/** Writes a file so that readers see either nothing or the whole content. */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/**
 * The options `radar detect` runs with when no `--config` is given: exactly the service's `detect.defaults` (the
 * settings every watched series gets unless its entry overrides them), memory, cooldown and warm-up in minutes,
 * converted by the step inferred from the CSV's timestamps.
 */
export function cliDetectorOptions(): DetectorOptions {
  return detectorOptionsFromSettings(detectConfigSchema.parse({}).defaults);
}

export function runDetectCommand(flags: DetectFlags): void {
  let options: DetectorOptions = cliDetectorOptions();
  if (flags.config !== undefined) {
    try {
      // JSON is YAML: the config parser names the file, line and key of every problem (a removed tuning key too).
      options = detectorOptionsFromSettings(parseConfigText(readFileSync(flags.config, 'utf8'), flags.config, detectorSettingsSchema));
    } catch (error) {
      const line = cliErrorLines(error).join('; ');
      fail(line.startsWith(`${flags.config}:`) ? line : `${flags.config}: ${line}`);
    }
  }
  if (flags.direction !== undefined) {
    if (!['up', 'down', 'both'].includes(flags.direction)) fail(`--direction must be up, down or both, not "${flags.direction}"`);
    options = { ...options, direction: flags.direction as DirectionOption };
  }
  let probation: number | null = null;
  if (flags.probationRows !== undefined) {
    probation = Number(flags.probationRows);
    if (!Number.isInteger(probation) || probation < 0) fail(`--probation-rows must be a whole number, not "${flags.probationRows}"`);
  }
  let csv: string;
  try {
    const series = readFileSync(flags.in, 'utf8');
    const reference = flags.reference === undefined ? null : readFileSync(flags.reference, 'utf8');
    csv = scoreSeriesCsv(series, reference, options, probation);
  } catch (error) {
    fail(cliErrorLines(error).join('; '));
  }
  writeAtomic(flags.out, csv);
}
