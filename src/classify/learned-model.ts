/**
 * The learned layer: logistic regression over features that generalise — stems (unigrams, negated
 * unigrams inside a negation scope, bigrams, emoji), character 4-grams of the stems (so "zorbled",
 * "zorbling" and a typo share evidence; Russian endings too), the message's shape in the gate (a link,
 * a repost, "!", "?") and, when trained with a keyword model, the keyword score and the generic-cue score. The keyword feature starts at (and is pulled towards)
 * the weight that reproduces the keyword decision, so with few labels the model behaves like the
 * keywords and drifts only as far as the labels push it. Probabilities are calibrated: a temperature
 * and offset fitted on out-of-fold scores (classes weighed equally). Plain JSON (store, ship, diff).
 */
import type { Analysis } from './analyse.js';
import { Analyser } from './analyse.js';
import { compileKeywords, scoreKeywords, type KeywordModel, type KeywordScore } from './keyword-model.js';
import type { LabelledExample } from './labelled.js';
import { fitLogistic, sigmoid, type SparseRow } from './logistic-regression.js';
import { keywordsSchema } from '../config/keywords.js';

export interface LearnedLinear {
  readonly bias: number;
  /** Feature name → weight (zero weights omitted). */
  readonly weights: Readonly<Record<string, number>>;
}

export interface LearnedModel {
  readonly kind: 'complaint-radar/learned';
  /** 1: stems only; 2: adds character 4-grams (`c:`), the cue score (`kw:cues`) and calibration. */
  readonly version: 1 | 2;
  /** Character 4-gram features of the stems (`c:^zor`), valued count / √(grams in the message). */
  readonly charGrams?: boolean;
  /** Message-shape features of the gate (`s:link`, `s:repost`, `s:exclaim`, `s:question`; see `shapeFeatures`). */
  readonly shape?: boolean;
  /** Gate probability = σ(a · logit + b) (temperature a fitted on out-of-fold logits, b = 0); absent = identity. */
  readonly calibration?: { readonly a: number; readonly b: number } | null;
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
  /** Character 4-gram features (default true). */
  readonly charGrams?: boolean;
  /** Fit the calibration on k-fold out-of-fold logits (default true, from 100 examples). */
  readonly calibrate?: boolean;
  /** Message-shape features in the gate (default true). */
  readonly shape?: boolean;
}

/** Slope of the keyword prior: the keyword decision boundary maps to logit 0, ±0.25 weight to ±1. */
const PRIOR_SLOPE = 4;
const KW_CAP = 3;
export const KW_COMPLAINT = 'kw:complaint';
export const KW_CUES = 'kw:cues';
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

/** The message-shape features, in the order `shapeFeatures` reports them. */
export const SHAPE_FEATURES = ['s:link', 's:repost', 's:exclaim', 's:question'] as const;
const LINK = /https?:\/\/|www\./;
const REPOST = /(?:^|\s)RT @/;

/**
 * What the message looks like, whatever its words: it carries a link, it is a repost ("RT @…"), it
 * exclaims, it asks. Language- and domain-independent: a news repost with a link is rarely a complaint
 * on a social network, a complaint often exclaims or asks "why"; the labels decide how much each counts.
 * A bit per feature, in `SHAPE_FEATURES` order.
 * @example shapeFeatures('RT @news: MTS fined http://t.co/x') // 0b0011 (link, repost)
 */
export function shapeFeatures(text: string): number {
  let bits = 0;
  if ((text.includes('://') || text.includes('www.')) && LINK.test(text)) bits |= 1;
  if (text.includes('RT @') && REPOST.test(text)) bits |= 2;
  if (text.includes('!')) bits |= 4;
  if (text.includes('?')) bits |= 8;
  return bits;
}

/** Character 4-grams of one stem with word boundaries (`^` and `$`); none for emoji and numbers. */
export function charGrams(stem: string): string[] {
  const first = stem.charCodeAt(0);
  if (stem.length < 2 || (first >= 0x30 && first <= 0x39) || first >= 0xd800) return [];
  const padded = `^${stem}$`;
  const out: string[] = [];
  for (let i = 0; i + 4 <= padded.length; i++) out.push(padded.slice(i, i + 4));
  if (out.length === 0) out.push(padded);
  return out;
}

