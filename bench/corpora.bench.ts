/**
 * Quality on public labelled corpora (read from `args.corpora`, never copied into the project):
 * 1. Preoţiuc-Pietro et al. 2019 complaints (English tweets): stratified 10-fold CV of the learned
 *    layer (alone, and with the keyword scores as features), all 3,449 tweets and the nine
 *    customer-service domains only; macro F1 over complaint / not complaint.
 * 2. SentiRuEval-2016 telecom (Russian tweets): complaint gate vs "negative towards an operator"
 *    (tweet label negative or mixed) — the keyword gate alone, the learned layer trained on the
 *    banks set and tested on telecom, and 10-fold CV on telecom.
 * The keyword lines run without the `target` section ("is it about us?" knows our mail service, and
 * these tweets are about other brands): product keywords alone, then with the generic cues
 * (`config/keywords-cues.yaml`), on all rows and on two halves: English by even (looked at while
 * writing the cues) and odd rows; Russian by a hash of the text (development half read while writing
 * the cues, evaluation half never read), plus the tweets with no link and no retweet.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadKeywords } from '../src/config/keywords.js';
import { compileKeywords, createClassifier, formatLearningCurve, keywordExamples, learningCurve, trainLearned, type Classifier, type KeywordModel, type LabelledExample, type TrainOptions } from '../src/classify/index.js';
import type { BenchArgs } from './index.js';

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and new lines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** 32-bit FNV-1a of a string's UTF-16 code units (a deterministic split that does not depend on row order). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** A link or a retweet: mostly news and reposts, where no complaint cue can be (most negative "news" about operators). */
const NEWS_LIKE = /https?:|(?:^|\s)RT @/;

interface Binary {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

function f1(tp: number, fp: number, fn: number): number {
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

function summary(m: Binary): string {
  const p = m.tp / Math.max(1, m.tp + m.fp);
  const r = m.tp / Math.max(1, m.tp + m.fn);
  const pos = f1(m.tp, m.fp, m.fn);
  const neg = f1(m.tn, m.fn, m.fp);
  return `P ${p.toFixed(3)}  R ${r.toFixed(3)}  F1 ${pos.toFixed(3)}  macro-F1 ${((pos + neg) / 2).toFixed(3)}`;
}

function score(classifier: Classifier, examples: readonly LabelledExample[], into: Binary): void {
  for (const e of examples) {
    const got = classifier.classify(e.text, e.lang ?? null).complaint;
    if (got && e.complaint) into.tp++;
    else if (got) into.fp++;
    else if (e.complaint) into.fn++;
    else into.tn++;
  }
}

/** Deterministic stratified folds: shuffle each class with a seeded LCG, deal round-robin. */
function stratifiedFolds(examples: readonly LabelledExample[], k: number, seed = 42): number[] {
  let state = seed;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const fold = new Array<number>(examples.length).fill(0);
  for (const label of [true, false]) {
    const idx = examples.flatMap((e, i) => (e.complaint === label ? [i] : []));
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
    }
    idx.forEach((i, n) => (fold[i] = n % k));
  }
  return fold;
}

function crossValidate(examples: readonly LabelledExample[], keywords: KeywordModel, train: TrainOptions, k = 10): Binary {
  const folds = stratifiedFolds(examples, k);
  const m: Binary = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let f = 0; f < k; f++) {
    const trainSet = examples.filter((_, i) => folds[i] !== f);
    const testSet = examples.filter((_, i) => folds[i] === f);
    const learned = trainLearned(trainSet, train);
    score(createClassifier({ keywords, learned }), testSet, m);
  }
  return m;
}

