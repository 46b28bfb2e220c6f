/**
 * The learned layer: logistic regression over stem features (unigrams, negated unigrams, bigrams,
 * emoji) and, when trained with a keyword model, the keyword scores themselves. The keyword features
 * start at (and are pulled towards) the weights that reproduce the keyword decision, so with few
 * labels the model behaves like the keywords and drifts only as far as the labels push it.
 * The model is plain JSON (store it, ship it, diff it).
 */
import type { Analysis } from './analyse.js';
import { Analyser } from './analyse.js';
import { compileKeywords, scoreKeywords, type KeywordModel, type KeywordScore } from './keyword-model.js';
import type { LabelledExample } from './labelled.js';
import { fitLogistic, type SparseRow } from './logistic-regression.js';
import { keywordsSchema } from '../config/keywords.js';

export interface LearnedLinear {
  readonly bias: number;
  /** Feature name → weight (zero weights omitted). */
  readonly weights: Readonly<Record<string, number>>;
}

export interface LearnedModel {
  readonly kind: 'complaint-radar/learned';
  readonly version: 1;
  /** True when the keyword scores are features (the model must be used with a keyword model). */
  readonly keywordFeatures: boolean;
  readonly gate: LearnedLinear;
  /** One-vs-rest models for the categories that had enough labelled complaints. */
  readonly categories: Readonly<Record<string, LearnedLinear>>;
  readonly trainedOn: { readonly examples: number; readonly complaints: number; readonly perCategory: Readonly<Record<string, number>> };
}

export interface TrainOptions {
  /** Use the keyword model's scores as features (recommended for the service). */
  readonly keywords?: KeywordModel;
  readonly iterations?: number;
  readonly learningRate?: number;
  readonly l2?: number;
  /** Features seen in fewer examples are dropped. */
  readonly minCount?: number;
  /** Weigh classes equally (default true). */
  readonly balanced?: boolean;
  /** Least labelled complaints of a category for it to get its own model. */
  readonly minCategoryExamples?: number;
  readonly bigrams?: boolean;
}

/** Slope of the keyword prior: the keyword decision boundary maps to logit 0, ±0.25 weight to ±1. */
const PRIOR_SLOPE = 4;
const KW_CAP = 3;
export const KW_COMPLAINT = 'kw:complaint';
export const kwCategory = (name: string) => `kw:cat:${name}`;

let plainAnalyser: Analyser | undefined;
/** The analyser used when no keyword model is given (default negators, empty vocabulary). */
export function defaultAnalyser(): Analyser {
  plainAnalyser ??= compileKeywords(keywordsSchema.parse({ version: 1, gate: {}, categories: [{ name: 'none' }] })).analyser;
  return plainAnalyser;
}

/** Feature names of an analysed message (text features only; values are all 1). */
export function textFeatures(a: Analysis, bigrams = true): string[] {
  const out: string[] = [];
  const { stems, negated, clauseStart } = a;
  for (let i = 0; i < stems.length; i++) {
    const s = stems[i] as string;
    out.push(negated[i] ? `w:!${s}` : `w:${s}`);
    if (bigrams && i > 0 && !clauseStart[i]) out.push(`b:${stems[i - 1] as string} ${s}`);
  }
  return out;
}

/** Readable name of a feature for explanations ("w:!problem" → "not problem"). */
export function featureLabel(feature: string): string {
  if (feature.startsWith('w:!')) return `not ${feature.slice(3)}`;
  if (feature.startsWith('w:') || feature.startsWith('b:')) return feature.slice(2);
  if (feature.startsWith('kw:')) return 'keywords';
  return feature;
}

interface Prepared {
  readonly text: readonly string[];
  readonly kw: KeywordScore | null;
}

function prepare(examples: readonly LabelledExample[], analyser: Analyser, keywords: KeywordModel | undefined, bigrams: boolean): Prepared[] {
  return examples.map((e) => {
    const a = analyser.analyse(e.text, e.lang ?? null);
    return { text: [...new Set(textFeatures(a, bigrams))], kw: keywords ? scoreKeywords(keywords, a) : null };
  });
}

function toLinear(bias: number, weights: Float64Array, names: readonly string[]): LearnedLinear {
  const out: Record<string, number> = {};
  weights.forEach((w, j) => {
    if (Math.abs(w) >= 1e-4) out[names[j] as string] = Math.round(w * 1e5) / 1e5;
  });
  return { bias: Math.round(bias * 1e5) / 1e5, weights: out };
}