/** Character-gram feature values of a message: count / √(all grams), keyed `c:<gram>`. */
export function charFeatures(a: Analysis): Map<string, number> {
  const counts = new Map<string, number>();
  let total = 0;
  for (const s of a.stems) {
    for (const g of charGrams(s)) {
      counts.set(`c:${g}`, (counts.get(`c:${g}`) ?? 0) + 1);
      total++;
    }
  }
  const scale = total === 0 ? 0 : 1 / Math.sqrt(total);
  for (const [k, v] of counts) counts.set(k, v * scale);
  return counts;
}

/** Readable name of a feature for explanations ("w:!problem" → "not problem"). */
export function featureLabel(feature: string): string {
  if (feature.startsWith('c:')) return `"${feature.slice(2)}"`;
  if (feature === KW_CUES) return 'generic cues';
  if (feature.startsWith('s:')) return `(${feature.slice(2)})`;
  if (feature.startsWith('w:!')) return `not ${feature.slice(3)}`;
  if (feature.startsWith('w:') || feature.startsWith('b:')) return feature.slice(2);
  if (feature.startsWith('kw:')) return 'keywords';
  return feature;
}

interface Prepared {
  readonly text: readonly string[];
  readonly chars: ReadonlyMap<string, number>;
  readonly kw: KeywordScore | null;
  readonly shape: number;
}