function keywordOnly(examples: readonly LabelledExample[], keywords: KeywordModel): Binary {
  const m: Binary = { tp: 0, fp: 0, fn: 0, tn: 0 };
  score(createClassifier({ keywords }), examples, m);
  return m;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

export default async function corpora(args: BenchArgs): Promise<void> {
  if (!args.corpora) {
    out('skipped: no data');
    return;
  }
  const config = loadKeywords();
  const keywords = compileKeywords({ ...config, target: undefined });
  const productOnly = compileKeywords({ ...config, target: undefined, cues: undefined });
  const halves = (set: readonly LabelledExample[]) =>
    `odd rows ${summary(keywordOnly(set.filter((_, i) => i % 2 === 1), keywords))}  |  even rows ${summary(keywordOnly(set.filter((_, i) => i % 2 === 0), keywords))}`;
  /** The Russian split: by a hash of the text, development half (read while writing the cues) and evaluation half (never read). */
  const hashHalves = (set: readonly LabelledExample[]) =>
    `dev half ${summary(keywordOnly(set.filter((e) => fnv1a(e.text) % 2 === 0), keywords))}  |  eval half ${summary(keywordOnly(set.filter((e) => fnv1a(e.text) % 2 === 1), keywords))}`;
  const t0 = Date.now();
  const seeds = args.quick ? 2 : 5;
  /** `radar classify learning-curve` on a corpus: labels chosen by the review queue, mean over seeds. */
  const curve = (name: string, set: readonly LabelledExample[]) => {
    out(`  learning curve, ${name} (70/30 split per seed, ${seeds} seeds, review-queue order; goal macro-F1 ≥ 0.75 after 200 labels):`);
    for (const line of formatLearningCurve(learningCurve(set, { keywords, extra: keywordExamples(config), seeds })).split('\n')) out(`    ${line}`);
  };

  const complaintsFile = join(args.corpora, 'complaints-preotiuc-2019/complaints-data.csv');
  if (existsSync(complaintsFile)) {
    const rows = parseCsv(readFileSync(complaintsFile, 'utf8')).filter((r) => r.length >= 4);
    const all: Array<LabelledExample & { domain: string }> = rows.map((r) => ({ text: r[1] ?? '', lang: 'en', complaint: r[2] === '1', category: null, domain: r[3] ?? '' }));
    const service = all.filter((e) => !e.domain.startsWith('random_'));
    out(`Preoţiuc-Pietro 2019 complaints: ${all.length} tweets (${all.filter((e) => e.complaint).length} complaints); stratified 10-fold CV`);
    for (const [name, set] of [['all 3,449 tweets', all], ['9 customer-service domains', service]] as const) {
      out(`  ${name} (n=${set.length}):`);
      out(`    product keywords alone, no cues         ${summary(keywordOnly(set, productOnly))}`);
      out(`    keywords + generic cues (no training)   ${summary(keywordOnly(set, keywords))}`);
      out(`      (cues: ${halves(set)})`);
      out(`    learned layer alone                     ${summary(crossValidate(set, keywords, {}))}`);
      out(`    learned layer + keyword scores          ${summary(crossValidate(set, keywords, { keywords }))}`);
    }
    curve('Preoţiuc-Pietro 2019, all 3,449 tweets', all);
  } else out('complaints-preotiuc-2019: skipped: no data');

  const telecomFile = join(args.corpora, 'sentirueval-2016/telecom_test_flat.csv');
  const banksFile = join(args.corpora, 'sentirueval-2016/banks_test_flat.csv');
  if (existsSync(telecomFile) && existsSync(banksFile)) {
    const read = (file: string): LabelledExample[] =>
      parseCsv(readFileSync(file, 'utf8'))
        .slice(1)
        .filter((r) => r.length >= 6)
        .map((r) => ({ text: r[3] ?? '', lang: 'ru', complaint: r[5] === 'negative' || r[5] === 'mixed', category: null }));
    const telecom = read(telecomFile);
    const banks = read(banksFile);
    out(`SentiRuEval-2016: complaint gate vs "negative towards an operator" (label negative or mixed); telecom n=${telecom.length} (${telecom.filter((e) => e.complaint).length} negative), banks n=${banks.length}`);
    out(`  macro-F1 = mean F1 of (negative, rest); the shared task's best macro F (positive/negative sentiment classes) was 0.5594`);
    out(`    product keywords alone, no cues         ${summary(keywordOnly(telecom, productOnly))}`);
    out(`    keywords + generic cues (no training)   ${summary(keywordOnly(telecom, keywords))}`);
    out(`      (cues: ${hashHalves(telecom)})`);
    const firstPerson = telecom.filter((e) => !NEWS_LIKE.test(e.text));
    out(`      (cues, tweets with no link and no retweet, n=${firstPerson.length}: ${summary(keywordOnly(firstPerson, keywords))})`);
    const m: Binary = { tp: 0, fp: 0, fn: 0, tn: 0 };
    score(createClassifier({ keywords, learned: trainLearned(banks, { keywords }) }), telecom, m);
    out(`    learned (+keywords) trained on banks    ${summary(m)}`);
    out(`    learned (+keywords) 10-fold CV telecom  ${summary(crossValidate(telecom, keywords, { keywords }))}`);
    out(`    learned alone 10-fold CV telecom        ${summary(crossValidate(telecom, keywords, {}))}`);
    curve('SentiRuEval-2016 telecom', telecom);
  } else out('sentirueval-2016: skipped: no data');
  out(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
