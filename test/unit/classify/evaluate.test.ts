import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareClassifiers, compileKeywords, createClassifier, evaluate, formatReport, parseLabelledJsonl, reportJson, trainLearned } from '../../../src/classify/index.js';
import { keywordsSchema, loadKeywords } from '../../../src/config/keywords.js';

const dir = 'test/fixtures/labelled';
// The tuning set. `webmail-*-2.jsonl` was the held-out set of issue 4; the vocabulary was tuned on it since, so it
// is tuning data now (issue 13). The held-out set is `test/fixtures/heldout-mail-2/` (the first one, `heldout-mail`, is tuning data now: `webmail-*-3.jsonl`) (heldout.test.ts).
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
const examples = fixtures.flatMap((f) => parseLabelledJsonl(readFileSync(`${dir}/${f}`, 'utf8'), f));
const keywords = compileKeywords(loadKeywords());
// The floors below were measured on the 648 messages before the first held-out set was folded in; that set
// (`webmail-*-3.jsonl`) joins the tuning data for future vocabulary work, and its own figures are the old
// held-out figures (keywords alone P 0.935 R 0.872, category macro-F1 0.732), so it is left out of them.
const floored = fixtures
  .filter((f) => !/-3\.jsonl$/.test(f))
  .flatMap((f) => parseLabelledJsonl(readFileSync(`${dir}/${f}`, 'utf8'), f));

describe('labelled fixture set', () => {
  it('has at least 300 messages in both languages, every category covered', () => {
    expect(examples.length).toBeGreaterThanOrEqual(300);
    const cyrillic = examples.filter((e) => /[а-я]/i.test(e.text)).length;
    expect(cyrillic).toBeGreaterThanOrEqual(120);
    expect(examples.length - cyrillic).toBeGreaterThanOrEqual(120);
    for (const name of keywords.categories) expect(examples.filter((e) => e.category === name).length).toBeGreaterThanOrEqual(8);
  });
});

describe('quality floors on the tuning set (648 messages; measured: gate P 0.947 R 0.935, category macro F1 0.942 with keywords alone)', () => {
  const report = evaluate(createClassifier({ keywords }), floored);
  it('complaint gate', () => {
    expect(report.complaint.precision).toBeGreaterThanOrEqual(0.9);
    expect(report.complaint.recall).toBeGreaterThanOrEqual(0.9);
  });
  it('categories', () => {
    expect(report.categoryMacroF1).toBeGreaterThanOrEqual(0.92);
    for (const [name, c] of Object.entries(report.categories)) {
      expect.soft(c.recall, name).toBeGreaterThanOrEqual(0.8);
      expect.soft(c.precision, name).toBeGreaterThanOrEqual(0.75);
    }
  });
  it('per language', () => {
    for (const lang of ['en', 'ru'] as const) {
      const subset = floored.filter((e) => (/[а-я]/i.test(e.text) ? 'ru' : 'en') === lang);
      const r = evaluate(createClassifier({ keywords }), subset);
      expect.soft(r.complaint.precision, lang).toBeGreaterThanOrEqual(0.88);
      expect.soft(r.complaint.recall, lang).toBeGreaterThanOrEqual(0.88);
    }
  });
  it('keywords + learned layer, 5-fold (measured P 0.949 R 0.939)', () => {
    let tp = 0, fp = 0, fn = 0;
    for (let f = 0; f < 5; f++) {
      const learned = trainLearned(floored.filter((_, i) => i % 5 !== f), { keywords });
      const c = createClassifier({ keywords, learned });
      for (const e of floored.filter((_, i) => i % 5 === f)) {
        const got = c.classify(e.text).complaint;
        if (got && e.complaint) tp++;
        else if (got) fp++;
        else if (e.complaint) fn++;
      }
    }
    expect(tp / (tp + fp)).toBeGreaterThanOrEqual(0.9);
    expect(tp / (tp + fn)).toBeGreaterThanOrEqual(0.9);
  });
});

