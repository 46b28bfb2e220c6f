/**
 * The keyword file's own examples as labelled training data: `gate.examples.match` are complaints,
 * `gate.examples.noMatch` are not, a category's `examples.match` are complaints of that category (its
 * `noMatch` say only "not this category", so they are left out), and the labelled examples of its
 * `trainingFile` (hard negatives: messages about the service that are not complaints). The learned
 * layer trains on them beside support's relabels, so it starts from what ops wrote down.
 *
 * @example keywordExamples(config).length // → gate and category examples of the file
 */
import type { KeywordsConfig } from '../config/keywords.js';
import type { LabelledExample } from './labelled.js';

/** Weight of one keyword-file example against one relabel. */
export const KEYWORD_EXAMPLE_WEIGHT = 0.3;

export function keywordExamples(config: KeywordsConfig): LabelledExample[] {
  const weight = KEYWORD_EXAMPLE_WEIGHT;
  const out: LabelledExample[] = [];
  for (const text of config.gate.examples.match) out.push({ text, complaint: true, category: null, weight });
  for (const text of config.gate.examples.noMatch) out.push({ text, complaint: false, category: null, weight });
  for (const category of config.categories) for (const text of category.examples.match) out.push({ text, complaint: true, category: category.name, weight });
  for (const e of config.training ?? []) out.push({ ...e, weight });
  return out;
}
