/**
 * What `radar classify replay` does (its options: replay-command.ts).
 * `radar classify replay [--from <version>] [--to <version|file>] [--since <time>] [--until <time>] [-c <service config>]`:
 * re-classifies stored messages with two model versions — by default the active one (`--from`) and a
 * candidate (`--to`: another stored version, a keyword file, or a learned-layer JSON; the older
 * `--keywords` / `--learned` flags name the same candidates) — and shows what would change, with both
 * version ids and the versions that judged the stored history, before anyone deploys or activates it.
 * Reads the database only; changes nothing. For compatibility a `--from` / `--to` that is a time (not a
 * version id, not a file) is the time window, as before `--since` / `--until` existed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createClassifier, type Classifier } from '../src/classify/classifier.js';
import { compareClassifiers, type ComparisonReport, type Flip, type ReplayInput } from '../src/classify/compare.js';
import { compileKeywords } from '../src/classify/keyword-model.js';
import { isLearnedModel } from '../src/classify/learned-model.js';
import { loadKeywords } from '../src/config/keywords.js';
import { parseDuration } from '../src/config/duration.js';
import { describeError } from '../src/platform/errors.js';
import { Store } from '../src/store/store.js';
import { classifierOfVersion } from './classifier.js';
import { loadConfigOrExit, looksLikeKeywordConfig } from './command.js';

function parseTime(value: string | undefined, now: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (/^\d+$/.test(value)) return Number(value);
  const ago = parseDuration(value);
  if (ago !== null) return now - ago;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`"${value}" is not a time (ISO 8601, epoch ms, or a duration ago like 7d)`);
  return t;
}

function merge(a: ComparisonReport, b: ComparisonReport, maxFlips: number): ComparisonReport {
  const categories: Record<string, { before: number; after: number }> = {};
  for (const r of [a, b]) {
    for (const [name, c] of Object.entries(r.categories)) {
      const e = (categories[name] ??= { before: 0, after: 0 });
      e.before += c.before;
      e.after += c.after;
    }
  }
  return {
    n: a.n + b.n,
    complaints: { before: a.complaints.before + b.complaints.before, after: a.complaints.after + b.complaints.after },
    categories,
    flips: [...a.flips, ...b.flips].slice(0, maxFlips),
    flipCount: a.flipCount + b.flipCount,
  };
}

const describe = (f: Flip, side: 'before' | 'after') => {
  const c = f[side];
  return c.complaint ? `${c.categories[0]?.name ?? 'other'} [${c.categories[0]?.terms.join(', ') ?? ''}]` : 'not a complaint';
};

interface ReplayFlags {
  readonly config?: string;
  readonly keywords?: string;
  readonly serviceConfig?: string;
}

/**
 * Before -c/--config named the service config everywhere, replay took the candidate keyword file as
 * `--config` and the service config as `-c/--service-config`. Both old forms still work: a keyword file
 * given as --config (and no --keywords) is the candidate, with a note on stderr.
 */
function upgradeOldFlags<F extends ReplayFlags>(flags: F): F {
  let { config, keywords } = flags;
  if (config !== undefined && keywords === undefined && looksLikeKeywordFile(config)) {
    process.stderr.write(`note: ${config} is a keyword config: taken as the candidate (--keywords); -c/--config names the service config\n`);
    keywords = config;
    config = undefined;
  }
  return { ...flags, config: config ?? flags.serviceConfig, keywords };
}

function looksLikeKeywordFile(file: string): boolean {
  try {
    return looksLikeKeywordConfig(readFileSync(file, 'utf8'));
  } catch {
    return false; // unreadable: loading it as the service config reports why
  }
}

/** A stored version id as `modelVersion` makes them: `k` or `l` and 12 hex digits. */
const VERSION_ID = /^[kl][0-9a-f]{12}$/;

/** One side of the comparison, and how to name it. */
interface Side {
  readonly classifier: Classifier;
  readonly label: string;
}

/** The active stored version, else the keyword file alone (nothing published yet). */
async function activeSide(store: Store, keywordFile: string): Promise<Side> {
  const active = await store.modelVersions.active();
  if (active) return { classifier: classifierOfVersion(active), label: `active version ${active.id}` };
  const classifier = createClassifier({ keywords: compileKeywords(loadKeywords(keywordFile)) });
  return { classifier, label: `${keywordFile} (no version published yet; version ${classifier.version})` };
}

async function storedSide(store: Store, id: string): Promise<Side> {
  const record = await store.modelVersions.get(id);
  if (!record) throw new Error(`no stored model version "${id}" (radar classify versions lists them)`);
  return { classifier: classifierOfVersion(record), label: `version ${id}${record.active ? ' (active)' : ''}` };
}

/** A candidate from files: a keyword file and/or a learned layer, over `base` for what is not given. */
function fileSide(base: Side, keywordsFile: string | undefined, learnedFile: string | undefined): Side {
  const keywords = keywordsFile === undefined ? base.classifier.keywords : compileKeywords(loadKeywords(keywordsFile));
  let learned = base.classifier.learned;
  if (learnedFile !== undefined) {
    const parsed = JSON.parse(readFileSync(learnedFile, 'utf8')) as unknown;
    if (!isLearnedModel(parsed)) throw new Error(`${learnedFile}: not a learned model (kind complaint-radar/learned)`);
    learned = parsed;
  }
  const classifier = createClassifier({ keywords, learned });
  const names = [keywordsFile, learnedFile].filter((f) => f !== undefined).join(' + ');
  return { classifier, label: `${names} over ${base.label} (version ${classifier.version})` };
}

