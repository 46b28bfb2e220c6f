/**
 * CSV in and out for the detector CLI and benchmarks. Pure: text in, text out.
 * Input `timestamp,value` (header optional); output one row per input row.
 */
import type { DetectorOptions } from './options.js';
import { createDetector, type DetectorOutput } from './detector.js';

export interface CsvRow {
  /** The timestamp exactly as written (echoed back in the output). */
  readonly raw: string;
  readonly t: number;
  readonly v: number | null;
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/;

/**
 * Epoch ms of a timestamp: `YYYY-MM-DD HH:MM:SS` (no zone: UTC), ISO 8601 with a zone, or epoch seconds / ms.
 * NaN when it is none of these.
 * @example parseTimestamp('2015-02-26 21:42:53') // 1424986973000
 */
export function parseTimestamp(text: string): number {
  const s = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  const m = NAIVE.exec(s);
  if (m) {
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), ms);
  }
  return Date.parse(s);
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

/** Parses `timestamp,value` rows; an empty or `NaN`/`null` value is a missing point. Throws CsvError. */
export function parseSeriesCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const comma = line.indexOf(',');
    const rawT = (comma < 0 ? line : line.slice(0, comma)).trim().replace(/^"|"$/g, '');
    const rawV = comma < 0 ? '' : line.slice(comma + 1).split(',')[0]?.trim().replace(/^"|"$/g, '') ?? '';
    const t = parseTimestamp(rawT);
    if (Number.isNaN(t)) {
      if (rows.length === 0 && i === firstNonEmpty(lines)) continue; // header
      throw new CsvError(`line ${i + 1}: bad timestamp "${rawT}"`, i + 1);
    }
    let v: number | null = null;
    if (rawV !== '' && !/^(nan|null|na)$/i.test(rawV)) {
      v = Number(rawV);
      if (!Number.isFinite(v)) throw new CsvError(`line ${i + 1}: bad value "${rawV}"`, i + 1);
    }
    rows.push({ raw: rawT, t, v });
  }
  return rows;
}

function firstNonEmpty(lines: readonly string[]): number {
  return lines.findIndex((l) => l.trim() !== '');
}

function num(x: number | null): string {
  if (x === null) return '';
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 1e6) / 1e6);
}

export const SCORE_COLUMNS = 'timestamp,value,anomaly_score,alert,expected,lower,upper,reason,raw_score';

/** One output line per row: `timestamp,value,anomaly_score,alert,expected,lower,upper,reason,raw_score`. */
export function formatScoresCsv(rows: readonly CsvRow[], outputs: readonly DetectorOutput[]): string {
  const parts: string[] = [SCORE_COLUMNS];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as CsvRow;
    const o = outputs[i] as DetectorOutput;
    parts.push(
      `${r.raw},${num(r.v)},${num(o.score)},${o.alert ? 1 : 0},${num(o.expected)},${num(o.lower)},${num(o.upper)},${o.reason ?? ''},${num(o.rawScore)}`,
    );
  }
  return parts.join('\n') + '\n';
}

/**
 * The step of a series in ms: the median gap between consecutive timestamps (of the first 1,000 gaps), so an
 * irregular start or a few missing rows do not set it. Null with fewer than two rows.
 */
export function inferStep(rows: readonly CsvRow[]): number | null {
  const gaps: number[] = [];
  for (let i = 1; i < rows.length && gaps.length < 1000; i++) {
    const dt = (rows[i] as CsvRow).t - (rows[i - 1] as CsvRow).t;
    if (dt > 0) gaps.push(dt);
  }
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1] as number;
}

/**
 * Scores parsed rows, the reference matched by timestamp (a missing reference point is null). The step, unless
 * the options set it, is inferred from the timestamps (the minute settings are converted by it).
 */
export function scoreRows(
  rows: readonly CsvRow[],
  reference: readonly CsvRow[] | null,
  options: DetectorOptions,
): DetectorOutput[] {
  const step = options.step ?? inferStep(rows);
  const detector = createDetector(step === null ? options : { ...options, step });
  const refAt = reference === null ? null : new Map(reference.map((r) => [r.t, r.v]));
  return rows.map((r) => (refAt === null ? detector.update(r.t, r.v) : detector.update(r.t, r.v, refAt.get(r.t) ?? null)));
}

/** Whole CSV in, whole CSV out (what the CLI does between reading and writing files). */
export function scoreSeriesCsv(
  seriesText: string,
  referenceText: string | null,
  options: DetectorOptions,
  probationRows: number | null = null,
): string {
  const rows = parseSeriesCsv(seriesText);
  const reference = referenceText === null ? null : parseSeriesCsv(referenceText);
  return formatScoresCsv(rows, scoreRows(rows, reference, probationRows === null ? options : { ...options, probationRows }));
}
