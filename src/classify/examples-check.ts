/**
 * Checks the examples written in the keyword config against the keyword model alone
 * (what `radar config check` runs): gate.match must be complaints, gate.noMatch must not;
 * a category's match must be complaints in that category, its noMatch must not be.
 */
import { createClassifier } from './classifier.js';
import type { KeywordModel } from './keyword-model.js';

export interface ExampleFailure {
  /** `gate` or the category name. */
  readonly where: string;
  readonly expectation: 'match' | 'noMatch';
  readonly text: string;
  /** What the model said instead, with the terms that decided. */
  readonly got: string;
}

export function checkKeywordExamples(model: KeywordModel): { ok: boolean; failures: ExampleFailure[] } {
  const classifier = createClassifier({ keywords: model });
  const failures: ExampleFailure[] = [];
  const describe = (text: string) => {
    const e = classifier.explain(text);
    const c = e.classification;
    const cats = c.categories.map((m) => `${m.name} [${m.terms.join(', ')}]`).join('; ');
    return `complaint=${c.complaint} score=${c.score} gate [${e.gateTerms.join(', ')}]${cats ? ` categories ${cats}` : ''}${e.excludedBy.length ? ` excluded by [${e.excludedBy.join(', ')}]` : ''}`;
  };
  const { gate, categories } = model.config;
  for (const text of gate.examples.match) {
    if (!classifier.classify(text).complaint) failures.push({ where: 'gate', expectation: 'match', text, got: describe(text) });
  }
  for (const text of gate.examples.noMatch) {
    if (classifier.classify(text).complaint) failures.push({ where: 'gate', expectation: 'noMatch', text, got: describe(text) });
  }
  for (const category of categories) {
    const has = (text: string) => {
      const c = classifier.classify(text);
      return c.complaint && c.categories.some((m) => m.name === category.name);
    };
    for (const text of category.examples.match) {
      if (!has(text)) failures.push({ where: category.name, expectation: 'match', text, got: describe(text) });
    }
    for (const text of category.examples.noMatch) {
      if (has(text)) failures.push({ where: category.name, expectation: 'noMatch', text, got: describe(text) });
    }
  }
  return { ok: failures.length === 0, failures };
}
