import { describe, expect, it } from 'vitest';
import { compileKeywords, createClassifier } from '../../../src/classify/index.js';
import { fromTranslit, isTranslit } from '../../../src/classify/translit.js';
import { keywordsSchema } from '../../../src/config/keywords.js';

// A small config written for these tests: each mechanism is shown against the plain term it changes.
const config = keywordsSchema.parse({
  version: 1,
  gate: {
    terms: { ru: ['сбой', 'вылетает', 'не заходит', 'катастрофа'], en: ['crash'] },
    exclusions: { ru: ['все работает'] },
    weights: { сбой: 0.9, вылетает: 0.9, 'не заходит': 0.9, катастрофа: 0.9, crash: 0.9 },
  },
  categories: [
    { name: 'app_crash', terms: { ru: ['вылетает'] } },
    { name: 'slow', terms: { ru: ['подвисает'] } },
    { name: 'login', terms: { ru: ['не заходит', 'войти'] } },
  ],
});
const keywords = compileKeywords(config);
const classifier = createClassifier({ keywords });
const complaint = (text: string) => classifier.classify(text, null).complaint;

describe('Russian: a present-tense praise or exclusion is not its past', () => {
  it.each([
    ['сбой в почте, но сейчас все работает', false], // how things are now
    ['опять сбой, а ведь раньше все работало', true], // how they were before: the problem stands
  ] as const)('%s → complaint %s', (text, expected) => {
    expect(complaint(text)).toBe(expected);
  });
});

describe('Russian: an "если" clause with an infinitive is hypothetical', () => {
  it.each([
    ['если не заходить в ящик год, что с ним будет?', false],
    ['если открыть письмо с картинкой, приложение вылетает', true], // the main clause reports
    ['почта не заходит, если честно уже надоело', true], // "если" without an infinitive opens nothing
  ] as const)('%s → complaint %s', (text, expected) => {
    expect(complaint(text)).toBe(expected);
  });
});

describe('Russian: a past tense in a clause of "раньше" tells how things were', () => {
  it.each([
    ['раньше приложение вылетало, но сейчас стабильно', false],
    ['приложение вылетало раньше, теперь нет', false],
    ['раньше было нормально, а теперь приложение вылетает', true], // another clause reports
    ['раньше приложение вылетает раз в день, терпимо было', true], // the present still reports
    ['приложение вылетало всю ночь', true], // a past without "раньше" still reports
  ] as const)('%s → complaint %s', (text, expected) => {
    expect(complaint(text)).toBe(expected);
  });
});

describe('Russian: "ни" with a word of none negates', () => {
  it.each([
    ['за месяц ни одного сбоя', false],
    ['ни разу не было сбоя', false],
    ['ни единого сбоя с весны', false],
    ['приложение ни с того ни с сего вылетает', true], // a bare "ни" negates nothing
    ['ни одна папка не открывается, сбой', true],
  ] as const)('%s → complaint %s', (text, expected) => {
    expect(complaint(text)).toBe(expected);
  });
});

describe('Russian: a question opened by "если" asks about an imagined case', () => {
  it.each([
    ['если приложение вылетает, черновик сохранится?', false],
    ['а что делать, если почта не заходит?', false],
    ['если приложение вылетает, черновик сохранится? или пропадёт вместе со сбоем?', false], // "или" goes on asking
    ['почему, если открыть письмо, приложение вылетает?', true], // after another word "если" tells what happens
    ['если открыть письмо, приложение вылетает', true], // no question: a report of what happens each time
    ['если приложение вылетает, черновик сохранится? сегодня опять сбой', true], // a report beside it stands
  ] as const)('%s → complaint %s', (text, expected) => {
    expect(complaint(text)).toBe(expected);
  });
});

describe('Russian: a verb of stopping denies the infinitive after it', () => {
  // "перестало" is a failure cue of its own ("перестало работать"); before a problem word it says the problem is gone.
  const stopping = createClassifier({
    keywords: compileKeywords(keywordsSchema.parse({ ...config, gate: { ...config.gate, terms: { ru: ['сбой', 'вылетает', 'перестало'] }, weights: { сбой: 0.9, вылетает: 0.9, перестало: 0.9 } } })),
  });
  it.each([
    ['приложение перестало вылетать', false],
    ['почта перестала вылетать после обновления', false],
    ['приложение перестало открываться', true], // not a problem word: the stopping is the failure
    ['приложение перестало вылетать, но опять сбой', true], // another problem still stands
    ['приложение вылетает, перестало обновляться', true],
    ['когда приложение перестанет вылетать?', true], // the future hopes: the problem stands
    ['приложение должно перестать вылетать', true],
  ] as const)('%s → complaint %s', (text, expected) => {
    expect(stopping.classify(text, null).complaint).toBe(expected);
  });
});