/** Is `file` a learned-layer JSON (rather than a keyword YAML)? */
function isJsonFile(file: string): boolean {
  return /\.json$/i.test(file) || readFileSync(file, 'utf8').trimStart().startsWith('{');
}

export interface ReplayOptions {
  config?: string;
  keywords?: string;
  learned?: string;
  from?: string;
  to?: string;
  since?: string;
  until?: string;
  examples: string;
  json?: boolean;
  serviceConfig?: string;
}

/** Runs `radar classify replay` with its flags (loaded when the command runs: see replay-command.ts). */
export async function runReplay(rawFlags: ReplayOptions): Promise<void> {
  const flags = upgradeOldFlags(rawFlags);
  const { config } = await loadConfigOrExit(flags.config);
  let store: Store | undefined;
  try {
    const now = Date.now();
    // --from / --to: a version (or a candidate file); a time there is the old spelling of --since / --until.
    let fromVersion: string | undefined;
    let toVersion: string | undefined;
    let toFile: string | undefined;
    let since = flags.since;
    let until = flags.until;
    if (flags.from !== undefined) {
      if (VERSION_ID.test(flags.from) || flags.from === 'active') fromVersion = flags.from;
      else since ??= flags.from;
    }
    if (flags.to !== undefined) {
      if (VERSION_ID.test(flags.to) || flags.to === 'active') toVersion = flags.to;
      else if (existsSync(flags.to)) toFile = flags.to;
      else until ??= flags.to;
    }
    const from = parseTime(since, now, now - 7 * 86_400_000);
    const to = parseTime(until, now, now + 1);
    const maxFlips = Math.max(0, Number(flags.examples) || 0);
    let keywordsFile = flags.keywords;
    let learnedFile = flags.learned;
    if (toFile !== undefined) {
      if (isJsonFile(toFile)) learnedFile ??= toFile;
      else keywordsFile ??= toFile;
    }
    if (toVersion === undefined && keywordsFile === undefined && learnedFile === undefined) {
      throw new Error('give a candidate: --to <version|keywords.yaml|model.json> (or --keywords / --learned)');
    }
    store = await Store.open({ url: config.database.url, schema: config.database.schema });
    const base = fromVersion === undefined || fromVersion === 'active' ? await activeSide(store, config.classify.keywords) : await storedSide(store, fromVersion);
    const candidate =
      toVersion !== undefined
        ? toVersion === 'active'
          ? await activeSide(store, config.classify.keywords)
          : await storedSide(store, toVersion)
        : fileSide(base, keywordsFile, learnedFile);
    const before = base.classifier;
    const after = candidate.classifier;
    const storedVersions = new Map<string, number>();
    let report: ComparisonReport = { n: 0, complaints: { before: 0, after: 0 }, categories: {}, flips: [], flipCount: 0 };
    let chunk: ReplayInput[] = [];
    const flush = () => {
      report = merge(report, compareClassifiers(chunk, before, after, maxFlips), maxFlips);
      chunk = [];
    };
    for await (const m of store.messages.iterate({ from, to })) {
      chunk.push({ id: m.id, text: m.text, lang: m.lang, channel: m.channel });
      const v = m.classification.modelVersion ?? 'unversioned';
      storedVersions.set(v, (storedVersions.get(v) ?? 0) + 1);
      if (chunk.length >= 5000) flush();
    }
    flush();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), versions: { before: before.version, after: after.version, stored: Object.fromEntries(storedVersions) }, ...report })}\n`);
      return;
    }
    const lines = [
      `replayed ${report.n} messages from ${new Date(from).toISOString()} to ${new Date(Math.min(to, now)).toISOString()}`,
      `from: ${base.label}`,
      `to:   ${candidate.label}`,
      `stored history judged by: ${[...storedVersions].map(([v, n]) => `${v} (${n})`).join(', ') || '(nothing stored)'}`,
      '',
      `${'category'.padEnd(16)}${'before'.padStart(8)}${'after'.padStart(8)}${'change'.padStart(8)}`,
      `${'(complaints)'.padEnd(16)}${String(report.complaints.before).padStart(8)}${String(report.complaints.after).padStart(8)}${String(report.complaints.after - report.complaints.before).padStart(8)}`,
      ...Object.entries(report.categories)
        .sort((a, b) => b[1].after - a[1].after)
        .map(([name, c]) => `${name.padEnd(16)}${String(c.before).padStart(8)}${String(c.after).padStart(8)}${String(c.after - c.before).padStart(8)}`),
      '',
      `${report.flipCount} messages change${report.flipCount > 0 ? `; ${Math.min(maxFlips, report.flipCount)} examples:` : ''}`,
      ...report.flips.map((f) => `  ${f.id}: ${describe(f, 'before')}  →  ${describe(f, 'after')}\n      ${JSON.stringify(f.text.slice(0, 160))}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    process.stderr.write(`error: ${describeError(error)}\n`);
    process.exitCode = 1;
  } finally {
    await store?.close();
  }
}
