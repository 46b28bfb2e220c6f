/**
 * `radar classify replay [--keywords <candidate keywords.yaml>] [--learned <candidate model.json>] [--from] [--to] [-c <service config>]`:
 * re-classifies stored messages with the current model version (keyword file + stored learned layer)
 * and a candidate version (a new keyword file, a new learned layer, or both) and shows what would
 * change, with both version hashes and the versions that judged the stored history, before anyone
 * deploys it. Reads the database only; changes nothing.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { createClassifier } from '../src/classify/classifier.js';
import { compareClassifiers, type ComparisonReport, type Flip, type ReplayInput } from '../src/classify/compare.js';
import { compileKeywords } from '../src/classify/keyword-model.js';
import { isLearnedModel } from '../src/classify/learned-model.js';
import { loadKeywords } from '../src/config/keywords.js';
import { parseDuration } from '../src/config/duration.js';
import { describeError } from '../src/platform/errors.js';
import { Store } from '../src/store/store.js';
import { LEARNED_KV_KEY } from './classifier.js';
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

export function register(program: Command): void {
  const classify = program.commands.find((c) => c.name() === 'classify');
  if (!classify) throw new Error('the classify command must be registered before replay');
  classify
    .command('replay')
    .description('re-classify stored messages with a candidate model version (keyword config and/or learned layer) and show what changes (nothing is written)')
    .option('--keywords <file>', 'candidate keywords.yaml (default: the current one)')
    .option('--learned <file>', 'candidate learned layer JSON (default: the stored one)')
    .option('--from <time>', 'ISO time, epoch ms, or a duration ago (default 7d)')
    .option('--to <time>', 'ISO time, epoch ms, or a duration ago (default now)')
    .option('--examples <n>', 'flipped messages to show', '20')
    .option('--json', 'print the report as JSON')
    .option('-c, --config <file>', 'service config (for the database URL and the current keyword file; default: $RADAR_CONFIG, config/radar.yaml, the example)')
    // The old spelling of -c (before every command named its config file -c/--config).
    .addOption(new Option('--service-config <file>').hideHelp())
    .action(async (rawFlags: { config?: string; keywords?: string; learned?: string; from?: string; to?: string; examples: string; json?: boolean; serviceConfig?: string }) => {
      const flags = upgradeOldFlags(rawFlags);
      const { config } = loadConfigOrExit(flags.config);
      let store: Store | undefined;
      try {
        const now = Date.now();
        const from = parseTime(flags.from, now, now - 7 * 86_400_000);
        const to = parseTime(flags.to, now, now + 1);
        const maxFlips = Math.max(0, Number(flags.examples) || 0);
        if (flags.keywords === undefined && flags.learned === undefined) throw new Error('give a candidate: --keywords <keywords.yaml> and/or --learned <model.json>');
        const currentKeywords = compileKeywords(loadKeywords(config.classify.keywords));
        const candidateKeywords = flags.keywords === undefined ? currentKeywords : compileKeywords(loadKeywords(flags.keywords));
        let candidateLearned: unknown = null;
        if (flags.learned !== undefined) {
          candidateLearned = JSON.parse(readFileSync(flags.learned, 'utf8')) as unknown;
          if (!isLearnedModel(candidateLearned)) throw new Error(`${flags.learned}: not a learned model (kind complaint-radar/learned)`);
        }
        store = await Store.open({ url: config.database.url, schema: config.database.schema });
        const saved = await store.kv.get<unknown>(LEARNED_KV_KEY);
        const learned = isLearnedModel(saved) ? saved : null;
        const before = createClassifier({ keywords: currentKeywords, learned });
        const after = createClassifier({ keywords: candidateKeywords, learned: isLearnedModel(candidateLearned) ? candidateLearned : learned });
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
          `current: ${config.classify.keywords}${learned ? ' + stored learned layer' : ''} (version ${before.version})   candidate: ${flags.keywords ?? config.classify.keywords}${flags.learned ? ` + ${flags.learned}` : learned ? ' + stored learned layer' : ''} (version ${after.version})`,
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
    });
}
