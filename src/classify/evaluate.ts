/**
 * Evaluation of a classifier on labelled examples: precision / recall / F1 of the complaint gate,
 * per-category P/R/F1/support scored on the true complaints (the category model judged on its own:
 * its top category, whatever the gate said), macro F1 over categories with support, a confusion
 * matrix and the worst mistakes with the terms that decided.
 */
import type { Classifier, Explanation } from './classifier.js';
import type { LabelledExample } from './labelled.js';

export interface Prf {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface CategoryPrf extends Prf {
  readonly support: number;
}

export interface Mistake {
  readonly text: string;
  readonly expected: string;
  readonly predicted: string;
  /** How confidently wrong (distance of the score from 0.5, or the wrong category's score). */
  readonly confidence: number;
  readonly terms: readonly string[];
}

export interface EvalReport {
  readonly n: number;
  readonly complaint: Prf;
  readonly categories: Readonly<Record<string, CategoryPrf>>;
  readonly categoryMacroF1: number;
  /** Macro F1 of the gate over both classes (complaint / not complaint). */
  readonly complaintMacroF1: number;
  /** Labels: `not_complaint`, `other` (complaint without category), then the categories. */
  readonly labels: readonly string[];
  /** confusion[expected][predicted] counts, over all examples. */
  readonly confusion: readonly (readonly number[])[];
  readonly mistakes: readonly Mistake[];
}

export const NOT_COMPLAINT = 'not_complaint';
export const OTHER = 'other';

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

export function prf(tp: number, fp: number, fn: number): Prf {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision: r4(precision), recall: r4(recall), f1: r4(f1) };
}

function termsOf(e: Explanation): string[] {
  return [...e.gateTerms, ...e.cueTerms, ...(e.ranking[0]?.terms ?? []), ...e.learnedTerms, ...e.excludedBy.map((t) => `excluded: ${t}`), ...e.negatedTerms.map((t) => `negated: ${t}`)];
}

/** Evaluates `classifier` on `examples`. `maxMistakes` bounds the list of worst mistakes. */
export function evaluate(classifier: Classifier, examples: readonly LabelledExample[], maxMistakes = 15): EvalReport {
  const categoryNames = [...classifier.keywords.categories];
  for (const e of examples) if (e.complaint && e.category && !categoryNames.includes(e.category)) categoryNames.push(e.category);
  const labels = [NOT_COMPLAINT, OTHER, ...categoryNames];
  const at = new Map(labels.map((l, i) => [l, i]));
  const confusion = labels.map(() => labels.map(() => 0));
  let tp = 0, fp = 0, fn = 0, tn = 0;
  const cat = new Map(categoryNames.map((n) => [n, { tp: 0, fp: 0, fn: 0, support: 0 }]));
  const mistakes: Mistake[] = [];
  for (const example of examples) {
    const e = classifier.explain(example.text, example.lang ?? null, example.channel ?? null);
    const c = e.classification;
    const top = e.ranking[0]?.name ?? OTHER;
    if (c.complaint && example.complaint) tp++;
    else if (c.complaint) fp++;
    else if (example.complaint) fn++;
    else tn++;
    const expected = example.complaint ? (example.category ?? OTHER) : NOT_COMPLAINT;
    const predicted = c.complaint ? (c.categories[0]?.name ?? OTHER) : NOT_COMPLAINT;
    const row = confusion[at.get(expected) as number] as number[];
    row[at.get(predicted) as number] = (row[at.get(predicted) as number] as number) + 1;
    if (example.complaint) {
      const gold = example.category ?? OTHER;
      const g = cat.get(gold);
      if (g) g.support++;
      if (top === gold) {
        if (g) g.tp++;
      } else {
        if (g) g.fn++;
        const p = cat.get(top);
        if (p) p.fp++;
      }
    }
    if (c.complaint !== example.complaint) {
      mistakes.push({ text: example.text, expected, predicted, confidence: r4(Math.abs(c.score - 0.5) * 2), terms: termsOf(e) });
    } else if (example.complaint && top !== (example.category ?? OTHER)) {
      mistakes.push({ text: example.text, expected, predicted: top, confidence: r4((e.ranking[0]?.score ?? 0) * 0.5), terms: termsOf(e) });
    }
  }
  const categories: Record<string, CategoryPrf> = {};
  const withSupport: number[] = [];
  for (const [name, s] of cat) {
    const m = prf(s.tp, s.fp, s.fn);
    categories[name] = { ...m, support: s.support };
    if (s.support > 0) withSupport.push(m.f1);
  }
  const complaint = prf(tp, fp, fn);
  const notComplaint = prf(tn, fn, fp);
  mistakes.sort((a, b) => b.confidence - a.confidence);
  return {
    n: examples.length,
    complaint,
    categories,
    categoryMacroF1: r4(withSupport.length === 0 ? 0 : withSupport.reduce((s, x) => s + x, 0) / withSupport.length),
    complaintMacroF1: r4((complaint.f1 + notComplaint.f1) / 2),
    labels,
    confusion,
    mistakes: mistakes.slice(0, maxMistakes),
  };
}

