import { describe, expect, it } from 'vitest';
import { reviewPriority } from '../../../src/classify/index.js';

describe('reviewPriority', () => {
  it.each([
    // keyword, learned → reason, probability, key
    [0.8, 0.3, 'layers-disagree', 0.3, 0.2],
    [0.3, 0.55, 'layers-disagree', 0.55, 0.05],
    [0.55, 0.52, 'uncertain', 0.52, 1.02],
    [0.9, 0.97, 'uncertain', 0.97, 1.47],
    [0.45, null, 'uncertain', 0.45, 1.05], // no learned layer: the keyword score decides
    [0.5, 0.49, 'layers-disagree', 0.49, 0.01], // 0.5 counts as yes
  ] as const)('keyword %s, learned %s → %s', (keywordScore, learnedScore, reason, probability, key) => {
    const p = reviewPriority({ keywordScore, learnedScore });
    expect(p.reason).toBe(reason);
    expect(p.probability).toBe(probability);
    expect(p.key).toBeCloseTo(key, 10);
  });

  it('every disagreement comes before every agreement', () => {
    expect(reviewPriority({ keywordScore: 1, learnedScore: 0 }).key).toBeLessThan(reviewPriority({ keywordScore: 0.5, learnedScore: 0.5 }).key);
  });
});
