/**
 * `radar classify "<text>"` — the decision and why; `radar classify eval --data <file.jsonl>` —
 * precision/recall/F1, confusion matrix and worst mistakes; `radar classify train` — fits the
 * learned layer from labelled JSONL and writes it as JSON. The only IO of the classifier lives here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Classifier } from '../classify/classifier.js';
import type { LearnedModel } from '../classify/learned-model.js';
import { DEFAULT_KEYWORDS_FILE } from '../config/keywords-file.js';
import { CHANNELS, type Lang } from '../domain/message.js';
import { exitWithError } from './errors.js';
import { subcommandOptions } from './options.js';
import { RadarError } from '../platform/errors.js';

// The classifier, the keyword schema and the evaluation code load when a command runs (dynamic imports),
// so `radar --help` and every other command start without them.
const keywordsConfig = () => import('../config/keywords.js');
const keywordModel = () => import('../classify/keyword-model.js');
const keywordExamplesOf = async () => (await import('../classify/keyword-examples.js')).keywordExamples;
const labelled = async () => (await import('../classify/labelled.js')).parseLabelledJsonl;

/** The labels a learning curve is drawn at, unless --sizes says otherwise (classify/learning-curve.ts DEFAULT_SIZES). */
export const CURVE_SIZES = '0,25,50,100,200,400';

interface ModelOptions {
  readonly keywords?: string;
  readonly learned?: string;
}

async function loadLearned(file: string): Promise<LearnedModel> {
  const { isLearnedModel } = await import('../classify/learned-model.js');
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isLearnedModel(value)) throw new RadarError('ERR_CONFIG', `${file}: not a learned model (kind complaint-radar/learned, version 1)`, { context: { file } });
  return value;
}

async function buildClassifier(options: ModelOptions): Promise<Classifier> {
  const [{ loadKeywords }, { compileKeywords }, { createClassifier }] = await Promise.all([keywordsConfig(), keywordModel(), import('../classify/classifier.js')]);
  const keywords = compileKeywords(loadKeywords(options.keywords ?? DEFAULT_KEYWORDS_FILE));
  return createClassifier({ keywords, learned: options.learned ? await loadLearned(options.learned) : null });
}

function fail(error: unknown): never {
  exitWithError(error);
}

