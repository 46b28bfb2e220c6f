import { describe, expect, it } from 'vitest';
import { compileKeywords, createClassifier, isLearnedModel, trainLearned, type LabelledExample } from '../../../src/classify/index.js';
import { shapeFeatures } from '../../../src/classify/learned-model.js';
import { keywordsSchema } from '../../../src/config/keywords.js';

const keywords = compileKeywords(
  keywordsSchema.parse({
    version: 1,
    gate: { terms: { en: ['broken', 'not working'], ru: ['не работает'] } },
    categories: [
      { name: 'slow', terms: { en: ['slow'] } },
      { name: 'login', terms: { en: ['can not log in'] }, topics: { en: ['password'] } },
    ],
  }),
);

// Support relabels: a word the keywords do not know ("zorbled") marks complaints; "thanks" marks praise.
const labels: LabelledExample[] = [];
const subjects = ['inbox', 'mail', 'folder', 'search', 'app', 'account', 'calendar', 'contacts', 'settings', 'sidebar'];
for (const s of subjects) {
  labels.push({ text: `my ${s} is zorbled again`, complaint: true, category: 'slow' });
  labels.push({ text: `the ${s} got zorbled today`, complaint: true, category: 'slow' });
  labels.push({ text: `thanks, the ${s} looks nice`, complaint: false });
  labels.push({ text: `how do I open the ${s}?`, complaint: false });
  labels.push({ text: `password for the ${s} is broken`, complaint: true, category: 'login' });
}

describe('learned layer', () => {
  it('without labels it decides as the keywords do', () => {
    const learned = trainLearned([], { keywords });
    const plain = createClassifier({ keywords });
    const combined = createClassifier({ keywords, learned });
    for (const text of ['mail is broken', 'thanks!', 'it is slow', 'I can not log in', 'nothing here', 'не работает']) {
      expect(combined.classify(text).complaint).toBe(plain.classify(text).complaint);
    }
  });

  it('improves with labels: learns a complaint word the keywords miss, and names it', () => {
    const before = createClassifier({ keywords });
    expect(before.classify('the inbox is zorbled').complaint).toBe(false);
    const after = createClassifier({ keywords, learned: trainLearned(labels, { keywords }) });
    const c = after.classify('the inbox is zorbled');
    expect(c.complaint).toBe(true);
    expect(c.categories[0]?.name).toBe('slow');
    expect(after.explain('the inbox is zorbled').learnedTerms).toContain('~zorbl');
    expect(after.classify('thanks, the inbox looks nice').complaint).toBe(false);
    // keyword knowledge is kept
    expect(after.classify('my password is broken').categories[0]?.name).toBe('login');
  });

  it('is plain JSON: a round trip classifies the same', () => {
    const learned = trainLearned(labels, { keywords });
    const copy: unknown = JSON.parse(JSON.stringify(learned));
    expect(isLearnedModel(copy)).toBe(true);
    if (!isLearnedModel(copy)) return;
    const a = createClassifier({ keywords, learned });
    const b = createClassifier({ keywords, learned: copy });
    for (const text of ['the inbox is zorbled', 'thanks', 'it is slow', 'password broken']) expect(b.classify(text)).toEqual(a.classify(text));
    expect(learned.trainedOn).toEqual({ examples: 50, complaints: 30, perCategory: { slow: 20, login: 10 } });
  });

  it('is deterministic', () => {
    expect(JSON.stringify(trainLearned(labels, { keywords }))).toBe(JSON.stringify(trainLearned(labels, { keywords })));
  });

  it('can be trained without keyword features (it then replaces the keyword gate)', () => {
    const learned = trainLearned(labels);
    expect(learned.keywordFeatures).toBe(false);
    const c = createClassifier({ keywords, learned });
    expect(c.classify('the search is zorbled').complaint).toBe(true);
    expect(isLearnedModel({ kind: 'other' })).toBe(false);
  });
});

describe('message-shape features of the gate', () => {
  it.each([
    ['RT @news: operator fined http://t.co/x', 0b0011],
    ['why is it broken?!', 0b1100],
    ['see www.example.org', 0b0001],
    ['plain words', 0],
    ['ART @ the museum', 0], // "RT @" only as a word
  ] as const)('%j → %i', (text, bits) => {
    expect(shapeFeatures(text)).toBe(bits);
  });

  it('are learned from labels: a linked repost of "not working" news weighs less as a complaint', () => {
    const shaped: LabelledExample[] = [];
    for (const s of subjects) {
      shaped.push({ text: `RT @news: ${s} maker reports record profit https://t.co/${s}`, complaint: false, category: null });
      shaped.push({ text: `RT @daily: the ${s} story is not working for readers https://t.co/a${s}`, complaint: false, category: null });
      shaped.push({ text: `my ${s} is not working`, complaint: true, category: null });
      shaped.push({ text: `the ${s} went quiet today`, complaint: false, category: null });
    }
    const model = trainLearned(shaped, { keywords });
    expect(model.shape).toBe(true);
    expect(model.gate.weights['s:link'] ?? 0).toBeLessThan(0);
    const c = createClassifier({ keywords, learned: model });
    const without = createClassifier({ keywords, learned: trainLearned(shaped, { keywords, shape: false }) });
    expect(without.learned?.gate.weights['s:link']).toBeUndefined();
    expect(c.classify('the printer is not working').complaint).toBe(true);
    // The same words as a linked repost: less likely a complaint with the shape features than without.
    const repost = 'RT @paper: the printer is not working https://t.co/zz';
    expect(c.explain(repost).learnedScore as number).toBeLessThan((without.explain(repost).learnedScore as number) - 0.05);
  });
});
