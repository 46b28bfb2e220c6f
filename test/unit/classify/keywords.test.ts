import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkKeywordExamples, compileKeywords, createClassifier } from '../../../src/classify/index.js';
import { keywordsSchema, loadKeywords, parseKeywords } from '../../../src/config/keywords.js';

const model = compileKeywords(loadKeywords());
const classifier = createClassifier({ keywords: model });
const top = (text: string) => {
  const c = classifier.classify(text);
  return c.complaint ? (c.categories[0]?.name ?? 'other') : 'no';
};

/** A tiny config so each behaviour is tested against terms written here, not the shipped vocabulary. */
const tiny = compileKeywords(
  parseKeywords(`
version: 1
gate:
  terms:
    en: [problem, not working, "😡"]
    ru: [не работает, проблема]
  markers:
    en: [again]
    ru: [опять]
  weights: { problem: 0.8, "😡": 0.5 }
  exclusions:
    en: [works again]
    ru: [снова работает, все работает]
categories:
  - name: login
    terms:
      en: [can not log in, locked out]
      ru: [не могу войти]
    topics:
      en: [password]
      ru: [пароль]
  - name: slow
    terms:
      en: [slow]
      ru: [тормозит]
    exclusions:
      en: [not slow anymore]
      ru: [уже не тормозит]
  - name: attachments
    terms:
      en: [attachment missing, stuck at 90]
    topics:
      en: [attachment]
`),
);
const t = createClassifier({ keywords: tiny });
const decide = (text: string) => {
  const c = t.classify(text);
  return c.complaint ? (c.categories[0]?.name ?? 'other') : 'no';
};

