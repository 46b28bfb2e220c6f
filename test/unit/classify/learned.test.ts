import { describe, expect, it } from 'vitest';
import { compileKeywords, createClassifier, isLearnedModel, trainLearned, type LabelledExample } from '../../../src/classify/index.js';
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
