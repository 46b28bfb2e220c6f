import { describe, expect, it } from 'vitest';
import { compileKeywords, createClassifier, learningCurve, reviewOrder, trainLearned, type LabelledExample } from '../../../src/classify/index.js';
import { keywordsSchema } from '../../../src/config/keywords.js';

const keywords = compileKeywords(keywordsSchema.parse({ version: 1, gate: { terms: { en: ['broken'] } }, categories: [{ name: 'slow', terms: { en: ['slow'] } }] }));

// Complaints use a word the keywords do not know ("zorbled"); a third of them also say "broken".
const data: LabelledExample[] = [];
const things = ['inbox', 'mail', 'folder', 'search', 'app', 'account', 'calendar', 'contacts', 'settings', 'sidebar'];
for (let i = 0; i < 120; i++) {
  const t = things[i % things.length] as string;
  data.push({ text: i % 3 === 0 ? `my ${t} is broken and zorbled` : `the ${t} got zorbled again ${i}`, complaint: true });
  data.push({ text: `the ${t} looks nice today ${i}`, complaint: false });
}

describe('learning curve', () => {
  const points = learningCurve(data, { keywords, sizes: [0, 25, 50], seeds: 2 });

  it('gives one point per size: keywords alone at 0, better once support has labelled', () => {
    expect(points.map((p) => p.labels)).toEqual([0, 25, 50]);
    expect(points[0]?.recall).toBeLessThan(0.5);
    expect(points[2]?.macroF1).toBeGreaterThan((points[0]?.macroF1 ?? 1) + 0.2);
  });

  it('is deterministic for the seeds', () => {
    expect(learningCurve(data, { keywords, sizes: [0, 25, 50], seeds: 2 })).toEqual(points);
  });

  it('review order puts disagreement between the layers first, then uncertainty', () => {
    const learned = trainLearned([
      { text: 'the inbox got zorbled', complaint: true },
      { text: 'the mail got zorbled', complaint: true },
      { text: 'the app is fine', complaint: false },
      { text: 'all is broken fine', complaint: false },
      { text: 'the folder is fine', complaint: false },
    ]);
    const c = createClassifier({ keywords, learned });
    const pool: LabelledExample[] = [{ text: 'the app is fine', complaint: false }, { text: 'the search got zorbled', complaint: true }];
    // keywords say "no" to "zorbled", the learned layer says "yes": that disagreement is reviewed first.
    expect(reviewOrder(c, pool)).toEqual([1, 0]);
  });
});