describe('keyword matching (tiny config)', () => {
  it.each([
    // phrases on stems, with one extra word allowed
    ['I can not log in', 'login'],
    ["I can't log in since Monday", 'login'],
    ['I cannot even log in', 'login'],
    ['Locked out of my account', 'login'],
    // negation
    ['Не могу войти в почту', 'login'],
    ['no problems logging in', 'no'],
    ['there is no problem at all', 'no'],
    ['Проблема с почтой, не работает', 'other'],
    ['без проблем зашел', 'no'],
    ['mail is not working', 'other'],
    ['not slow, just fine', 'no'],
    // a contrast word ends the negation
    ['no idea why but the problem is back', 'other'],
    // exclusions
    ['It is not slow anymore', 'no'],
    ['Почта уже не тормозит', 'no'],
    ['slow yesterday, works again now', 'no'],
    ['тормозила, но снова работает', 'no'],
    // topics alone are not complaints; with a problem cue they pick the category
    ['How do I change my password?', 'no'],
    ['password problem', 'login'],
    ['проблема с паролем', 'login'],
    ['attachment missing from the email', 'attachments'],
    // markers of time and repetition are never negated ("Not again." is a complaint)
    ['Not again.', 'other'],
    ['не опять', 'other'],
    ['not slow again', 'other'],
    // exclusions match word after word: "всё остальное работает" is not "всё работает"
    ['Всё работает', 'no'],
    ['почта не работает, всё остальное работает', 'other'],
    // any number matches a number written in a phrase
    ['upload stuck at 75%', 'attachments'],
    ['upload stuck at 90 percent', 'attachments'],
    // typos (edit distance 1 on long stems, the first three letters kept)
    ['pasword problem', 'login'],
    ['passwrod problem', 'login'],
    ['possword problem', 'other'],
    // emoji are signals and never negated
    ['not working 😡', 'other'],
    ['😡', 'no'],
    // case, ё, URLs and mentions do not matter
    ['@Help SLOW!!! https://status.example/slow', 'slow'],
    ['ТОРМОЗИТ', 'slow'],
  ])('%j → %s', (text, expected) => {
    expect(decide(text)).toBe(expected);
  });

  it('word forms the stemmer folds together are told apart where the form is the meaning', () => {
    const forms = createClassifier({
      keywords: compileKeywords(
        parseKeywords(`
version: 1
gate:
  terms:
    en: [when will, fix]
    ru: [верните, почините, какой, проблема, ошибок]
  weights: { какой: -0.5, fix: 0.8, ошибок: 0.8 }
  exclusions:
    en: [works again, you fixed]
    ru: [вы починили]
categories:
  - name: login
    topics:
      en: [password]
`),
      ),
    });
    const terms = (text: string) => forms.explain(text).gateTerms;
    const excluded = (text: string) => forms.explain(text).excludedBy;
    // A verb term never matches an adjective of the same stem ("верните" / "верные").
    expect(terms('Верните старую версию')).toEqual(['верните']);
    expect(terms('Пароль точно верный, данные верные')).toEqual([]);
    // A longer word the stemmer cuts to a common function word keeps its own stem ("какой" is not "как").
    expect(terms('Какой смысл, проблема опять')).toEqual(['какой', 'проблема']);
    expect(terms('Как же надоело, проблема опять')).toEqual(['проблема']);
    // A problem gone is said in the past tense (or the English "-s"): a question about the future is no exclusion.
    expect(excluded('Вы починили вход, спасибо')).toEqual(['вы починили']);
    expect(excluded('Когда вы почините вход?')).toEqual([]);
    expect(forms.explain('Когда вы почините вход?').classification.complaint).toBe(true);
    expect(excluded('it works again')).toEqual(['works again']);
    expect(excluded('when will it work again?')).toEqual([]);
    expect(excluded('you fixed it')).toEqual(['you fixed']);
    expect(excluded('can you fix it?')).toEqual([]);
    // A postposed "нет" denies the word before it ("ошибок нет"), not a term that holds it.
    expect(forms.explain('Ошибок нет').negatedTerms).toEqual(['ошибок']);
    expect(terms('Ошибок нет')).toEqual([]);
    expect(terms('Нет ошибок')).toEqual([]);
    expect(terms('Ошибок куча')).toEqual(['ошибок']);
  });

  it("a category's problem word in a how-to question is a topic: it picks the category, makes no complaint", () => {
    const ask = createClassifier({
      keywords: compileKeywords(
        parseKeywords(`
version: 1
gate:
  terms:
    en: [error]
    ru: [ошибка]
categories:
  - name: spam
    terms:
      en: [phishing]
      ru: [фишинг, фишинговое письмо]
`),
      ),
    });
    expect(ask.classify('how do I report a phishing email?').complaint).toBe(false);
    expect(ask.explain('how do I report a phishing email?').ranking.map((r) => r.name)).toEqual(['spam']);
    expect(ask.classify('Подскажите, пожалуйста, как пожаловаться на фишинговое письмо?').complaint).toBe(false);
    expect(ask.classify('Можно ли пожаловаться на фишинговое письмо?').complaint).toBe(false);
    // a statement, a question of another kind, or a gate cue inside the question: complaints
    expect(ask.classify('Phishing again. How do I stop it?').complaint).toBe(true);
    expect(ask.classify('why do I get phishing every day?').complaint).toBe(true);
    expect(ask.classify('где мои письма? фишинг один').complaint).toBe(true);
    expect(ask.classify('how do I get rid of this phishing error?').complaint).toBe(true);
  });

  it('numbers get one stem, in messages and config phrases alike', () => {
    expect(tiny.analyser.analyse('stuck at 90').stems).toEqual(['stuck', 'at', '0']);
    expect(tiny.analyser.analyse('error 550, v2').stems).toEqual(['error', '0', 'v2']);
  });

  it('explains: gate terms, negated terms, exclusions', () => {
    expect(t.explain('no problems, not slow anymore').negatedTerms).toEqual(['problem', 'slow']);
    expect(t.explain('not slow anymore').excludedBy).toEqual(['not slow anymore']);
    expect(t.explain('password problem 😡').gateTerms).toEqual(['problem', '😡']);
    expect(t.classify('password problem').categories).toEqual([{ name: 'login', score: 0.295, terms: ['password'] }]);
  });

  it('reports the language (given, else detected)', () => {
    expect(t.classify('не работает').lang).toBe('ru');
    expect(t.classify('not working').lang).toBe('en');
    expect(t.classify('not working', 'ru').lang).toBe('ru');
    expect(t.classify('!!!').lang).toBeNull();
  });
});

