/**
 * Learning from support, simulated: how good the classifier gets after support labels 0, 25, 50,
 * 100, 200, 400 messages, when the messages to label are chosen as a review queue would choose them
 * (disagreement between the keyword layer and the learned layer first, then the most uncertain).
 * Per seed: a stratified split into a pool (70 %) and a test set (30 %); labels come from the pool in
 * batches; after each batch the learned layer is retrained (on the labels and `extra`, e.g. the
 * keyword file's examples) and scored on the test set. Below `minLabels` labels the keyword layer
 * decides alone, as in production. Pure and deterministic for a seed.
 */
import { createClassifier, type Classifier } from './classifier.js';
import type { KeywordModel } from './keyword-model.js';
import type { LabelledExample } from './labelled.js';
import { trainLearned, type TrainOptions } from './learned-model.js';

export interface LearningCurveOptions {
  readonly keywords: KeywordModel;
  readonly sizes?: readonly number[];
  readonly seeds?: number;
  /** Training data added to every fit (weighted by their own `weight`). */
  readonly extra?: readonly LabelledExample[];
  /** Fewer labels than this train nothing (the service's MIN_LABELS_TO_TRAIN). */
  readonly minLabels?: number;
  readonly testShare?: number;
  /** `uncertainty` (default) or `random` (the baseline). */
  readonly strategy?: 'uncertainty' | 'random';
  /** Training options of the learned layer (the keyword model is always given). */
  readonly train?: Omit<TrainOptions, 'keywords'>;
}

export interface LearningCurvePoint {
  readonly labels: number;
  /** Means over seeds, and the standard deviation of macro-F1. */
  readonly macroF1: number;
  readonly macroF1Sd: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export const DEFAULT_SIZES: readonly number[] = [0, 25, 50, 100, 200, 400];

function lcg(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

function scoreOn(classifier: Classifier, test: readonly LabelledExample[]): { p: number; r: number; f1: number; macro: number } {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (const e of test) {
    const got = classifier.classify(e.text, e.lang ?? null, e.channel ?? null).complaint;
    if (got && e.complaint) tp++;
    else if (got) fp++;
    else if (e.complaint) fn++;
    else tn++;
  }
  const f = (a: number, b: number, c: number) => (a === 0 ? 0 : (2 * a) / (2 * a + b + c));
  const f1 = f(tp, fp, fn);
  return { p: tp / Math.max(1, tp + fp), r: tp / Math.max(1, tp + fn), f1, macro: (f1 + f(tn, fn, fp)) / 2 };
}

/** Why a message is in the review queue: the keyword and learned layers disagree, or the model is unsure. */
export type ReviewReason = 'layers-disagree' | 'uncertain';

export interface ReviewPriority {
  readonly reason: ReviewReason;
  /** The complaint probability the order used (learned when there is a learned layer, else keyword). */
  readonly probability: number;
  /** Smaller is reviewed first: disagreements (0..0.5), then the rest by distance from 0.5 (1..1.5). */
  readonly key: number;
}

/**
 * The review queue's criterion for one message, from the layers' complaint scores (the service's
 * review queue and the learning-curve simulation share it).
 * @example reviewPriority({ keywordScore: 0.8, learnedScore: 0.3 }) // { reason: 'layers-disagree', probability: 0.3, key: 0.2 }
 */
export function reviewPriority(x: { readonly keywordScore: number; readonly learnedScore: number | null }): ReviewPriority {
  const p = x.learnedScore ?? x.keywordScore;
  const disagree = x.learnedScore !== null && x.learnedScore >= 0.5 !== x.keywordScore >= 0.5;
  return { reason: disagree ? 'layers-disagree' : 'uncertain', probability: p, key: (disagree ? 0 : 1) + Math.abs(p - 0.5) };
}

/**
 * Review-queue order of the pool: first where the layers disagree, then by how close the complaint
 * probability is to 0.5 (the learned one when there is a learned layer, else the keyword score).
 */
export function reviewOrder(classifier: Classifier, pool: readonly LabelledExample[]): number[] {
  const keyed = pool.map((e, i) => ({ i, key: reviewPriority(classifier.explain(e.text, e.lang ?? null, e.channel ?? null)).key }));
  return keyed.sort((a, b) => a.key - b.key || a.i - b.i).map((k) => k.i);
}

export function learningCurve(examples: readonly LabelledExample[], options: LearningCurveOptions): LearningCurvePoint[] {
  const sizes = options.sizes ?? DEFAULT_SIZES;
  const seeds = options.seeds ?? 5;
  const extra = options.extra ?? [];
  const minLabels = options.minLabels ?? 20;
  const testShare = options.testShare ?? 0.3;
  const { keywords } = options;
  const runs: Array<Array<{ p: number; r: number; f1: number; macro: number }>> = sizes.map(() => []);
  for (let seed = 1; seed <= seeds; seed++) {
    const rand = lcg(seed);
    const test: LabelledExample[] = [];
    let pool: LabelledExample[] = [];
    for (const label of [true, false]) {
      const group = shuffle(examples.filter((e) => e.complaint === label), rand);
      const cut = Math.round(group.length * testShare);
      test.push(...group.slice(0, cut));
      pool.push(...group.slice(cut));
    }
    pool = shuffle(pool, rand);
    const labelled: LabelledExample[] = [];
    let classifier = createClassifier({ keywords });
    sizes.forEach((size, s) => {
      const want = Math.min(size, labelled.length + pool.length) - labelled.length;
      if (want > 0) {
        const order = options.strategy === 'random' ? pool.map((_, i) => i) : reviewOrder(classifier, pool);
        const chosen = new Set(order.slice(0, want));
        labelled.push(...pool.filter((_, i) => chosen.has(i)));
        pool = pool.filter((_, i) => !chosen.has(i));
      }
      const classes = new Set(labelled.map((e) => e.complaint));
      classifier =
        labelled.length >= minLabels && classes.size === 2
          ? createClassifier({ keywords, learned: trainLearned([...labelled, ...extra], { ...options.train, keywords }) })
          : createClassifier({ keywords });
      (runs[s] as Array<{ p: number; r: number; f1: number; macro: number }>).push(scoreOn(classifier, test));
    });
  }
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return sizes.map((labels, s) => {
    const xs = runs[s] as Array<{ p: number; r: number; f1: number; macro: number }>;
    const mean = (f: (x: { p: number; r: number; f1: number; macro: number }) => number) => xs.reduce((sum, x) => sum + f(x), 0) / xs.length;
    const m = mean((x) => x.macro);
    const sd = Math.sqrt(xs.reduce((sum, x) => sum + (x.macro - m) ** 2, 0) / Math.max(1, xs.length - 1));
    return { labels, macroF1: r3(m), macroF1Sd: r3(sd), precision: r3(mean((x) => x.p)), recall: r3(mean((x) => x.r)), f1: r3(mean((x) => x.f1)) };
  });
}

/** One line per point: labels, macro-F1 ± sd, complaint P/R/F1. */
export function formatLearningCurve(points: readonly LearningCurvePoint[]): string {
  return points
    .map((p) => `${String(p.labels).padStart(4)} labels: macro-F1 ${p.macroF1.toFixed(3)} ± ${p.macroF1Sd.toFixed(3)}  complaint P ${p.precision.toFixed(3)} R ${p.recall.toFixed(3)} F1 ${p.f1.toFixed(3)}`)
    .join('\n');
}