/** The exact JSON shape of `radar classify eval --json`. */
export function reportJson(report: EvalReport): { n: number; complaint: Prf; categories: Record<string, CategoryPrf>; categoryMacroF1: number } {
  const categories: Record<string, CategoryPrf> = {};
  for (const [name, c] of Object.entries(report.categories)) {
    categories[name] = { precision: c.precision, recall: c.recall, f1: c.f1, support: c.support };
  }
  return {
    n: report.n,
    complaint: { precision: report.complaint.precision, recall: report.complaint.recall, f1: report.complaint.f1 },
    categories,
    categoryMacroF1: report.categoryMacroF1,
  };
}

const pad = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const f3 = (x: number) => x.toFixed(3);

/** A readable report: gate figures, per-category table, confusion matrix, worst mistakes. */
export function formatReport(report: EvalReport): string {
  const lines: string[] = [];
  lines.push(`examples: ${report.n}`);
  const g = report.complaint;
  lines.push(`complaint gate: precision ${f3(g.precision)}  recall ${f3(g.recall)}  F1 ${f3(g.f1)}  (macro F1 over both classes ${f3(report.complaintMacroF1)})`);
  lines.push('');
  lines.push(`${pad('category', 14)}${lpad('precision', 10)}${lpad('recall', 8)}${lpad('F1', 7)}${lpad('support', 9)}`);
  for (const [name, c] of Object.entries(report.categories)) {
    lines.push(`${pad(name, 14)}${lpad(f3(c.precision), 10)}${lpad(f3(c.recall), 8)}${lpad(f3(c.f1), 7)}${lpad(String(c.support), 9)}`);
  }
  lines.push(`category macro F1 (categories with support, scored on true complaints): ${f3(report.categoryMacroF1)}`);
  lines.push('');
  lines.push('confusion matrix (rows: expected, columns: predicted)');
  const short = report.labels.map((l) => (l === NOT_COMPLAINT ? 'none' : l.slice(0, 6)));
  lines.push(pad('', 14) + short.map((s) => lpad(s, 7)).join(''));
  report.labels.forEach((label, i) => {
    const row = report.confusion[i] ?? [];
    if (row.every((v) => v === 0)) return;
    lines.push(pad(label, 14) + row.map((v) => lpad(v === 0 ? '.' : String(v), 7)).join(''));
  });
  if (report.mistakes.length > 0) {
    lines.push('');
    lines.push('worst mistakes');
    for (const m of report.mistakes) {
      lines.push(`- expected ${m.expected}, got ${m.predicted} (${f3(m.confidence)}): ${JSON.stringify(m.text.length > 120 ? `${m.text.slice(0, 117)}...` : m.text)}`);
      lines.push(`    terms: ${m.terms.length ? m.terms.join(', ') : '(none)'}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
