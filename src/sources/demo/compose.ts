/**
 * Composes one demo message's text from a phrase bank, shaped like the channel it imitates:
 * a tweet (opener, problem, maybe a detail, emotion, closer or hashtag), an e-mail as our IMAP source
 * makes it ("Subject\n\nbody", a polite body without signature), or a beta testers' form report
 * ("What were you doing: … / What went wrong: … / How should it have worked: …").
 */
import type { ChatterKind, DemoCategory, LangBank } from './phrase-bank.js';
import { pick, type Rand } from './prng.js';
import { addTypo, endSentence, expand, joinOpener, upperFirst } from './template.js';

export type DemoChannel = 'twitter' | 'email' | 'beta_form';

export type Topic = { readonly complaint: true; readonly category: DemoCategory } | { readonly complaint: false; readonly kind: ChatterKind };

export interface ComposeInput {
  readonly bank: LangBank;
  readonly channel: DemoChannel;
  readonly topic: Topic;
  /** Add an insert in the other language (e.g. an English error text in a Russian message). */
  readonly mixed: boolean;
}

export interface Composed {
  readonly text: string;
  readonly subject: string | null;
}

const TWEET_MAX = 280;
const TYPO_RATE = 0.08;

function sentence(bank: LangBank, template: string, rand: Rand): string {
  return endSentence(upperFirst(expand(template, bank.slots, rand)));
}

/** The problem and up to `maxDetails` details, as sentences. */
function complaintSentences(input: ComposeInput, rand: Rand, maxDetails: number, detailRate: number): string[] {
  const { bank } = input;
  if (!input.topic.complaint) return [];
  const cat = bank.categories[input.topic.category];
  const out = [expand(pick(rand, cat.cores), bank.slots, rand)];
  const used: string[] = [];
  for (let i = 0; i < maxDetails && rand() < detailRate; i++) {
    const template = pick(rand, rand() < 0.45 ? cat.details : bank.details);
    if (used.includes(template)) continue;
    used.push(template);
    out.push(sentence(bank, template, rand));
  }
  return out;
}

function mixedInsert(input: ComposeInput, rand: Rand): string | null {
  const inserts = input.bank.mixedInserts;
  if (!input.mixed || inserts.length === 0) return null;
  return endSentence(expand(pick(rand, inserts), input.bank.slots, rand));
}

function maybeTypo(text: string, rand: Rand): string {
  return rand() < TYPO_RATE ? addTypo(text, rand) : text;
}

function tweet(input: ComposeInput, rand: Rand): Composed {
  const { bank, topic } = input;
  let parts: string[];
  if (topic.complaint) {
    parts = complaintSentences(input, rand, 1, 0.3);
    const mixed = mixedInsert(input, rand);
    if (mixed) parts.push(mixed);
    if (rand() < 0.3) parts.push(pick(rand, bank.emotions));
    if (rand() < 0.25) parts.push(pick(rand, bank.tweetClosers));
  } else {
    parts = [expand(pick(rand, bank.chatter[topic.kind].texts), bank.slots, rand)];
    if (topic.kind === 'question' && rand() < 0.3) parts[0] = joinOpener(pick(rand, ['@skymail_help', '@skymail']), parts[0] ?? '');
  }
  let text = parts.join(' ');
  if (topic.complaint && rand() < 0.3) text = joinOpener(pick(rand, bank.tweetOpeners), text);
  if (rand() < (topic.complaint ? 0.1 : 0.15)) text = `${text} ${pick(rand, bank.hashtags)}`;
  if (text.length > TWEET_MAX) text = text.slice(0, TWEET_MAX - 1).replace(/\s+\S*$/u, '') + '…';
  const style = rand();
  if (style < 0.14) text = text.toLowerCase();
  else if (style < 0.34) text = text.replace(/\.$/u, '');
  return { text: maybeTypo(text, rand), subject: null };
}

function email(input: ComposeInput, rand: Rand): Composed {
  const { bank, topic } = input;
  let subject: string;
  let paragraph: string[];
  if (topic.complaint) {
    subject = expand(pick(rand, bank.categories[topic.category].subjects), bank.slots, rand);
    paragraph = complaintSentences(input, rand, 2, 0.75).map((s, i) => (i === 0 ? endSentence(upperFirst(s)) : s));
    const mixed = mixedInsert(input, rand);
    if (mixed) paragraph.push(mixed);
    if (rand() < 0.08) paragraph.push(pick(rand, bank.emotions));
  } else {
    const chatter = bank.chatter[topic.kind];
    subject = expand(pick(rand, chatter.subjects), bank.slots, rand);
    paragraph = [endSentence(upperFirst(expand(pick(rand, chatter.texts), bank.slots, rand)))];
  }
  if (rand() < 0.08) subject = subject.toLowerCase();
  const blocks: string[] = [];
  if (rand() < 0.7) blocks.push(pick(rand, bank.emailGreetings));
  blocks.push(maybeTypo(paragraph.join(' '), rand));
  if (rand() < 0.7) blocks.push(pick(rand, topic.complaint ? bank.emailClosings : bank.emailThanks));
  return { text: `${subject}\n\n${blocks.join('\n\n')}`, subject };
}

function form(input: ComposeInput, rand: Rand): Composed {
  const { bank, topic } = input;
  let doing: string;
  let wrong: string;
  let expected: string;
  if (topic.complaint) {
    const cat = bank.categories[topic.category];
    doing = expand(pick(rand, cat.doing), bank.slots, rand);
    const parts = complaintSentences(input, rand, 1, 0.5).map((s, i) => (i === 0 ? endSentence(upperFirst(s)) : s));
    const mixed = mixedInsert(input, rand);
    if (mixed) parts.push(mixed);
    wrong = parts.join(' ');
    expected = expand(pick(rand, cat.expected), bank.slots, rand);
  } else {
    doing = expand(pick(rand, bank.formDoing), bank.slots, rand);
    wrong = endSentence(upperFirst(expand(pick(rand, bank.chatter[topic.kind].texts), bank.slots, rand)));
    expected = pick(rand, bank.formFine);
  }
  const text = `What were you doing: ${doing}\nWhat went wrong: ${maybeTypo(wrong, rand)}\nHow should it have worked: ${expected}`;
  return { text, subject: null };
}

/** The text of one message (and the e-mail subject, for e-mail). */
export function composeText(input: ComposeInput, rand: Rand): Composed {
  if (input.channel === 'twitter') return tweet(input, rand);
  if (input.channel === 'email') return email(input, rand);
  return form(input, rand);
}