const small = compileKeywords(keywordsSchema.parse({ version: 1, gate: { terms: { en: ['broken'] } }, categories: [{ name: 'slow', terms: { en: ['slow'] } }, { name: 'login', terms: { en: ['locked out'] } }] }));

describe('evaluate', () => {
  const data = [
    { text: 'it is slow', complaint: true, category: 'slow' },
    { text: 'locked out', complaint: true, category: 'login' },
    { text: 'all broken', complaint: true, category: null },
    { text: 'slow and locked out', complaint: true, category: 'login' },
    { text: 'lovely', complaint: false },
    { text: 'broken heart song', complaint: false },
    { text: 'my thing is weird', complaint: true, category: 'slow' },
  ];
  const report = evaluate(createClassifier({ keywords: small }), data);

  it('--json has exactly {n, complaint, categories, categoryMacroF1}', () => {
    const json = reportJson(report);
    expect(JSON.parse(JSON.stringify(json))).toEqual({
      n: 7,
      complaint: { precision: 0.8, recall: 0.8, f1: 0.8 },
      categories: {
        slow: { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
        login: { precision: 1, recall: 0.5, f1: 0.6667, support: 2 },
      },
      categoryMacroF1: 0.5834,
    });
  });

  it('confusion matrix and worst mistakes', () => {
    expect(report.labels).toEqual(['not_complaint', 'other', 'slow', 'login']);
    expect(report.confusion).toEqual([
      [1, 1, 0, 0],
      [0, 1, 0, 0],
      [1, 0, 1, 0],
      [0, 0, 1, 1],
    ]);
    expect(report.mistakes.map((m) => [m.text, m.expected, m.predicted, m.terms])).toEqual([
      ['my thing is weird', 'slow', 'not_complaint', []],
      ['slow and locked out', 'login', 'slow', ['slow']],
      ['broken heart song', 'not_complaint', 'other', ['broken']],
    ]);
    const text = formatReport(report);
    expect(text).toContain('complaint gate: precision 0.800  recall 0.800  F1 0.800');
    expect(text).toContain('worst mistakes');
  });
});

describe('compareClassifiers (for replay)', () => {
  it('counts per category before/after and lists flips', () => {
    const after = compileKeywords(keywordsSchema.parse({ version: 1, gate: { terms: { en: ['broken', 'weird'] } }, categories: [{ name: 'slow', terms: { en: ['slow', 'sluggish'] } }] }));
    const report = compareClassifiers(
      [
        { id: 'a', text: 'it is sluggish' },
        { id: 'b', text: 'it is slow' },
        { id: 'c', text: 'locked out' },
        { id: 'd', text: 'all fine' },
      ],
      createClassifier({ keywords: small }),
      createClassifier({ keywords: after }),
    );
    expect(report.n).toBe(4);
    expect(report.complaints).toEqual({ before: 2, after: 2 });
    expect(report.categories).toEqual({ slow: { before: 1, after: 2 }, login: { before: 1, after: 0 } });
    expect(report.flipCount).toBe(2);
    expect(report.flips.map((f) => f.id)).toEqual(['a', 'c']);
  });
});

describe('parseLabelledJsonl', () => {
  it.each([
    ['{"text":"x","complaint":true}\n\n{"text":"y","complaint":false,"lang":"ru","category":null}', 2],
  ])('parses %j', (text, n) => {
    expect(parseLabelledJsonl(text)).toHaveLength(n);
  });
  it.each([
    ['{"text":"x"}', 'd.jsonl:1: expected {"text": string, "complaint": boolean, "lang"?: "en"|"ru", "category"?: string|null, "channel"?: string, "about"?: "us"|"other"}'],
    ['{"text":"x","complaint":true}\nnope', 'd.jsonl:2: not valid JSON'],
    ['{"text":"x","complaint":true,"lang":"de"}', 'd.jsonl:1: expected {"text": string, "complaint": boolean, "lang"?: "en"|"ru", "category"?: string|null, "channel"?: string, "about"?: "us"|"other"}'],
  ])('rejects %j', (text, message) => {
    expect(() => parseLabelledJsonl(text, 'd.jsonl')).toThrow(message);
  });
});