describe('Russian typo tolerance keeps the prefix and the start of the root', () => {
  it('a real word one letter from a term after a three-letter prefix is not a typo of it', () => {
    expect(classifier.explain('подписался на новости', null).classification.categories.map((c) => c.name)).not.toContain('slow');
  });
  it.each([
    ['с почтой катострофа', true], // an unstressed vowel confused at the root's start is a typo
    ['с почтой катсатрофа', true], // so are two letters swapped there
    ['с почтой катбстрофа', false], // a consonant changed there makes another word
  ] as const)('%s → complaint %s', (text, expected) => {
    expect(complaint(text)).toBe(expected);
  });
  it('a typo later in the word still matches', () => {
    const e = classifier.explain('приложение постоянно подвисаеь и вылетает', null);
    expect(e.classification.categories.find((c) => c.name === 'slow')?.terms).toContain('подвисает');
  });
});

describe('typo tolerance leaves a real word of its own as written', () => {
  // "переслала" (forwarded) is one letter from the failure cue "перестала" (stopped): a real word, not its typo.
  const withStop = (realWords: { ru: string[] }) =>
    createClassifier({ keywords: compileKeywords(keywordsSchema.parse({ ...config, settings: { realWords }, gate: { ...config.gate, terms: { ru: ['перестала'] }, weights: { перестала: 0.9 } } })) });
  it.each([
    ['мама переслала мне письмо', false],
    ['почта перестала открываться', true],
    ['почта перетсала открываться', true], // a typo of it still matches
  ] as const)('%s → complaint %s', (text, expected) => {
    expect(withStop({ ru: ['переслала'] }).classify(text, null).complaint).toBe(expected);
  });
  it('without the word in realWords it is read as the typo', () => {
    expect(withStop({ ru: [] }).classify('мама переслала мне письмо', null).complaint).toBe(true);
  });
});

describe('Russian in Latin letters', () => {
  it.each([
    ['ne mogu voyti, pochemu tak', true],
    ['prilozhenie opyat vyletaet, chto delat', true],
    ['I can not log in to my mail', false],
    ['ya know what, kak is not a word', true], // two markers mark it, whatever the rest says
    ['Как войти в почту', false], // Cyrillic is never transliterated
  ] as const)('%s → translit %s', (text, expected) => {
    expect(isTranslit(text)).toBe(expected);
  });
  it.each([
    ['ne mogu zayti v pochtu', 'не могу зайти в почту'],
    ['shchas vsyo vyletaet', 'щас всё вылетает'],
    ["pis'mo ushlo", 'письмо ушло'],
  ])('%s → %s', (latin, cyrillic) => {
    expect(fromTranslit(latin)).toBe(cyrillic);
  });
  it('the classifier reads it as Russian', () => {
    const c = classifier.classify('prilozhenie opyat vyletaet, chto delat', null);
    expect(c.lang).toBe('ru');
    expect(c.complaint).toBe(true);
    expect(c.categories[0]?.name).toBe('app_crash');
  });
  it('an English message stays English', () => {
    expect(classifier.classify('the app is a crash fest again', null).lang).toBe('en');
  });
  it('words to keep stay in Latin letters', () => {
    expect(fromTranslit('skymail ne rabotaet', new Set(['skymail']))).toBe('skymail не работает');
  });
  it("the target section's names stay as written: a name in Latin letters is still ours, another service still someone else's", () => {
    const withTarget = compileKeywords(
      keywordsSchema.parse({
        ...config,
        target: { names: { en: ['skymail'], ru: ['скаймейл'] }, others: { en: ['netflix'] } },
      }),
    );
    const c = createClassifier({ keywords: withTarget });
    const ours = c.classify('skymail opyat vyletaet, chto delat', null, 'twitter');
    expect(ours.target?.about).toBe('us');
    expect(ours.complaint).toBe(true);
    const theirs = c.classify('netflix opyat vyletaet, chto delat', null, 'twitter');
    expect(theirs.target?.about).toBe('other');
    expect(theirs.complaint).toBe(false);
  });
});