/** Trains the learned layer on labelled examples. Pure and deterministic. */
export function trainLearned(examples: readonly LabelledExample[], options: TrainOptions = {}): LearnedModel {
  const keywords = options.keywords;
  const analyser = keywords?.analyser ?? defaultAnalyser();
  const bigrams = options.bigrams ?? true;
  const prepared = prepare(examples, analyser, keywords, bigrams);
  const minCount = options.minCount ?? 2;
  const counts = new Map<string, number>();
  for (const p of prepared) for (const f of p.text) counts.set(f, (counts.get(f) ?? 0) + 1);
  const names: string[] = [];
  const index = new Map<string, number>();
  for (const [f, c] of counts) if (c >= minCount) index.set(f, names.push(f) - 1);
  const kwIndex = new Map<string, number>();
  if (keywords) {
    for (const f of [KW_COMPLAINT, ...keywords.categories.map(kwCategory)]) kwIndex.set(f, names.push(f) - 1);
  }
  const textRows: SparseRow[] = prepared.map((p) => {
    const idx: number[] = [];
    for (const f of p.text) {
      const j = index.get(f);
      if (j !== undefined) idx.push(j);
    }
    return { idx, val: idx.map(() => 1) };
  });
  const fitOptions = { iterations: options.iterations ?? 300, learningRate: options.learningRate ?? 0.05, l2: options.l2 ?? 1e-3 };
  const balanced = options.balanced ?? true;
  const classWeights = (y: readonly number[]) => {
    if (!balanced) return undefined;
    const pos = y.reduce((s, v) => s + v, 0);
    const neg = y.length - pos;
    if (pos === 0 || neg === 0) return undefined;
    return y.map((v) => (v === 1 ? y.length / (2 * pos) : y.length / (2 * neg)));
  };

  // Gate.
  const settings = keywords?.config.settings;
  const gateRows = textRows.map((row, i) => {
    const kw = prepared[i]?.kw;
    if (!kw) return row;
    return { idx: [...row.idx, kwIndex.get(KW_COMPLAINT) as number], val: [...row.val, Math.min(kw.raw, KW_CAP)] };
  });
  const gateY = examples.map((e) => (e.complaint ? 1 : 0));
  const gatePrior = new Float64Array(names.length);
  let gatePriorBias = 0;
  if (keywords && settings) {
    gatePrior[kwIndex.get(KW_COMPLAINT) as number] = PRIOR_SLOPE;
    gatePriorBias = -PRIOR_SLOPE * -Math.log(1 - settings.complaintThreshold);
  }
  const gateFit = fitLogistic(gateRows, gateY, names.length, {
    ...fitOptions,
    priorWeights: gatePrior,
    priorBias: gatePriorBias,
    sampleWeights: classWeights(gateY),
  });

  // Categories, one-vs-rest over labelled complaints.
  const perCategory: Record<string, number> = {};
  for (const e of examples) if (e.complaint && e.category) perCategory[e.category] = (perCategory[e.category] ?? 0) + 1;
  const complaintIdx = examples.flatMap((e, i) => (e.complaint ? [i] : []));
  const categories: Record<string, LearnedLinear> = {};
  const minCat = options.minCategoryExamples ?? 3;
  for (const [name, count] of Object.entries(perCategory)) {
    if (count < minCat) continue;
    const kwPos = keywords?.categories.indexOf(name) ?? -1;
    const rows = complaintIdx.map((i) => {
      const row = textRows[i] as SparseRow;
      const kw = prepared[i]?.kw;
      const cat = kw && kwPos >= 0 ? kw.categories[kwPos] : undefined;
      if (!cat) return row;
      return { idx: [...row.idx, kwIndex.get(kwCategory(name)) as number], val: [...row.val, Math.min(cat.sum, KW_CAP)] };
    });
    const y = complaintIdx.map((i) => (examples[i]?.category === name ? 1 : 0));
    const prior = new Float64Array(names.length);
    let priorBias = 0;
    if (keywords && settings && kwPos >= 0) {
      prior[kwIndex.get(kwCategory(name)) as number] = PRIOR_SLOPE;
      priorBias = -PRIOR_SLOPE * (settings.categoryMinWeight - 0.1);
    }
    const fit = fitLogistic(rows, y, names.length, { ...fitOptions, priorWeights: prior, priorBias, sampleWeights: classWeights(y) });
    categories[name] = toLinear(fit.bias, fit.weights, names);
  }
  return {
    kind: 'complaint-radar/learned',
    version: 1,
    keywordFeatures: keywords !== undefined,
    gate: toLinear(gateFit.bias, gateFit.weights, names),
    categories,
    trainedOn: { examples: examples.length, complaints: complaintIdx.length, perCategory },
  };
}

/** Checks that a parsed JSON value looks like a LearnedModel (for files and the store). */
export function isLearnedModel(value: unknown): value is LearnedModel {
  const v = value as Partial<LearnedModel> | null;
  return v !== null && typeof v === 'object' && v.kind === 'complaint-radar/learned' && v.version === 1 &&
    typeof v.gate === 'object' && v.gate !== null && typeof v.categories === 'object';
}