describe('the shipped config/keywords.yaml', () => {
  it('passes its own examples', () => {
    const result = checkKeywordExamples(model);
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it.each([
    ["I can't log in to my mail", 'login'],
    ['Не могу зайти в ящик, пароль не подходит', 'login'],
    ['webmail is painfully slow today', 'slow'],
    ['почта тормозит весь день', 'slow'],
    ['my email is stuck in the outbox', 'send_fail'],
    ['письма не уходят, висят в исходящих', 'send_fail'],
    ['I am not receiving emails from my bank', 'delivery'],
    ['письма не доходят до меня', 'delivery'],
    ['can not open the attachment', 'attachments'],
    ['вложение не открывается', 'attachments'],
    ['antivirus blocked my pdf as infected', 'antivirus'],
    ['антивирус удалил вложение', 'antivirus'],
    ['so much spam in my inbox lately', 'spam'],
    ['куча спама во входящих', 'spam'],
    ['the app keeps crashing on android', 'app_crash'],
    ['приложение вылетает при запуске', 'app_crash'],
    ['the archive button does nothing', 'ui_bug'],
    ['съехала верстка в письме', 'ui_bug'],
    ['Thanks, great service!', 'no'],
    ['Спасибо, всё работает', 'no'],
    // misses of the first version on the independently written demo stream (issue 4)
    ['Папка с кучей писем открывается вечность', 'slow'],
    ['мои письма доходят до людей только на следующий день', 'delivery'],
    ['Половина входящих куда-то пропадает', 'delivery'],
    ['Фотки, которые я прикладываю, доходят по 0 байт', 'attachments'],
    ['входящие завалены рекламой', 'spam'],
    ['Opening a folder with lots of emails takes ages. Not again.', 'slow'],
    ['clients tell me they wrote to me yesterday and I never got it', 'delivery'],
    ['a clearly infected attachment wasn\'t caught', 'antivirus'],
    // "не проходит" is not a typo of delivery's "не приходят"; "Почините" is not the exclusion "починили"
    ['письмо не проходит проверку', 'other'],
    ['Почините уже вход!', 'login'],
    // "everything else works" is troubleshooting, not "everything works"
    ['Не могу войти, а всё остальное работает', 'login'],
    // other services, suggestions, questions
    ['the office printer is broken again', 'no'],
    ['почта россии опять потеряла посылку', 'no'],
    ['Suggestion: it would be great to have a snooze button', 'no'],
    ['как отключить группировку писем в цепочки?', 'no'],
  ])('%j → %s', (text, expected) => {
    expect(top(text)).toBe(expected);
  });

  it('reports failing examples with what the model said', () => {
    const config = keywordsSchema.parse({
      version: 1,
      gate: { terms: { en: ['broken'] }, examples: { match: ['it is slow'], noMatch: ['broken again'] } },
      categories: [{ name: 'slow', terms: { en: ['slow'] }, examples: { match: ['broken'] } }],
    });
    const result = checkKeywordExamples(compileKeywords(config));
    expect(result.ok).toBe(false);
    expect(result.failures.map((f) => [f.where, f.expectation, f.text])).toEqual([
      ['gate', 'noMatch', 'broken again'],
      ['slow', 'match', 'broken'],
    ]);
    expect(result.failures[0]?.got).toBe('complaint=true score=0.632 gate [broken]');
  });
});

describe('keyword config errors (one fixture per case, exact message)', () => {
  const dir = 'test/unit/classify/fixtures';
  const expected: Record<string, string> = {
    'bad-category-name.yaml': `${dir}/bad-category-name.yaml:4: categories[0].name: must be lower_snake_case`,
    'cyrillic-under-en.yaml': `${dir}/cyrillic-under-en.yaml:6: categories[0].terms.en[1]: "тормозит" has Cyrillic letters; list it under ru`,
    'duplicate-category.yaml': `${dir}/duplicate-category.yaml:6: categories[2].name: duplicate category name "login"`,
    'no-categories.yaml': `${dir}/no-categories.yaml:3: categories: must list at least one category`,
    'unknown-key.yaml': `${dir}/unknown-key.yaml:7: categories[0]: unknown key "term"`,
    'weight-for-unknown-term.yaml': `${dir}/weight-for-unknown-term.yaml:6: gate.weights.brokn: "brokn" is not one of the terms or topics`,
    'wrong-version.yaml': `${dir}/wrong-version.yaml:1: version: Invalid literal value, expected 1`,
    'zero-weight.yaml': `${dir}/zero-weight.yaml:6: gate.weights.broken: must not be 0`,
  };

  it('has a test for every fixture', () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s', (file, message) => {
    expect(() => loadKeywords(`${dir}/${file}`)).toThrow(message);
    try {
      loadKeywords(`${dir}/${file}`);
    } catch (error) {
      expect((error as Error).message).toBe(message);
      expect((error as { code?: string }).code).toBe('ERR_CONFIG');
    }
  });

  it('a missing file is ERR_CONFIG_NOT_FOUND', () => {
    expect(() => loadKeywords(`${dir}/nope.yaml`)).toThrow(`${dir}/nope.yaml: file not found`);
  });

  it('parses the shipped file text the same way', () => {
    expect(parseKeywords(readFileSync('config/keywords.yaml', 'utf8')).categories.map((c) => c.name)).toEqual([
      'login', 'slow', 'send_fail', 'delivery', 'attachments', 'antivirus', 'spam', 'app_crash', 'ui_bug',
    ]);
  });
});
