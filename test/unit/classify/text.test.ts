import { describe, expect, it } from 'vitest';
import { detectLang } from '../../../src/classify/language.js';
import { normaliseText, stripQuoted } from '../../../src/classify/normalise.js';
import { StemCache, stemWord } from '../../../src/classify/stem.js';
import { FORM_ADJ, FORM_GEN, FORM_INFINITIVE, FORM_PAST, FORM_PLURAL, FORM_PRESENT, FORM_REQUEST, FORM_S, FORM_VERB, formsAgree, wordForm } from '../../../src/classify/word-form.js';
import { tokenise } from '../../../src/classify/tokenise.js';
import { withinOneEdit } from '../../../src/classify/edit-distance.js';

describe('normaliseText', () => {
  it.each([
    ['Can NOT Log In', 'can not log in'],
    ['Пришёл ЁЖИК', 'пришел ежик'],
    ["I can't log in", 'i can not log in'],
    ['it doesn’t work', 'it does not work'],
    ['cant send, wont load', 'can not send, will not load'],
    ['I cannot', 'i can not'],
    ['see https://x.co/a?b=1 and www.mail.example/x', 'see   and  '],
    ['@MailHelp help', '  help'],
    ['write to ivan.petrov@corp.example now', 'write to   now'],
    ['still broken :(', 'still broken  🙁 '],
    ['опять не грузится((', 'опять не грузится 🙁 '],
    ['What were you doing: reading\nWhat went wrong: all fine', '  reading\n  all fine'], // the report form's labels
    ['Что пошло не так? ничего', '  ничего'],
    ['все работает)) (1/3)', 'все работает 🙂  (1/3)'],
    ['angry 😡', 'angry 😡'],
  ])('%j → %j', (input, expected) => {
    expect(normaliseText(input)).toBe(expected);
  });

  it.each([
    ['Thanks, works now.\n> I can not log in\n> please help', 'Thanks, works now.'],
    ['Fine now.\n\nOn Mon, 3 Mar 2026 at 10:00, Support <help@mail.example> wrote:\nPlease try again', 'Fine now.\n'],
    ['Всё ок.\n26 нояб. 2026 г., в 10:00, Поддержка <help@mail.example> написал:\nошибка', 'Всё ок.'],
    ['Hi\n-----Original Message-----\nerror', 'Hi'],
    ['no quote here', 'no quote here'],
    ["Re: Can't log in\n\nNot slow at all for me", '\nNot slow at all for me'],
    ['Fwd: Ошибка отправки\nвсё ок', 'всё ок'],
    ['Re: only a subject line', 'Re: only a subject line'],
  ])('strips quoted text from %j', (input, expected) => {
    expect(stripQuoted(input)).toBe(expected);
  });
});

describe('tokenise', () => {
  it.each([
    ['send fails, again', ['send', 'fails', 'again'], [true, false, true]],
    ['e-mail 😡👍🏻 ok', ['e', 'mail', '😡', '👍', 'ok'], [true, false, false, false, false]],
    ['не работает… совсем', ['не', 'работает', 'совсем'], [true, false, true]],
    ['café über 42', ['café', 'über', '42'], [true, false, false]],
    // A dash set apart by spaces joins two clauses; a hyphen inside a word does not.
    ['не шли — теперь пришли', ['не', 'шли', 'теперь', 'пришли'], [true, false, true, false]],
    ['down all day - back now', ['down', 'all', 'day', 'back', 'now'], [true, false, false, true, false]],
    ['что-то не так', ['что', 'то', 'не', 'так'], [true, false, false, false]],
  ])('%j', (input, words, clauseStart) => {
    expect(tokenise(input)).toEqual({ words, clauseStart });
  });
});

describe('stemming', () => {
  it.each([
    ['crashes', 'crash'],
    ['crashing', 'crash'],
    ['attachments', 'attach'],
    ['тормозит', 'тормоз'],
    ['тормоза', 'тормоз'],
    ['вложения', 'вложен'],
    ['42', '42'],
    ['no', 'no'],
    // a longer word cut down to a common function word keeps a stem of its own
    ['как', 'как'],
    ['какой', 'как~'],
    ['какие', 'как~'],
    ['такой', 'так~'],
    // an English "-ly" adverb the stemmer would fold into another word keeps its form
    ['lately', 'lately'],
    ['likely', 'likely'],
    ['late', 'late'],
    ['slowly', 'slowli'],
    ['terribly', 'terribl'],
  ])('%s → %s', (word, stem) => {
    expect(stemWord(word)).toBe(stem);
  });

  it('the cache is bounded and returns the same stems', () => {
    const cache = new StemCache(3);
    for (const w of ['crashes', 'письма', 'slow', 'logging', 'crashes']) expect(cache.stem(w)).toBe(stemWord(w));
    expect(cache.size).toBeLessThanOrEqual(3);
  });
});

describe('word forms', () => {
  it.each([
    ['починили', FORM_PAST | FORM_VERB],
    ['починил', FORM_PAST | FORM_VERB],
    ['почините', FORM_VERB | FORM_REQUEST],
    ['верните', FORM_VERB | FORM_REQUEST],
    ['верные', FORM_ADJ | FORM_PLURAL],
    ['налоговой', FORM_ADJ | FORM_GEN],
    ['банка', FORM_GEN],
    ['грузится', FORM_VERB | FORM_PRESENT],
    ['работало', FORM_PAST | FORM_VERB],
    ['заходить', FORM_VERB | FORM_INFINITIVE],
    ['письмо', 0],
    ['земли', FORM_GEN],
    ['fixed', FORM_PAST],
    ['works', FORM_S],
    ['work', 0],
  ])('%s → %i', (word, form) => {
    expect(wordForm(word, stemWord(word))).toBe(form);
  });

  it.each([
    [FORM_VERB, FORM_ADJ, false, false],
    [FORM_ADJ, FORM_VERB, false, false],
    [FORM_VERB, FORM_PAST | FORM_VERB, false, true],
    [FORM_PAST | FORM_VERB, FORM_VERB, false, true],
    [FORM_PAST | FORM_VERB, FORM_VERB, true, false],
    [FORM_S, 0, true, false],
    [FORM_S, 0, false, true],
    [0, FORM_ADJ, true, true],
    [FORM_VERB | FORM_REQUEST, FORM_PAST | FORM_VERB, false, false],
    [FORM_VERB | FORM_REQUEST, FORM_VERB | FORM_REQUEST, false, true],
    [FORM_VERB | FORM_REQUEST, FORM_VERB, false, true],
  ])('term %i, word %i, strict %s → %s', (want, got, strict, agree) => {
    expect(formsAgree(want, got, strict)).toBe(agree);
  });
});

describe('detectLang', () => {
  it.each([
    ['Не могу войти в почту', 'ru'],
    ['I can not log in', 'en'],
    ['почта не работает, can not log in at all', 'ru'],
    ['Gmail and Outlook work but your mail is down, а у вас', 'en'],
    ['😡 123', null],
  ])('%j → %s', (text, lang) => {
    expect(detectLang(text)).toBe(lang);
  });
});

describe('withinOneEdit', () => {
  it.each([
    ['pasword', 'password', true],
    ['reciev', 'receiv', true],
    ['passwrod', 'password', true],
    ['pasxword', 'password', true],
    ['paswrd', 'password', false],
    ['attach', 'attach', true],
  ])('%s ~ %s = %s', (a, b, expected) => {
    expect(withinOneEdit(a, b)).toBe(expected);
    expect(withinOneEdit(b, a)).toBe(expected);
  });
});
