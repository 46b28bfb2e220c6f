/**
 * `radar detect`: its options and description. What it does (score a CSV with the detector) is in
 * detect-run.ts, loaded when the command runs, so `radar --help` starts without the detector.
 */
import type { Command } from 'commander';
import type { DetectFlags } from './detect-run.js';

export function register(program: Command): void {
  program
    .command('detect')
    .description('score a timestamp,value CSV with the anomaly detector (the same code the detect worker runs)')
    .requiredOption('--in <file>', 'input CSV: timestamp,value (YYYY-MM-DD HH:MM:SS as UTC, ISO 8601 or epoch)')
    .requiredOption('--out <file>', 'output CSV: timestamp,value,anomaly_score,alert,expected,lower,upper,reason,raw_score')
    .option('--reference <file>', 'reference series CSV (e.g. traffic); the input is judged relative to it')
    .option('--direction <dir>', 'up, down or both', 'both')
    .option('--probation-rows <n>', 'rows the detector may only learn from (the warm-up lasts at least this long); nothing else changes')
    .option('-c, --config <file>', 'detector settings JSON (the keys of a detect.series entry, without key/reference)')
    .action(async (flags: DetectFlags) => (await import('./detect-run.js')).runDetectCommand(flags));
}