/** Registers `radar classify` and returns the command, so other areas can add sub-commands (replay). */
export function registerClassify(program: Command): Command {
  const classify = program
    .command('classify')
    .description('classify a text and show why')
    .argument('[text]', 'the message text')
    .option('--keywords <file>', 'keyword config', DEFAULT_KEYWORDS_FILE)
    .option('--learned <file>', 'learned layer (JSON from `radar classify train`)')
    .option('--lang <lang>', 'en or ru (default: detected)')
    .option('--channel <channel>', `${CHANNELS.join(', ')} (mail to our support is about us unless it says otherwise)`)
    .option('--json', 'print the explanation as JSON')
    .action(async (text: string | undefined, options: ModelOptions & { lang?: string; channel?: string; json?: boolean }) => {
      try {
        if (text === undefined) throw new RadarError('ERR_CONFIG', 'give a text: radar classify "<text>"');
        const lang = options.lang === 'en' || options.lang === 'ru' ? (options.lang as Lang) : null;
        const e = (await buildClassifier(options)).explain(text, lang, options.channel ?? null);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(e)}\n`);
          return;
        }
        const c = e.classification;
        const lines = [
          `complaint: ${c.complaint ? 'yes' : 'no'} (score ${c.score}; keywords ${e.keywordScore}${e.learnedScore === null ? '' : `, learned ${e.learnedScore}`})`,
          `language: ${c.lang ?? 'unknown'}`,
          `model version: ${c.modelVersion ?? 'unknown'}`,
          ...(c.target ? [`about: ${c.target.about}${c.target.terms.length ? ` (${c.target.terms.join(', ')})` : ''}${c.target.about === 'other' && e.complaintAboutAnything ? ' — a complaint about something else, not ours' : ''}`] : []),
          `gate terms: ${e.gateTerms.length ? e.gateTerms.join(', ') : '(none)'}`,
        ];
        if (e.cueTerms.length) lines.push(`generic cues: ${e.cueTerms.join(', ')}`);
        if (e.learnedTerms.length) lines.push(`learned features: ${e.learnedTerms.join(', ')}`);
        if (e.negatedTerms.length) lines.push(`negated (ignored): ${e.negatedTerms.join(', ')}`);
        if (e.excludedBy.length) lines.push(`excluded by: ${e.excludedBy.join(', ')}`);
        if (c.categories.length) for (const m of c.categories) lines.push(`category ${m.name} (${m.score}): ${m.terms.join(', ')}`);
        else if (e.ranking.length) lines.push(`categories: none assigned (not a complaint); evidence for ${e.ranking.map((m) => `${m.name} [${m.terms.join(', ')}]`).join('; ')}`);
        else lines.push('categories: none');
        process.stdout.write(`${lines.join('\n')}\n`);
      } catch (error) {
        fail(error);
      }
    });

  classify
    .command('eval')
    .description('evaluate on labelled JSONL lines {text, lang?, complaint, category?}')
    .requiredOption('--data <file>', 'labelled JSONL file')
    .option('--keywords <file>', 'keyword config', DEFAULT_KEYWORDS_FILE)
    .option('--learned <file>', 'learned layer JSON')
    .option('--json', 'print one JSON object {n, complaint, categories, categoryMacroF1}')
    .option('--mistakes <n>', 'how many worst mistakes to list', '15')
    .action(async (_: unknown, command: Command) => {
      try {
        // Options shared with the parent (`--json`, `--keywords`): given after `eval` or before it.
        const options = subcommandOptions<ModelOptions & { data: string; json?: boolean; mistakes: string }>(command);
        const { evaluate, formatReport, reportJson } = await import('../classify/evaluate.js');
        const examples = (await labelled())(readFileSync(options.data, 'utf8'), options.data);
        const report = evaluate(await buildClassifier(options), examples, Number(options.mistakes) || 15);
        process.stdout.write(options.json ? `${JSON.stringify(reportJson(report))}\n` : formatReport(report));
      } catch (error) {
        fail(error);
      }
    });

  classify
    .command('train')
    .description('train the learned layer on labelled JSONL (e.g. exported relabels) and write it as JSON')
    .requiredOption('--data <file...>', 'labelled JSONL file(s)')
    .requiredOption('--out <file>', 'where to write the model JSON')
    .option('--keywords <file>', 'keyword config whose scores become features', DEFAULT_KEYWORDS_FILE)
    .action(async (_: unknown, command: Command) => {
      try {
        const options = subcommandOptions<{ data: string[]; out: string; keywords: string }>(command);
        const [parseLabelledJsonl, keywordExamples, { loadKeywords }, { compileKeywords }, { trainLearned }] = await Promise.all([
          labelled(), keywordExamplesOf(), keywordsConfig(), keywordModel(), import('../classify/learned-model.js'),
        ]);
        const examples = options.data.flatMap((f) => parseLabelledJsonl(readFileSync(f, 'utf8'), f));
        const config = loadKeywords(options.keywords);
        const fromFile = keywordExamples(config);
        const model = trainLearned([...examples, ...fromFile], { keywords: compileKeywords(config) });
        writeFileSync(options.out, `${JSON.stringify(model)}\n`);
        process.stdout.write(`trained on ${examples.length} labelled examples and ${fromFile.length} examples of the keyword file (${model.trainedOn.complaints} complaints); wrote ${options.out}\n`);
      } catch (error) {
        fail(error);
      }
    });
  classify
    .command('learning-curve')
    .description('simulate learning from support: macro-F1 after 0, 25, 50, 100, 200, 400 labels chosen by the review queue (mean over seeds)')
    .requiredOption('--data <file>', 'labelled JSONL file')
    .option('--keywords <file>', 'keyword config', DEFAULT_KEYWORDS_FILE)
    .option('--seeds <n>', 'how many seeds (splits) to average', '5')
    .option('--sizes <list>', 'label counts, comma-separated', CURVE_SIZES)
    .option('--random', 'label a random sample instead of the review-queue order (the baseline)')
    .option('--no-target', 'ignore the keyword file\'s target section (data about other services than ours)')
    .option('--json', 'print the points as JSON')
    .action(async (_: unknown, command: Command) => {
      try {
        const options = subcommandOptions<{ data: string; keywords: string; seeds: string; sizes: string; random?: boolean; target: boolean; json?: boolean }>(command);
        const [parseLabelledJsonl, keywordExamples, { loadKeywords }, { compileKeywords }, { formatLearningCurve, learningCurve }] = await Promise.all([
          labelled(), keywordExamplesOf(), keywordsConfig(), keywordModel(), import('../classify/learning-curve.js'),
        ]);
        const examples = parseLabelledJsonl(readFileSync(options.data, 'utf8'), options.data);
        const config = loadKeywords(options.keywords);
        const sizes = options.sizes.split(',').map((x) => Number(x.trim()));
        if (sizes.some((x) => !Number.isInteger(x) || x < 0)) throw new RadarError('ERR_CONFIG', `--sizes: expected comma-separated whole numbers, got "${options.sizes}"`);
        const seeds = Number(options.seeds);
        if (!Number.isInteger(seeds) || seeds < 1) throw new RadarError('ERR_CONFIG', `--seeds: expected a whole number ≥ 1, got "${options.seeds}"`);
        const points = learningCurve(examples, {
          keywords: compileKeywords(options.target ? config : { ...config, target: undefined }),
          extra: keywordExamples(config),
          sizes,
          seeds,
          strategy: options.random ? 'random' : 'uncertainty',
        });
        process.stdout.write(options.json ? `${JSON.stringify(points)}\n` : `${formatLearningCurve(points)}\n`);
      } catch (error) {
        fail(error);
      }
    });
  return classify;
}

export function register(program: Command): void {
  registerClassify(program);
}
