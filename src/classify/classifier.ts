/**
 * The classifier: keyword model (always) plus the learned layer (optional). Pure: text in,
 * Classification out. `explain` returns everything that decided, for the CLI and the dashboard.
 */
import type { CategoryMatch, Classification, TargetDecision } from '../domain/classification.js';
import type { Lang } from '../domain/message.js';
import type { Analysis } from './analyse.js';
import { scoreKeywords, type KeywordCategoryScore, type KeywordModel, type KeywordScore } from './keyword-model.js';
import { KW_COMPLAINT, KW_CUES, SHAPE_FEATURES, charFeatures, charGrams, featureLabel, kwCategory, shapeFeatures, textFeatures, type LearnedLinear, type LearnedModel } from './learned-model.js';
import { sigmoid } from './logistic-regression.js';
import { modelVersion } from './model-version.js';
import { intern } from './stem.js';
import { decideTarget } from './target-model.js';

export interface Explanation {
  readonly classification: Classification;
  /** Keyword complaint score in [0,1] and the summed weight behind it. */
  readonly keywordScore: number;
  readonly keywordRaw: number;
  /** Learned complaint probability, or null without a learned layer. */
  readonly learnedScore: number | null;
  readonly gateTerms: readonly string[];
  /** Generic complaint cues that matched (`group: term`, from the cue file). */
  readonly cueTerms: readonly string[];
  /** Gate or category exclusions that matched. */
  readonly excludedBy: readonly string[];
  /** Problem terms that matched but were negated. */
  readonly negatedTerms: readonly string[];
  /** Learned features that pushed the complaint decision most (prefixed `~`). */
  readonly learnedTerms: readonly string[];
  /** Every category with any evidence, best first, regardless of the complaint decision. */
  readonly ranking: readonly CategoryMatch[];
  /** The complaint decision before "is it about us?" (true for a complaint about another service). */
  readonly complaintAboutAnything: boolean;
}

export interface Classifier {
  readonly keywords: KeywordModel;
  readonly learned: LearnedModel | null;
  /** Hash of the keyword config and the learned layer; stored with every classification. */
  readonly version: string;
  /** `channel` (twitter, email, helpdesk, …) tells "is it about us?" that mail to our support is ours. */
  classify(text: string, lang?: Lang | null, channel?: string | null): Classification;
  explain(text: string, lang?: Lang | null, channel?: string | null): Explanation;
}

interface CompiledLinear {
  readonly bias: number;
  readonly weights: ReadonlyMap<string, number>;
  /** The same weights by stem, so scoring builds no feature strings. */
  readonly unigram: ReadonlyMap<string, number>;
  readonly negatedUnigram: ReadonlyMap<string, number>;
  readonly bigram: ReadonlyMap<string, ReadonlyMap<string, BigramWeight>>;
  readonly chars: ReadonlyMap<string, number>;
  /** Per stem, everything scoring needs in one lookup (filled lazily, bounded: replaced by an empty map when full). */
  stemMemo: Map<string, StemWeights>;
}

interface StemWeights {
  /** The logit call that last counted this stem (plain / negated): dedupe without building sets. */
  seen: number;
  seenNegated: number;
  readonly unigram: number;
  readonly negated: number;
  /** Summed weight of the stem's character grams, and how many it has. */
  readonly charSum: number;
  readonly charCount: number;
  /** Bigram weights with this stem first (undefined when none). */
  readonly next: ReadonlyMap<string, BigramWeight> | undefined;
}

/** A weighted bigram, with the logit call that last counted it (dedupe without looking back). */
interface BigramWeight {
  readonly weight: number;
  seen: number;
}

