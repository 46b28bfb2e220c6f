/**
 * What `radar classify replay` needs: classify many texts with two classifiers (current and
 * candidate config or learned layer) and report per-category counts before/after and the messages
 * that flip.
 */
import type { Classification } from '../domain/classification.js';
import type { Lang } from '../domain/message.js';
import type { Classifier } from './classifier.js';

export interface ReplayInput {
  readonly id: string;
  readonly text: string;
  readonly lang?: Lang | null;
  /** The channel it came through ("is it about us?" reads it). */
  readonly channel?: string | null;
}

export interface Flip {
  readonly id: string;
  readonly text: string;
  readonly before: Classification;
  readonly after: Classification;
}

export interface ComparisonReport {
  readonly n: number;
  readonly complaints: { readonly before: number; readonly after: number };
  /** Per category (top category of complaints): count before and after. */
  readonly categories: Readonly<Record<string, { readonly before: number; readonly after: number }>>;
  /** Messages whose complaint decision or top category changed (at most `maxFlips`). */
  readonly flips: readonly Flip[];
  readonly flipCount: number;
}

const topOf = (c: Classification) => (c.complaint ? (c.categories[0]?.name ?? 'other') : null);

export function compareClassifiers(inputs: Iterable<ReplayInput>, before: Classifier, after: Classifier, maxFlips = 50): ComparisonReport {
  let n = 0;
  const complaints = { before: 0, after: 0 };
  const categories: Record<string, { before: number; after: number }> = {};
  const bump = (name: string, key: 'before' | 'after') => {
    const entry = (categories[name] ??= { before: 0, after: 0 });
    entry[key]++;
  };
  const flips: Flip[] = [];
  let flipCount = 0;
  for (const input of inputs) {
    n++;
    const b = before.classify(input.text, input.lang ?? null, input.channel ?? null);
    const a = after.classify(input.text, input.lang ?? null, input.channel ?? null);
    const tb = topOf(b);
    const ta = topOf(a);
    if (tb !== null) {
      complaints.before++;
      bump(tb, 'before');
    }
    if (ta !== null) {
      complaints.after++;
      bump(ta, 'after');
    }
    if (tb !== ta) {
      flipCount++;
      if (flips.length < maxFlips) flips.push({ id: input.id, text: input.text, before: b, after: a });
    }
  }
  return { n, complaints, categories, flips, flipCount };
}
