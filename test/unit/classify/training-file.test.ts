import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KEYWORD_EXAMPLE_WEIGHT } from '../../../src/classify/keyword-examples.js';
import { keywordExamples, modelVersion, parseLabelledJsonl } from '../../../src/classify/index.js';
import { keywordsFromJson, loadKeywords } from '../../../src/config/keywords.js';

// The learned layer's hand-written training file (config/training/README.md says how it was written);
// its hash pins it, so a change to it is deliberate and shows here.
const FILE = 'config/training/webmail-hard-negatives.jsonl';
const SHA256 = 'c539287fec5e88bec343d0f0a39197dd04ac0c3c301b84f2ffb39ac574001bb6';

describe('the training file (trainingFile)', () => {
  const text = readFileSync(FILE, 'utf8');
  const examples = parseLabelledJsonl(text, FILE);

  it('is the file as written, unchanged', () => {
    expect(createHash('sha256').update(text).digest('hex')).toBe(SHA256);
  });

  it('holds 160 non-complaints (80 en, 80 ru) and 70 complaints (35 en, 35 ru), all about us', () => {
    const count = (complaint: boolean, lang: string) => examples.filter((e) => e.complaint === complaint && e.lang === lang).length;
    expect(examples).toHaveLength(230);
    expect([count(false, 'en'), count(false, 'ru'), count(true, 'en'), count(true, 'ru')]).toEqual([80, 80, 35, 35]);
    expect(examples.every((e) => e.about === 'us')).toBe(true);
  });

  it('the shipped keyword file names it; its examples train the learned layer beside the keyword examples', () => {
    const config = loadKeywords();
    expect(config.trainingFile).toBe('training/webmail-hard-negatives.jsonl');
    expect(config.training).toEqual(examples);
    const withoutFile = keywordExamples({ ...config, training: undefined });
    const all = keywordExamples(config);
    expect(all).toHaveLength(withoutFile.length + examples.length);
    expect(all.slice(withoutFile.length)).toEqual(examples.map((e) => ({ ...e, weight: KEYWORD_EXAMPLE_WEIGHT })));
  });

  it('is part of the model version and survives the store round trip', () => {
    const config = loadKeywords();
    const withoutFile = { ...config, training: undefined };
    expect(modelVersion(config, null)).not.toBe(modelVersion(withoutFile, null));
    const stored = keywordsFromJson(JSON.parse(JSON.stringify(config)));
    expect(stored.training).toEqual(examples);
    expect(modelVersion(stored, null)).toBe(modelVersion(config, null));
  });

  it('a stored training list that is not labelled examples is refused', () => {
    const config = JSON.parse(JSON.stringify(loadKeywords())) as Record<string, unknown>;
    expect(() => keywordsFromJson({ ...config, training: [{ text: 'x' }] })).toThrow(/expected/);
    expect(() => keywordsFromJson({ ...config, training: 'x' })).toThrow(/array/);
  });
});