function compileLinear(l: LearnedLinear): CompiledLinear {
  const unigram = new Map<string, number>();
  const negatedUnigram = new Map<string, number>();
  const bigram = new Map<string, Map<string, BigramWeight>>();
  const chars = new Map<string, number>();
  for (const [f, w] of Object.entries(l.weights)) {
    if (f.startsWith('c:')) chars.set(intern(f.slice(2)), w);
    else if (f.startsWith('w:!')) negatedUnigram.set(intern(f.slice(3)), w);
    else if (f.startsWith('w:')) unigram.set(intern(f.slice(2)), w);
    else if (f.startsWith('b:')) {
      const space = f.indexOf(' ', 2);
      const first = intern(f.slice(2, space));
      let inner = bigram.get(first);
      if (!inner) bigram.set(first, (inner = new Map()));
      inner.set(intern(f.slice(space + 1)), { weight: w, seen: 0 });
    }
  }
  return { bias: l.bias, weights: new Map(Object.entries(l.weights)), unigram, negatedUnigram, bigram, chars, stemMemo: new Map() };
}

function stemWeights(model: CompiledLinear, stem: string): StemWeights {
  let memo = model.stemMemo.get(stem);
  if (memo === undefined) {
    let charSum = 0;
    let charCount = 0;
    if (model.chars.size > 0) {
      const grams = charGrams(stem);
      for (const g of grams) charSum += model.chars.get(g) ?? 0;
      charCount = grams.length;
    }
    memo = { seen: 0, seenNegated: 0, unigram: model.unigram.get(stem) ?? 0, negated: model.negatedUnigram.get(stem) ?? 0, charSum, charCount, next: model.bigram.get(stem) };
    // A new map, not clear(): words' memo slots name the map their weights came from (see logit).
    if (model.stemMemo.size >= 50_000) model.stemMemo = new Map();
    model.stemMemo.set(stem, memo);
  }
  return memo;
}

let logitCalls = 0;

/** bias + Σ w·x over the message's features (each distinct feature once, as in training). */
function logit(model: CompiledLinear, a: Analysis, bigrams: boolean, extra: string | null, extraValue: number, cues = 0): number {
  let z = model.bias;
  const { stems, negated, clauseStart, memos } = a;
  const n = stems.length;
  // Each distinct (stem, negated) counts once: the memo entry remembers the call that counted it.
  const call = ++logitCalls;
  let charSum = 0;
  let charCount = 0;
  let previous: StemWeights | null = null;
  for (let i = 0; i < n; i++) {
    const s = stems[i] as string;
    // The word's memo slot holds this model's weights for its stem when this model's memo filled it last.
    const memo = memos[i];
    let w: StemWeights;
    if (memo !== undefined && memo.owner === model.stemMemo) w = memo.value as StemWeights;
    else {
      w = stemWeights(model, s);
      if (memo !== undefined) {
        memo.owner = model.stemMemo;
        memo.value = w;
      }
    }
    charSum += w.charSum;
    charCount += w.charCount;
    if (negated[i]) {
      if (w.seenNegated !== call) z += w.negated;
      w.seenNegated = call;
    } else {
      if (w.seen !== call) z += w.unigram;
      w.seen = call;
    }
    const before = previous;
    previous = w;
    if (bigrams && i > 0 && !clauseStart[i]) {
      const inner = before?.next;
      const bw = inner === undefined ? undefined : inner.get(s);
      // Each distinct pair counts once (an earlier occurrence in this call stamped it).
      if (bw !== undefined && bw.seen !== call) {
        bw.seen = call;
        z += bw.weight;
      }
    }
  }
  if (charCount > 0) z += charSum / Math.sqrt(charCount);
  if (extra !== null) z += (model.weights.get(extra) ?? 0) * extraValue;
  if (cues > 0) z += (model.weights.get(KW_CUES) ?? 0) * cues;
  return z;
}

