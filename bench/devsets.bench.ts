/**
 * Quality on the classifier's development data — what the rounds of issue 13 were chosen on, so these
 * figures are not held out (the held-out set is the `heldout` bench's):
 * - the tuning set `test/fixtures/labelled/`, leave one file out: the learned layer trained on the other
 *   files and the keyword file's examples, judged on the file left out, pooled;
 * - the development sets written for single rounds (`precision-dev`, `target-dev`, `ru-dev`, `ru-precision-dev`), with the
 *   learned layer trained on the whole tuning set and the keyword file's examples, as the service trains it.
 * Keyword layer alone beside keywords + learned layer, all and per language.
 */
import { loadKeywords } from '../src/config/keywords.js';
import { compileKeywords, createClassifier, keywordExamples, trainLearned, type Classifier, type LabelledExample } from '../src/classify/index.js';
import type { BenchArgs } from './index.js';
import { labelledExamples, labelledFiles } from './labelled.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const f3 = (x: number) => x.toFixed(3);

/** Development sets of single rounds, in the order they were written. */
const DEV_SETS = ['test/fixtures/precision-dev', 'test/fixtures/target-dev', 'test/fixtures/ru-dev', 'test/fixtures/ru-precision-dev'];
const TUNING = 'test/fixtures/labelled';

/**
 * Each example with the classifier that judges it (leave one file out gives each file its own) and its
 * language: as labelled, else as the classifier tells it (older tuning files carry no language).
 */
type Judged = ReadonlyArray<{ readonly example: LabelledExample; readonly classifier: Classifier; readonly lang: string | null }>;

function judged(examples: readonly LabelledExample[], classifier: Classifier): Judged {
  return examples.map((example) => ({ example, classifier, lang: example.lang ?? classifier.classify(example.text, null).lang ?? null }));
}

function line(name: string, judged: Judged): string {
  // Pooled: evaluate() per classifier would average over files; one pass over every example instead.
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const { example, classifier } of judged) {
    const got = classifier.classify(example.text, example.lang ?? null, example.channel ?? null).complaint;
    if (got && example.complaint) tp++;
    else if (got) fp++;
    else if (example.complaint) fn++;
  }
  const p = tp / Math.max(1, tp + fp);
  const r = tp / Math.max(1, tp + fn);
  return `${name.padEnd(22)} complaint P ${f3(p)} R ${f3(r)} F1 ${f3((2 * p * r) / Math.max(1e-9, p + r))}  (${tp + fn} complaints, ${fp} false positives)`;
}

function report(title: string, keywordsOnly: Judged, combined: Judged): void {
  for (const lang of [null, 'en', 'ru'] as const) {
    const pick = (j: Judged) => (lang === null ? j : j.filter((x) => x.lang === lang));
    const n = pick(keywordsOnly).length;
    if (n === 0) continue;
    out(`  ${title}, ${lang ?? 'all'} (n=${n})`);
    out(`    ${line('keywords alone', pick(keywordsOnly))}`);
    out(`    ${line('keywords + learned', pick(combined))}`);
  }
}

export default async function devsets(_args: BenchArgs): Promise<void> {
  const config = loadKeywords();
  const keywords = compileKeywords(config);
  const examples = keywordExamples(config);
  const keywordsOnly = createClassifier({ keywords });
  const tuning = labelledFiles(TUNING);

  const loKeywords: Judged[number][] = [];
  const loCombined: Judged[number][] = [];
  for (const left of tuning) {
    const rest = tuning.filter((t) => t !== left).flatMap((t) => t.examples);
    const combined = createClassifier({ keywords, learned: trainLearned([...rest, ...examples], { keywords }) });
    loKeywords.push(...judged(left.examples, keywordsOnly));
    loCombined.push(...judged(left.examples, combined));
  }
  out(`tuning set ${TUNING} (${tuning.length} files), leave one file out, pooled`);
  report('tuning', loKeywords, loCombined);

  const combined = createClassifier({ keywords, learned: trainLearned([...tuning.flatMap((t) => t.examples), ...examples], { keywords }) });
  for (const dir of DEV_SETS) {
    const data = labelledExamples(dir);
    out(`${dir} (${data.length} messages; learned layer trained on the whole tuning set)`);
    report(dir.slice(dir.lastIndexOf('/') + 1), judged(data, keywordsOnly), judged(data, combined));
  }
}