function prepare(examples: readonly LabelledExample[], analyser: Analyser, keywords: KeywordModel | undefined, bigrams: boolean, chars: boolean): Prepared[] {
  return examples.map((e) => {
    const a = analyser.analyse(e.text, e.lang ?? null);
    return { text: [...new Set(textFeatures(a, bigrams))], chars: chars ? charFeatures(a) : new Map(), kw: keywords ? scoreKeywords(keywords, a) : null, shape: shapeFeatures(e.text) };
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
  const useChars = options.charGrams ?? true;
  const useShape = options.shape ?? true;
  const prepared = prepare(examples, analyser, keywords, bigrams, useChars);
  const minCount = options.minCount ?? 1;
  const counts = new Map<string, number>();
  for (const p of prepared) {
    for (const f of p.text) counts.set(f, (counts.get(f) ?? 0) + 1);
    for (const f of p.chars.keys()) counts.set(f, (counts.get(f) ?? 0) + 1);
  }
  const names: string[] = [];
  const index = new Map<string, number>();
  for (const [f, c] of counts) if (c >= minCount) index.set(f, names.push(f) - 1);
  const shapeIndex = useShape ? SHAPE_FEATURES.map((f) => names.push(f) - 1) : [];
  const kwIndex = new Map<string, number>();
  if (keywords) {
    for (const f of [KW_COMPLAINT, KW_CUES, ...keywords.categories.map(kwCategory)]) kwIndex.set(f, names.push(f) - 1);
  }
  const textRows: SparseRow[] = prepared.map((p) => {
    const idx: number[] = [];
    const val: number[] = [];
    for (const f of p.text) {
      const j = index.get(f);
      if (j !== undefined) {
        idx.push(j);
        val.push(1);
      }
    }
    for (const [f, v] of p.chars) {
      const j = index.get(f);
      if (j !== undefined) {
        idx.push(j);
        val.push(v);
      }
    }
    return { idx, val };
  });
  const fitOptions = { iterations: options.iterations ?? 300, learningRate: options.learningRate ?? 0.05, l2: options.l2 ?? 3e-4 };
  const balanced = options.balanced ?? true;
  const exampleWeight = examples.map((e) => e.weight ?? 1);
  /** Balanced class weights times each example's own weight; `at` maps row → example index. */
  const weighted = (y: readonly number[], at: (i: number) => number): number[] | undefined => {
    const own = y.map((_, i) => exampleWeight[at(i)] as number);
    if (!balanced) return own.every((w) => w === 1) ? undefined : own;
    let pos = 0;
    let neg = 0;
    y.forEach((v, i) => (v === 1 ? (pos += own[i] as number) : (neg += own[i] as number)));
    if (pos === 0 || neg === 0) return own.every((w) => w === 1) ? undefined : own;
    const total = pos + neg;
    return y.map((v, i) => (own[i] as number) * (v === 1 ? total / (2 * pos) : total / (2 * neg)));
  };

  // Gate.
  const settings = keywords?.config.settings;
  const gateRows = textRows.map((row, i) => {
    const p = prepared[i] as Prepared;
    const idx = [...row.idx];
    const val = [...row.val];
    shapeIndex.forEach((j, bit) => {
      if (p.shape & (1 << bit)) {
        idx.push(j);
        val.push(1);
      }
    });
    if (p.kw) {
      // The cue feature is the positive cue sum, as the classifier reads it (praise and reports already lower kw:complaint).
      idx.push(kwIndex.get(KW_COMPLAINT) as number, kwIndex.get(KW_CUES) as number);
      val.push(Math.min(p.kw.raw, KW_CAP), Math.max(0, Math.min(p.kw.cueSum, KW_CAP)));
    }
    return { idx, val };
  });
  const gateY = examples.map((e) => (e.complaint ? 1 : 0));
  const gatePrior = new Float64Array(names.length);
  let gatePriorBias = 0;
  if (keywords && settings) {
    gatePrior[kwIndex.get(KW_COMPLAINT) as number] = PRIOR_SLOPE;
    gatePriorBias = -PRIOR_SLOPE * -Math.log(1 - settings.complaintThreshold);
  }
  const gateOptions = { ...fitOptions, priorWeights: gatePrior, priorBias: gatePriorBias };
  const gateWeights = weighted(gateY, (i) => i);
  const gateFit = fitLogistic(gateRows, gateY, names.length, { ...gateOptions, sampleWeights: gateWeights });
  const calibration = (options.calibrate ?? true) && examples.length >= CALIBRATION_MIN ? calibrate(gateRows, gateY, names.length, gateOptions, gateWeights) : null;

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
    const fit = fitLogistic(rows, y, names.length, { ...fitOptions, priorWeights: prior, priorBias, sampleWeights: weighted(y, (i) => complaintIdx[i] as number) });
    categories[name] = toLinear(fit.bias, fit.weights, names);
  }
  return {
    kind: 'complaint-radar/learned',
    version: 2,
    charGrams: useChars,
    shape: useShape,
    calibration,
    keywordFeatures: keywords !== undefined,
    gate: toLinear(gateFit.bias, gateFit.weights, names),
    categories,
    trainedOn: { examples: examples.length, complaints: complaintIdx.length, perCategory },
  };
}

const CALIBRATION_FOLDS = 3;
/** Fewer examples than this are too few to fit a calibration on. */
const CALIBRATION_MIN = 100;

/**
 * Calibration on out-of-fold logits (folds by index, deterministic): temperature scaling with the
 * examples' (class-balanced) weights.
 */
function calibrate(
  rows: readonly SparseRow[],
  y: readonly number[],
  featureCount: number,
  options: Parameters<typeof fitLogistic>[3],
  weights: readonly number[] | undefined,
): { a: number; b: number } | null {
  const z = new Float64Array(rows.length);
  for (let f = 0; f < CALIBRATION_FOLDS; f++) {
    const trainIdx = rows.flatMap((_, i) => (i % CALIBRATION_FOLDS === f ? [] : [i]));
    const ty = trainIdx.map((i) => y[i] as number);
    if (ty.every((v) => v === ty[0])) return null;
    const fit = fitLogistic(trainIdx.map((i) => rows[i] as SparseRow), ty, featureCount, { ...options, sampleWeights: weights ? trainIdx.map((i) => weights[i] as number) : undefined });
    for (let i = f; i < rows.length; i += CALIBRATION_FOLDS) {
      const row = rows[i] as SparseRow;
      let zi = fit.bias;
      for (let k = 0; k < row.idx.length; k++) zi += (fit.weights[row.idx[k] as number] as number) * (row.val[k] as number);
      z[i] = zi;
    }
  }
  // Temperature scaling: p = σ(a · z), a fitted by Newton's method on the weighted log loss. The
  // offset stays 0, so the decision (z ≥ 0, balanced odds) is unchanged and only confidence moves.
  let a = 1;
  for (let it = 0; it < 50; it++) {
    let g = 0;
    let h = 1e-6;
    for (let i = 0; i < z.length; i++) {
      const zi = z[i] as number;
      const p = sigmoid(a * zi);
      const w = weights?.[i] ?? 1;
      g += w * (p - (y[i] as number)) * zi;
      h += w * p * (1 - p) * zi * zi;
    }
    const step = g / h;
    a = Math.min(10, Math.max(0.05, a - step));
    if (Math.abs(step) < 1e-6) break;
  }
  return { a: Math.round(a * 1e5) / 1e5, b: 0 };
}

/** Checks that a parsed JSON value looks like a LearnedModel (for files and the store). */
export function isLearnedModel(value: unknown): value is LearnedModel {
  const v = value as Partial<LearnedModel> | null;
  return v !== null && typeof v === 'object' && v.kind === 'complaint-radar/learned' && (v.version === 1 || v.version === 2) &&
    typeof v.gate === 'object' && v.gate !== null && typeof v.categories === 'object';
}