/** The features that pushed `model` towards its decision, strongest first, as `~label`. */
function topFeatures(model: CompiledLinear, features: ReadonlyMap<string, number>, extra: string | null, extraValue: number, positive: boolean, k: number): string[] {
  const contributions: Array<[string, number]> = [];
  for (const [f, value] of features) {
    const w = model.weights.get(f);
    if (w !== undefined) contributions.push([f, w * value]);
  }
  if (extra !== null) {
    const w = model.weights.get(extra);
    if (w !== undefined && extraValue > 0) contributions.push([extra, w * extraValue]);
  }
  const sign = positive ? 1 : -1;
  return contributions
    .filter(([, c]) => c * sign > 0.05)
    .sort((a, b) => b[1] * sign - a[1] * sign)
    .slice(0, k)
    .map(([f]) => `~${featureLabel(f)}`);
}

const KW_CAP = 3;
const NO_FEATURES: ReadonlyMap<string, number> = new Map();
/** Least probability of the best learned category when no one-vs-rest model reaches 0.5. */
const CATEGORY_FALLBACK = 0.2;
const round = (x: number) => Math.round(x * 1000) / 1000;

/** Builds a classifier from a compiled keyword model and an optional learned layer. */
export function createClassifier(options: { keywords: KeywordModel; learned?: LearnedModel | null; version?: string }): Classifier {
  const { keywords } = options;
  const learned = options.learned ?? null;
  const settings = keywords.config.settings;
  const gate = learned ? compileLinear(learned.gate) : null;
  const catModels = new Map<string, CompiledLinear>();
  if (learned) for (const [name, l] of Object.entries(learned.categories)) catModels.set(name, compileLinear(l));
  const useKw = learned?.keywordFeatures ?? false;
  const bigrams = learned ? Object.keys(learned.gate.weights).some((f) => f.startsWith('b:')) : false;
  const calibration = learned?.calibration ?? null;
  /** Gate weights of the message-shape features (in `SHAPE_FEATURES` order), or null when the layer has none. */
  const shapeWeights = gate && learned?.shape ? SHAPE_FEATURES.map((f) => gate.weights.get(f) ?? 0) : null;
  // A version loaded from the store keeps the id it was published under.
  const version = options.version ?? modelVersion(keywords.config, learned);
  const catFeature = new Map(keywords.categories.map((name) => [name, kwCategory(name)]));

  const targetModel = keywords.target;
  /** A complaint about another service is at most a weak signal about us. */
  const OTHER_FACTOR = 0.25;

  // classify() gets the Classification alone; explain() everything behind it.
  function decide(a: Analysis, kw: KeywordScore, wantExplanation: true, text: string, channel: string | null | undefined): Explanation;
  function decide(a: Analysis, kw: KeywordScore, wantExplanation: false, text: string, channel: string | null | undefined): Classification;
  function decide(a: Analysis, kw: KeywordScore, wantExplanation: boolean, text: string, channel: string | null | undefined): Explanation | Classification {
    let score = kw.score;
    let learnedScore: number | null = null;
    let learnedTerms: string[] = [];
    let features: ReadonlyMap<string, number> = NO_FEATURES;
    if (gate) {
      if (wantExplanation) {
        const all = new Map(textFeatures(a, bigrams).map((f) => [f, 1]));
        if (gate.chars.size > 0) for (const [f, v] of charFeatures(a)) all.set(f, v);
        if (useKw && kw.cueSum > 0) all.set(KW_CUES, Math.min(kw.cueSum, KW_CAP));
        if (shapeWeights) SHAPE_FEATURES.forEach((f, bit) => shapeFeatures(text) & (1 << bit) && all.set(f, 1));
        features = all;
      }
      const kwValue = Math.min(kw.raw, KW_CAP);
      let z = logit(gate, a, bigrams, useKw ? KW_COMPLAINT : null, kwValue, useKw ? Math.min(kw.cueSum, KW_CAP) : 0);
      if (shapeWeights) {
        const bits = shapeFeatures(text);
        for (let bit = 0; bits >> bit; bit++) if (bits & (1 << bit)) z += shapeWeights[bit] as number;
      }
      const p = sigmoid(calibration ? calibration.a * z + calibration.b : z);
      learnedScore = p;
      // Trained with keyword features the model already weighs the keywords; trained without them it
      // replaces the keyword gate (the keyword terms still show in the explanation).
      score = p;
      if (wantExplanation) learnedTerms = topFeatures(gate, features, useKw ? KW_COMPLAINT : null, kwValue, score >= 0.5, 5);
    }
    const anything = gate ? score >= 0.5 : kw.complaint;
    let target: TargetDecision | undefined;
    let complaint = anything;
    if (targetModel) {
      target = decideTarget(targetModel, text, a, channel);
      if (target.about === 'other') {
        complaint = false;
        score *= OTHER_FACTOR;
      }
    }
    const ranking: CategoryMatch[] = [];
    let bestBelow: { p: number; c: KeywordCategoryScore | null; model: CompiledLinear | null; value: number } = { p: 0, c: null, model: null, value: 0 };
    // Categories are given to complaints only: classify() skips them for the rest (explain() ranks anyway).
    for (const c of complaint || wantExplanation ? kw.categories : []) {
      const model = catModels.get(c.name);
      if (model) {
        const value = Math.min(c.sum, KW_CAP);
        const p = sigmoid(logit(model, a, bigrams, useKw ? catFeature.get(c.name) ?? null : null, value));
        if (p > bestBelow.p && p < 0.5) bestBelow = { p, c, model, value };
        if (p >= 0.5) {
          const extra = wantExplanation ? topFeatures(model, features, useKw ? kwCategory(c.name) : null, value, true, 3) : [];
          ranking.push({ name: c.name, score: round(p), terms: [...c.terms, ...extra.filter((t) => t !== '~keywords')] });
        }
      } else if (c.sum >= settings.categoryMinWeight) {
        ranking.push({ name: c.name, score: round(1 - Math.exp(-c.sum)), terms: c.terms });
      }
    }
    // One-vs-rest models may all stay under 0.5 for a complaint in words none was sure of: the most
    // likely category still names it when it is at least CATEGORY_FALLBACK likely.
    if (ranking.length === 0 && bestBelow.c !== null && bestBelow.model !== null && bestBelow.p >= CATEGORY_FALLBACK) {
      const { c, model, value } = bestBelow;
      const extra = wantExplanation ? topFeatures(model, features, useKw ? kwCategory(c.name) : null, value, true, 3) : [];
      ranking.push({ name: c.name, score: round(bestBelow.p), terms: [...c.terms, ...extra.filter((t) => t !== '~keywords')] });
    }
    ranking.sort((x, y) => y.score - x.score);
    const categories = complaint ? ranking : [];
    // Two literals rather than a spread of `target`: the same keys in the same order, no object built to be copied.
    const classification: Classification = target
      ? { complaint, score: round(score), categories, lang: a.lang, target, modelVersion: version }
      : { complaint, score: round(score), categories, lang: a.lang, modelVersion: version };
    if (!wantExplanation) return classification;
    return {
      classification,
      keywordScore: round(kw.score),
      keywordRaw: round(kw.raw),
      learnedScore: learnedScore === null ? null : round(learnedScore),
      gateTerms: kw.gateTerms,
      cueTerms: kw.cueTerms,
      excludedBy: [...kw.excludedBy, ...kw.categories.flatMap((c) => c.excludedBy)],
      negatedTerms: kw.negatedTerms,
      learnedTerms,
      ranking,
      complaintAboutAnything: anything,
    };
  }

  return {
    keywords,
    learned,
    version,
    classify(text, lang, channel) {
      const a = keywords.analyser.analyse(text, lang);
      return decide(a, scoreKeywords(keywords, a), false, text, channel);
    },
    explain(text, lang, channel) {
      const a = keywords.analyser.analyse(text, lang);
      return decide(a, scoreKeywords(keywords, a), true, text, channel);
    },
  };
}
