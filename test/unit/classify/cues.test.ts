import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileKeywords, createClassifier } from '../../../src/classify/index.js';
import { cuesSchema, keywordsSchema, loadKeywords } from '../../../src/config/keywords.js';

const cues = cuesSchema.parse({
  version: 1,
  groups: [
    { name: 'failure', terms: { en: ['stopped working', 'broken'], ru: ['не работает'] }, weights: { broken: 0.4 } },
    { name: 'waiting', markers: { en: ['for days'] }, weights: { 'for days': 0.4 } },
  ],
});
const base = { version: 1, gate: { terms: { en: ['broken'] }, weights: { broken: 0.9 } }, categories: [{ name: 'login', terms: { en: ['can not log in'] } }] };

describe('generic complaint cues', () => {
  const withCues = createClassifier({ keywords: compileKeywords({ ...keywordsSchema.parse(base), cues }) });
  const without = createClassifier({ keywords: compileKeywords(keywordsSchema.parse(base)) });

  it.each([
    ['the printer stopped working', true, ['failure: stopped working']],
    ['Принтер не работает', true, ['failure: не работает']],
    ['it has not stopped working once', false, []], // negated term
    ['for days', false, ['waiting: for days']], // 0.4 alone is below the threshold
    ['can not log in for days', true, ['waiting: for days']],
  ] as const)('%j → complaint %s, cues %j', (text, complaint, terms) => {
    const e = withCues.explain(text);
    expect(e.classification.complaint).toBe(complaint);
    expect(e.cueTerms).toEqual(terms);
  });

  it('a one-word cue met only as a hashtag counts half, and makes no complaint on its own', () => {
    expect(withCues.explain('Inbox zero at last 🎉 #broken').keywordRaw).toBe(0);
    expect(withCues.explain('can not log in. #broken').keywordRaw).toBe(1.45);
    expect(withCues.explain('Inbox broken again').keywordRaw).toBe(0.9);
  });

  it('a supportOnly group adds its weight but makes no complaint on its own', () => {
    const sarcasm = cuesSchema.parse({
      version: 1,
      groups: [{ name: 'sarcasm', supportOnly: true, terms: { en: ['love how'] } }],
    });
    const c = createClassifier({ keywords: compileKeywords({ ...keywordsSchema.parse(base), cues: sarcasm }) });
    expect(c.explain('love how fast the new search is').keywordRaw).toBe(0);
    expect(c.explain('love how it is broken again').keywordRaw).toBe(1.9);
  });

  it('a duration marker supports a problem but makes none on its own; a marker of onset or delay does', () => {
    const strong = cuesSchema.parse({
      version: 1,
      groups: [{ name: 'waiting', markers: { en: ['for a week', 'since yesterday', '0 days ago'], ru: ['уже неделю'] } }],
    });
    const c = createClassifier({ keywords: compileKeywords({ ...keywordsSchema.parse(base), cues: strong }) });
    expect(c.classify('I have used this inbox for a week now, switching went smoothly').complaint).toBe(false);
    expect(c.classify('Пользуюсь уже неделю, всё нравится').complaint).toBe(false);
    expect(c.explain('can not log in for a week').keywordRaw).toBe(2);
    expect(c.classify('the inbox has been empty since yesterday').complaint).toBe(true);
    expect(c.classify('got a letter today that was sent 3 days ago').complaint).toBe(true);
  });

  it('a cue that lowers the score matches word after word: a word inside it changes what it says', () => {
    const praise = cuesSchema.parse({
      version: 1,
      groups: [
        { name: 'failure', terms: { ru: ['зависает'] } },
        { name: 'satisfaction', terms: { ru: ['все работает'] }, weights: { 'все работает': -0.5 } },
      ],
    });
    const c = createClassifier({ keywords: compileKeywords({ ...keywordsSchema.parse(base), cues: praise }) });
    expect(c.explain('Всё зависает, хотя всё работает').cueTerms).toEqual(['failure: зависает', 'satisfaction: все работает']);
    // "всё остальное работает" (everything else works) is no praise of us.
    const e = c.explain('Всё зависает, интернет в порядке, всё остальное работает');
    expect(e.cueTerms).toEqual(['failure: зависает']);
    expect(e.classification.complaint).toBe(true);
  });

  it('a cue ending with its negator counts for an ability lost, not for a problem denied right after it', () => {
    const lost = cuesSchema.parse({ version: 1, groups: [{ name: 'failure', terms: { ru: ['больше не', 'вылетает'] }, negated: { ru: ['работает'] } }] });
    const c = createClassifier({ keywords: compileKeywords({ ...keywordsSchema.parse(base), cues: lost }) });
    expect(c.explain('Почта больше не работает').classification.complaint).toBe(true);
    expect(c.explain('Почта больше не работает').cueTerms).toEqual(['failure: больше не', 'failure: not работает']);
    const gone = c.explain('После обновления приложение больше не вылетает, спасибо');
    expect(gone.cueTerms).toEqual([]);
    expect(gone.negatedTerms).toEqual(['failure: вылетает']);
    expect(gone.classification.complaint).toBe(false);
  });

  it('a negated ability is a verb: a noun of the same stem is not it ("проблем со входом")', () => {
    const abilities = cuesSchema.parse({ version: 1, groups: [{ name: 'failure', negated: { ru: ['входит'] } }] });
    const c = createClassifier({ keywords: compileKeywords({ ...keywordsSchema.parse(base), cues: abilities }) });
    expect(c.explain('Не входит в почту').cueTerms).toEqual(['failure: not входит']);
    expect(c.explain('Никогда не было трудностей со входом').cueTerms).toEqual([]);
  });

  it('a problem-gone exclusion does not cancel when negated or when it is the tail of a longer cue', () => {
    const config = keywordsSchema.parse({ ...base, gate: { ...base.gate, exclusions: { ru: ['заработало'] } } });
    const gone = cuesSchema.parse({ version: 1, groups: [{ name: 'failure', terms: { ru: ['когда заработает', 'так и не'] } }] });
    const c = createClassifier({ keywords: compileKeywords({ ...config, cues: gone }) });
    expect(c.explain('Всё заработало, спасибо').classification.complaint).toBe(false);
    expect(c.explain('Всё заработало, спасибо').excludedBy).toEqual(['заработало']);
    // The stemmer folds "заработает" (will work) and "не заработал" into the exclusion's stem.
    expect(c.explain('Когда заработает почта?').excludedBy).toEqual([]);
    expect(c.explain('Когда заработает почта?').classification.complaint).toBe(true);
    expect(c.explain('Так и не заработал').excludedBy).toEqual([]);
    expect(c.explain('Так и не заработал').classification.complaint).toBe(true);
  });

  it('a term that starts with its own negator is not negated by an earlier one', () => {
    const own = cuesSchema.parse({ version: 1, groups: [{ name: 'failure', terms: { ru: ['нет сети'] } }] });
    const c = createClassifier({ keywords: compileKeywords({ ...keywordsSchema.parse(base), cues: own }) });
    // "р-не" (district) ends in "не": it must not turn "нет сети" into a negated term.
    const e = c.explain('Писал вам, что в р-не вообще нет сети');
    expect(e.negatedTerms).toEqual([]);
    expect(e.cueTerms).toEqual(['failure: нет сети']);
    expect(e.classification.complaint).toBe(true);
  });

  it('the shipped praise cues do not fire on a spinning page or a polite sign-off', () => {
    const shipped = createClassifier({ keywords: compileKeywords(loadKeywords()) });
    // "круто" (cool) and "крутится" (spins) share the stem; "Спасибо за помощь!" closes requests for help.
    for (const text of ['Страница входа просто крутится', 'Письма не приходят.\n\nСпасибо за помощь!']) {
      expect(shipped.explain(text, null, 'email').cueTerms.filter((t) => t.startsWith('satisfaction'))).toEqual([]);
    }
  });

  it('the shipped report cues take "just letting you know" as a report, which needs the writer\'s own trouble beside it', () => {
    const shipped = createClassifier({ keywords: compileKeywords(loadKeywords()) });
    const cases = [
      ['Здравствуйте, пришло подозрительное письмо с чужим счётом на оплату, я его не открывала, просто сообщаю, заблокируйте отправителя', false],
      ['Просто сообщаю: почта не открывается уже третий день, ничего не грузится', true],
      ["Hi, got an odd email with someone else's invoice and a link, I didn't open it, just letting you know so you can block the sender", false],
      ['Just letting you know: my inbox has not loaded for three days, nothing works', true],
    ] as const;
    for (const [text, complaint] of cases) expect([text, shipped.classify(text, null, 'email').complaint]).toEqual([text, complaint]);
  });

  it('the shipped own-doing cues take the writer\'s own mistake in an address ("ошиблась в адресе", "опечатался") as lowering the score', () => {
    const shipped = createClassifier({ keywords: compileKeywords(loadKeywords()) });
    expect(shipped.classify('письмо не пришло, но я сама ошиблась в адресе', 'ru', 'twitter').complaint).toBe(false);
    const plain = shipped.classify('письмо не пришло', 'ru', 'twitter').score;
    expect(shipped.classify('письмо не пришло, опечатался', 'ru', 'twitter').score).toBeLessThan(plain);
    expect(shipped.explain('письмо не пришло, опечатался', 'ru', 'twitter').cueTerms).toContain('own_doing: опечатался');
  });

  it('the shipped resolved cues take a closing word ("вопрос снят", "please disregard my last message") as the end of a report', () => {
    const shipped = createClassifier({ keywords: compileKeywords(loadKeywords()) });
    const cases = [
      ['письма с утра не приходили, вопрос снят', false],
      ['письма с утра не приходили', true],
      ['почта не открывалась весь вечер. уже не актуально', false],
      ['почта не открывалась весь вечер', true],
      ['my inbox would not load this morning, please disregard my last message', false],
      ['my inbox would not load this morning', true],
    ] as const;
    for (const [text, complaint] of cases) expect([text, shipped.classify(text, null, 'twitter').complaint]).toEqual([text, complaint]);
    expect(shipped.explain('письма с утра не приходили, вопрос снят', 'ru', 'twitter').cueTerms).toContain('resolved: вопрос снят');
  });

  it('add recall the product vocabulary lacks', () => {
    expect(without.classify('the printer stopped working').complaint).toBe(false);
  });

  it('a cue equal to a gate term is left to the gate (its weight, shown as a gate term)', () => {
    const e = withCues.explain('broken');
    expect(e.gateTerms).toEqual(['broken']);
    expect(e.cueTerms).toEqual([]);
    expect(e.keywordRaw).toBe(0.9);
  });

  it('loadKeywords reads cuesFile relative to the keyword file; the shipped config has one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cues-'));
    writeFileSync(join(dir, 'cues.yaml'), 'version: 1\ngroups:\n  - name: failure\n    terms:\n      en: [kaput]\n');
    writeFileSync(join(dir, 'keywords.yaml'), 'version: 1\ncuesFile: cues.yaml\ngate: {}\ncategories:\n  - name: x\n');
    const config = loadKeywords(join(dir, 'keywords.yaml'));
    expect(config.cues?.groups[0]?.terms.en).toEqual(['kaput']);
    expect(createClassifier({ keywords: compileKeywords(config) }).classify('totally kaput').complaint).toBe(true);
    expect(loadKeywords().cues?.groups.map((g) => g.name)).toEqual(['failure', 'errors', 'waiting', 'awaiting', 'repetition', 'frustration', 'sarcasm', 'report', 'own_doing', 'satisfaction', 'resolved']);
  });

  describe('negated abilities count only inside a negation scope', () => {
    const negatedCues = cuesSchema.parse({
      version: 1,
      groups: [{ name: 'failure', negated: { en: ['load'], ru: ['работать', 'могу'] }, weights: { могу: 0.6 } }],
    });
    const c = createClassifier({ keywords: compileKeywords({ ...keywordsSchema.parse({ ...base, gate: { terms: { en: ['problems'], ru: ['какой'] }, weights: { какой: -0.3 } } }), cues: negatedCues }) });
    it.each([
      ['Почта не работает', true, ['failure: not работать']],
      ['Уже неделю ничего не работают', true, ['failure: not работать']], // another form, folded by the stemmer
      ['никак не хочет работать', true, ['failure: not работать']], // two words after the negator
      ['Все работает, спасибо', false, []], // not negated
      ['не знаю. Работает', false, []], // the scope ends with the sentence
      ['не могу', false, ['failure: not могу']], // 0.6 alone is below the threshold
      ['the page will not load', true, ['failure: not load']],
      ['no problems, it loads', false, []],
      ['no problems loading the page today', false, []], // the negator belongs to the (negated) gate term "problems"
      ['без какой-либо связи, ничего не работает', true, ['failure: not работать']], // a negated question word ("какой", weight < 0) keeps no negator
    ] as const)('%j → complaint %s, cues %j', (text, complaint, terms) => {
      const e = c.explain(text);
      expect(e.classification.complaint).toBe(complaint);
      expect(e.cueTerms).toEqual(terms);
    });

    it('a negated ability the gate already lists with its negator is left to the gate', () => {
      const gate = keywordsSchema.parse({ ...base, gate: { terms: { ru: ['не работает'] }, weights: { 'не работает': 0.8 } } });
      const e = createClassifier({ keywords: compileKeywords({ ...gate, cues: negatedCues }) }).explain('Почта не работает');
      expect(e.gateTerms).toEqual(['не работает']);
      expect(e.cueTerms).toEqual([]);
      expect(e.keywordRaw).toBe(0.8);
    });
  });

  it('a bad cue file names the file, line and key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cues-'));
    writeFileSync(join(dir, 'cues.yaml'), 'version: 1\ngroups:\n  - name: Failure\n');
    writeFileSync(join(dir, 'keywords.yaml'), 'version: 1\ncuesFile: cues.yaml\ngate: {}\ncategories:\n  - name: x\n');
    expect(() => loadKeywords(join(dir, 'keywords.yaml'))).toThrow(/cues\.yaml:3: groups\[0\]\.name: must be lower_snake_case/);
  });
});
