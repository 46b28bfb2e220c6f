import { describe, expect, it } from 'vitest';
import type { Message } from '../../../src/domain/message.js';
import { CHATTER_KINDS, DEMO_CATEGORIES } from '../../../src/sources/demo/index.js';
import type { LangBank } from '../../../src/sources/demo/phrase-bank.js';
import { EN } from '../../../src/sources/demo/phrases-en.js';
import { RU } from '../../../src/sources/demo/phrases-ru.js';
import { mulberry32 } from '../../../src/sources/demo/prng.js';
import { countVariants, expand } from '../../../src/sources/demo/template.js';
import { draftedChannel } from '../../../src/sources/demo/social.js';
import { DAY, MINUTE, MONDAY_MSK, demo, truth } from './harness.js';

/** Every template string of a bank. */
function templates(bank: LangBank): string[] {
  const out: string[] = [...bank.details, ...bank.emotions, ...bank.tweetOpeners, ...bank.tweetClosers, ...bank.hashtags];
  out.push(...bank.emailGreetings, ...bank.emailClosings, ...bank.emailThanks, ...bank.formDoing, ...bank.formFine, ...bank.mixedInserts);
  for (const c of DEMO_CATEGORIES) {
    const cat = bank.categories[c];
    out.push(...cat.cores, ...cat.details, ...cat.subjects, ...cat.doing, ...cat.expected);
  }
  for (const k of CHATTER_KINDS) out.push(...bank.chatter[k].texts, ...bank.chatter[k].subjects);
  for (const values of Object.values(bank.slots)) out.push(...values);
  return out;
}

describe.each([
  ['en', EN],
  ['ru', RU],
])('phrase bank %s', (_lang, bank) => {
  it('every template expands (brackets balanced, every slot known)', () => {
    const rand = mulberry32(3);
    for (const t of templates(bank)) for (let i = 0; i < 5; i++) expect(expand(t, bank.slots, rand).length).toBeGreaterThan(0);
  });

  it('has several hundred templates, about a thousand complaint sentences before slots', () => {
    expect(templates(bank).length).toBeGreaterThanOrEqual(500);
    const cores = DEMO_CATEGORIES.flatMap((c) => bank.categories[c].cores);
    const variants = cores.reduce((s, t) => s + countVariants(t), 0);
    expect(cores.length).toBeGreaterThanOrEqual(170);
    expect(variants).toBeGreaterThanOrEqual(900);
    for (const c of DEMO_CATEGORIES) expect(bank.categories[c].cores.length).toBeGreaterThanOrEqual(12);
  });

  it('includes hard cases: resolved problems, questions and complaints about other services', () => {
    for (const k of ['resolved', 'question', 'other_service', 'praise'] as const) expect(bank.chatter[k].texts.length).toBeGreaterThanOrEqual(4);
  });
});

describe('variety of the generated stream', () => {
  const g = demo();
  const messages: Message[] = [];
  for (let t = MONDAY_MSK + 9 * 3_600_000; messages.length < 10_000; t += 7 * MINUTE) messages.push(...g.minute(t).messages);

  it.each(['ru', 'en'] as const)('over 10,000 messages, at least 500 distinct %s texts, few repeats', (lang) => {
    const texts = messages.filter((m) => truth(m).lang === lang).map((m) => m.text);
    const distinct = new Set(texts);
    expect(distinct.size).toBeGreaterThanOrEqual(500);
    const complaints = messages.filter((m) => truth(m).lang === lang && truth(m).complaint).map((m) => m.text);
    expect(new Set(complaints).size / complaints.length).toBeGreaterThan(0.9);
  });

  it('the same minute never repeats a message', () => {
    for (let t = MONDAY_MSK; t < MONDAY_MSK + DAY; t += 60 * MINUTE) {
      const ids = g.minute(t).messages.map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('some messages carry typos, some tweets are all lower case', () => {
    const tweets = messages.filter((m) => draftedChannel(m.channel) === 'twitter'); // posts on every social network are tweet-shaped
    expect(tweets.filter((m) => m.text === m.text.toLowerCase() && /[a-zа-я]/.test(m.text)).length).toBeGreaterThan(tweets.length * 0.05);
  });
});
