/**
 * The held-out set (`test/fixtures/heldout-mail-2/`): 260 en/ru messages about a web mail service
 * (tweets, support mail, report forms; complaints in every category, praise, questions, resolved
 * follow-ups, sarcasm, and complaints about OTHER services that are not ours), written on 2026-12-07 by
 * a writer who never saw the keyword files, the tuning fixtures or the classifier's code, and never used
 * to choose a term, a rule or a constant. The first held-out set (`heldout-mail`) was measured again and
 * again while the vocabulary changed, so it is tuning data now (`labelled/webmail-*-3.jsonl`). The files
 * are pinned by SHA-256: editing them to make a test pass fails here first. A complaint about another
 * service is labelled `complaint: false, about: "other"`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileKeywords, createClassifier, evaluate, keywordExamples, parseLabelledJsonl, trainLearned } from '../../../src/classify/index.js';
import { loadKeywords } from '../../../src/config/keywords.js';
import { readdirSync } from 'node:fs';

const dir = 'test/fixtures/heldout-mail-2';
const PINNED: Readonly<Record<string, string>> = {
  'en.jsonl': '1fa36c2abded018ef87b9c5f0ed5f2150b938ad923b025719af5f845243513e9',
  'ru.jsonl': '598f1964435b2b683018218b55bd338d2a20e675e9e8ffa29f14bb3ee3cc74a7',
};
const texts = Object.fromEntries(Object.keys(PINNED).map((f) => [f, readFileSync(`${dir}/${f}`, 'utf8')]));
const heldout = Object.entries(texts).flatMap(([f, t]) => parseLabelledJsonl(t, f));
const tuningDir = 'test/fixtures/labelled';
const tuning = readdirSync(tuningDir).filter((f) => f.endsWith('.jsonl')).flatMap((f) => parseLabelledJsonl(readFileSync(`${tuningDir}/${f}`, 'utf8'), f));
const keywords = compileKeywords(loadKeywords());

describe('held-out mail-service set', () => {
  it.each(Object.keys(PINNED))('%s is the pinned version', (file) => {
    expect(createHash('sha256').update(texts[file] as string).digest('hex')).toBe(PINNED[file]);
  });

  it('covers both languages, every category, other services, praise and questions', () => {
    expect(heldout.length).toBe(260);
    for (const name of keywords.categories) expect(heldout.filter((e) => e.category === name).length).toBeGreaterThanOrEqual(14);
    expect(heldout.filter((e) => e.about === 'other').length).toBeGreaterThanOrEqual(40);
  });

  // Floors a little under the figures last measured (README; `npm run bench -- --only heldout`): first on
  // 2026-12-07 when this set was written, then once at the end of each precision round, never between; a
  // floor only rises to guard what a round gained, nothing is chosen to pass it.
  it('keywords alone (first measured P 0.794 R 0.912 F1 0.849, others not ours 21/44; after the Russian precision round of ru-precision-dev P 0.863 R 0.932 F1 0.896, category macro-F1 0.876, 33/44)', () => {
    const r = evaluate(createClassifier({ keywords }), heldout);
    expect(r.complaint.precision).toBeGreaterThanOrEqual(0.85);
    expect(r.complaint.recall).toBeGreaterThanOrEqual(0.91);
    expect(r.categoryMacroF1).toBeGreaterThanOrEqual(0.85);
    const others = heldout.filter((e) => e.about === 'other');
    const c = createClassifier({ keywords });
    expect(others.filter((e) => !c.classify(e.text, e.lang ?? null, e.channel ?? null).complaint).length).toBeGreaterThanOrEqual(31);
  });

  it('keywords + learned layer trained on the tuning set and the keyword file (first measured P 0.845 R 0.919 F1 0.880; after the hard negatives of config/training P 0.910 R 0.953 F1 0.931, category 0.944, others not ours 36/44)', () => {
    const learned = trainLearned([...tuning, ...keywordExamples(keywords.config)], { keywords });
    const r = evaluate(createClassifier({ keywords, learned }), heldout);
    expect(r.complaint.precision).toBeGreaterThanOrEqual(0.90);
    expect(r.complaint.recall).toBeGreaterThanOrEqual(0.94);
    expect(r.categoryMacroF1).toBeGreaterThanOrEqual(0.92);
  });
});
