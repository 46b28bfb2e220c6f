/**
 * The compiled keyword model: every term, topic and exclusion of the config as a stem sequence,
 * indexed by its first stem, and the scoring of one analysed message against it.
 *
 * Scoring: a matched gate term or category term (problem cue) adds its weight unless it is negated;
 * gate markers (time and repetition: "again", "for days", "до сих пор") add theirs even after a
 * negator ("Not again."); the cue file's negated abilities add theirs only inside a negation scope
 * ("не работает", "ничего не грузится"; not after a negated problem word: "no problems logging in");
 * topics add theirs to their category but only count towards the complaint
 * when some problem cue matched. complaint score = 1 − e^(−(gate sum + best category sum)); a gate
 * exclusion zeroes the message, a category exclusion zeroes that category (unless negated, or inside a
 * longer positive cue that started before it). A term that starts with a negator ("нет сети") is never
 * negated by an earlier one. Exclusions, and generic
 * cues with a negative weight (praise, a problem gone), match word after word with nothing in between
 * ("всё работает" must not match "всё остальное работает").
 */
import type { KeywordsConfig } from '../config/keywords.js';
import { Analyser, type Analysis } from './analyse.js';
import { compileTarget, targetLatinWords, type TargetModel } from './target-model.js';
import { isCyrillic } from './language.js';
import { FORM_INFINITIVE, FORM_PAST, formsAgree } from './word-form.js';

const KIND_TERM = 0;
const KIND_TOPIC = 1;
const KIND_EXCLUSION = 2;
/** A gate problem cue that is never negated. */
const KIND_MARKER = 3;
/** A cue that counts only inside a negation scope (a negated ability: "не *работает*", "will not *load*"). */
const KIND_NEGATED = 4;

interface Entry {
  readonly ids: readonly number[];
  /** 0 = the gate, c + 1 = category c. */
  readonly owner: number;
  readonly kind: number;
  readonly weight: number;
  /** The term as written in the config. */
  readonly text: string;
  /** Position in `entries` (for the per-message "already counted" stamp). */
  readonly index: number;
  /** Matches its words one after another, nothing in between (exclusions, and generic cues that lower the score). */
  readonly consecutive: boolean;
  /** Holds a negator of its own ("нет сети", "not working", "файла нет"): another negator does not negate it. */
  readonly ownNegator: boolean;
  /** Form bits of each word as written (`word-form.ts`), or null when no word's form matters. */
  readonly forms: readonly number[] | null;
  /** Ends with its negator ("больше не", "still not") or a verb of stopping ("перестало"): what follows is what it denies. */
  readonly openNegator: boolean;
  /** A marker of duration ("for a week", "уже месяц"), or a cue of a `supportOnly` group (sarcasm): it supports a problem but is none. */
  readonly supportOnly: boolean;
  /** A marker of repetition ("again", "опять", "every time"): it still counts beside a negated problem word ("not slow again"). */
  readonly repetition: boolean;
}

/** The entries that start with one stem: one-word entries, and longer ones by their second stem (config order kept in each list). */
interface Starts {
  readonly single: readonly Entry[];
  readonly bySecond: ReadonlyMap<number, readonly Entry[]> | null;
}

export interface KeywordModel {
  readonly config: KeywordsConfig;
  readonly categories: readonly string[];
  readonly analyser: Analyser;
  readonly entries: readonly Entry[];
  /**
   * The entries for scoring, by the vocabulary id of their first stem: the one-word entries, and the longer ones by
   * the id of their second stem (a word such as "не" starts a hundred phrases; only those whose second
   * word follows need a look).
   */
  readonly starts: readonly (Starts | undefined)[];
  /** "Is it about us?" (null when the config has no `target` section). */
  readonly target: TargetModel | null;
  /**
   * By vocabulary id of a first stem, the openers of a hypothetical (`HYPOTHETICAL_OPENERS`) that start with it, as
   * stems, and whether the stem is an "if" that opens advice with a verb of `adviceStems` ("if attachments fail to
   * upload, try the desktop site"): one lookup per word.
   */
  readonly openers: readonly (Opener | undefined)[];
  readonly adviceStems: ReadonlySet<string>;
}

/** The hypotheticals a stem opens: its phrases (as stems) and whether it is an "if" that may open advice. */
interface Opener {
  readonly phrases: readonly (readonly string[])[];
  readonly advice: boolean;
  /** A word of "before" (`BEFORE_WORDS`): the past tenses of its clause tell how things were. */
  readonly before?: boolean;
}

export interface KeywordCategoryScore {
  readonly name: string;
  /** Summed weight of matched terms and topics (0 when excluded). */
  readonly sum: number;
  /** Summed (positive) weight of matched problem terms only. */
  readonly termSum: number;
  readonly terms: readonly string[];
  readonly excludedBy: readonly string[];
}

export interface KeywordScore {
  /** Summed weight that makes the complaint score (before 1 − e^−x). */
  readonly raw: number;
  readonly score: number;
  readonly complaint: boolean;
  readonly gateSum: number;
  readonly gateTerms: readonly string[];
  /** Gate exclusions that matched (they zero the score). */
  readonly excludedBy: readonly string[];
  /** Terms that matched but were negated ("no *problems*"). */
  readonly negatedTerms: readonly string[];
  /** Every category, in config order. */
  readonly categories: readonly KeywordCategoryScore[];
  /** Summed weight of the generic cues (`cuesFile`) that matched, and which (`group: term`). */
  readonly cueSum: number;
  readonly cueTerms: readonly string[];
}

/**
 * Units of time (and the days they are counted from): a marker holding one ("for a week", "two hours",
 * "уже месяц", "второй день") tells how long, which is waiting talk only beside a problem ("not loading
 * for a week") — "I have used it for a week now" is none. Such a marker, and a one-word term met only as
 * a hashtag ("#fail", "#сбой", a topic label), adds its weight but makes no complaint on its own: some
 * other problem cue must match. A marker of when something began, how late it came or which day of it
 * this is (`ONSET_WORDS`: "since yesterday", "с утра", "hours later", "через час", "пятый день") still
 * counts alone.
 */
const DURATION_UNITS: readonly string[] = [
  'minute', 'minutes', 'hour', 'hours', 'day', 'days', 'week', 'weeks', 'month', 'months', 'year', 'years', 'morning', 'night', 'evening', 'afternoon', 'midnight', 'yesterday', 'today', 'lately', 'recently', 'these days',
  'минута', 'минуты', 'минут', 'час', 'часа', 'часов', 'полчаса', 'день', 'дня', 'дней', 'полдня', 'сутки', 'суток', 'неделя', 'неделю', 'недели', 'месяц', 'месяца', 'месяцев', 'год', 'года', 'лет', 'утро', 'утра', 'ночь', 'вечер', 'обеда', 'вчерашнего', 'вчера', 'сегодня', 'время',
];

/** Words of repetition: a marker holding one ("again", "every time", "опять", "снова") tells the problem came back. */
const REPETITION_WORDS: readonly string[] = ['again', 'every', 'each', 'keep', 'keeps', 'always', 'constantly', 'опять', 'снова', 'вновь', 'каждый', 'каждые', 'постоянно', 'всегда'];

const ONSET_WORDS: readonly string[] = ['since', 'ago', 'later', 'next', 'second', 'third', 'с', 'со', 'назад', 'спустя', 'через', 'следующий', 'второй', 'третий', 'четвертый', 'пятый', 'который', 'вторые', 'третьи'];

/** Compiles a validated keyword config into the runtime model. Pure; reuse the result. */
export function compileKeywords(config: KeywordsConfig): KeywordModel {
  const { settings } = config;
  /** `source` is what gets stemmed (`text` is what explanations show). */
  const phrases: Array<{ owner: number; kind: number; weight: number; text: string; source: string; support?: boolean }> = [];
  const add = (owner: number, kind: number, lists: { en: string[]; ru: string[] }, weights: Record<string, number>, dflt: number) => {
    for (const text of [...lists.en, ...lists.ru]) phrases.push({ owner, kind, weight: weights[text] ?? dflt, text, source: text });
  };
  add(0, KIND_TERM, config.gate.terms, config.gate.weights, 1);
  add(0, KIND_MARKER, config.gate.markers, config.gate.weights, 1);
  add(0, KIND_EXCLUSION, config.gate.exclusions, {}, 0);
  config.categories.forEach((category, c) => {
    add(c + 1, KIND_TERM, category.terms, category.weights, 1);
    add(c + 1, KIND_TOPIC, category.topics, category.weights, settings.topicWeight);
    add(c + 1, KIND_EXCLUSION, category.exclusions, {}, 0);
  });
  // Generic cues: one more owner after the categories; each term is shown as "group: term" (a negated
  // ability as "group: not term").
  const cueOwner = config.categories.length + 1;
  for (const group of config.cues?.groups ?? []) {
    const label = (lists: { en: string[]; ru: string[] }, kind: number) => {
      const prefix = kind === KIND_NEGATED ? `${group.name}: not ` : `${group.name}: `;
      for (const text of [...lists.en, ...lists.ru]) phrases.push({ owner: cueOwner, kind, weight: group.weights[text] ?? 1, text: `${prefix}${text}`, source: text, support: group.supportOnly });
    };
    label(group.terms, KIND_TERM);
    label(group.markers, KIND_MARKER);
    label(group.negated, KIND_NEGATED);
  }
  // First pass: stems of every phrase (with an empty vocabulary), to build the vocabulary.
  const plain = new Analyser({ vocabulary: [], negators: [], contrast: [], negationWindow: 0, typoMinLength: 1_000 });
  const stemmed = phrases.map((p) => plain.stemsOf(p.source));
  const formed = phrases.map((p) => plain.formsOf(p.source));
  const hypothetical = new Map<string, { phrases: string[][]; advice: boolean; before?: boolean }>();
  for (const phrase of HYPOTHETICAL_OPENERS) {
    const stems = plain.stemsOf(phrase);
    const first = stems[0];
    if (first === undefined) continue;
    const opener = hypothetical.get(first);
    if (opener) opener.phrases.push(stems);
    else hypothetical.set(first, { phrases: [stems], advice: false });
  }
  for (const stem of IF_WORDS.flatMap((w) => plain.stemsOf(w))) {
    const opener = hypothetical.get(stem);
    if (opener) opener.advice = true;
    else hypothetical.set(stem, { phrases: [], advice: true });
  }
  for (const stem of BEFORE_WORDS.flatMap((w) => plain.stemsOf(w))) {
    const opener = hypothetical.get(stem);
    if (opener) opener.before = true;
    else hypothetical.set(stem, { phrases: [], advice: false, before: true });
  }
  // Their first stems join the vocabulary, so a word is checked for an opener by its id, not by its stem.
  const analyser = new Analyser({
    vocabulary: [...stemmed.flat(), ...hypothetical.keys()],
    negators: [...settings.negators.en, ...settings.negators.ru],
    contrast: [...settings.contrast.en, ...settings.contrast.ru],
    negationWindow: settings.negationWindow,
    typoMinLength: settings.typoMinLength,
    realWords: [...settings.realWords.en, ...settings.realWords.ru],
    latinWords: config.target ? targetLatinWords(config.target) : [],
  });
  const negatorStems = [...settings.negators.en, ...settings.negators.ru].flatMap((w) => plain.stemsOf(w));
  const durationStems = new Set(DURATION_UNITS.flatMap((w) => plain.stemsOf(w)));
  const onsetStems = new Set(ONSET_WORDS.flatMap((w) => plain.stemsOf(w)));
  const repetitionStems = new Set(REPETITION_WORDS.flatMap((w) => plain.stemsOf(w)));
  const entries: Entry[] = [];
  const byFirst: Entry[][] = [];
  const seen = new Set<string>();
  phrases.forEach((p, i) => {
    const stems = stemmed[i] ?? [];
    if (stems.length === 0) return;
    const key = `${p.owner}|${p.kind}|${stems.join(' ')}`;
    if (seen.has(key)) return;
    // A cue equal to a gate term or marker is left to the gate (the product file's weight wins); so is a
    // negated ability the gate lists with its negator ("не работает" in the gate, "работать" as a cue).
    if (p.owner === cueOwner && (seen.has(`0|${KIND_TERM}|${stems.join(' ')}`) || seen.has(`0|${KIND_MARKER}|${stems.join(' ')}`))) return;
    if (p.kind === KIND_NEGATED && negatorStems.some((n) => seen.has(`0|${KIND_TERM}|${n} ${stems.join(' ')}`))) return;
    seen.add(key);
    const ids = stems.map((s) => analyser.vocabulary.get(s) ?? -1);
    // A cue that lowers the score (praise, a problem gone) is an idiom: a word put inside it changes what
    // it says ("всё работает" / "всё остальное работает", "works fine" / "works fine except"), so, as an
    // exclusion, it matches word after word.
    const consecutive = p.kind === KIND_EXCLUSION || (p.owner === cueOwner && p.weight < 0);
    const ownNegator = stems.length > 1 && stems.some((s) => negatorStems.includes(s));
    const wordForms = formed[i] ?? [];
    const forms = wordForms.some((f) => f !== 0) ? wordForms : null;
    // A verb of stopping denies as an open negator does: "перестало вылетать" takes the "перестало" back.
    const openNegator = (stems.length > 1 && negatorStems.includes(stems[stems.length - 1] as string)) || analyser.cessation.has(stems[stems.length - 1] as string);
    const supportOnly = p.support === true || (p.kind === KIND_MARKER && stems.some((s) => durationStems.has(s)) && !stems.some((s) => onsetStems.has(s)));
    const repetition = p.kind === KIND_MARKER && stems.some((s) => repetitionStems.has(s));
    const entry: Entry = { ids, owner: p.owner, kind: p.kind, weight: p.weight, text: p.text, index: entries.length, consecutive, ownNegator, forms, openNegator, supportOnly, repetition };
    entries.push(entry);
    const first = ids[0] ?? -1;
    (byFirst[first] ??= []).push(entry);
  });
  const starts = byFirst.map((list): Starts => {
    const single = list.filter((e) => e.ids.length === 1);
    let bySecond: Map<number, Entry[]> | null = null;
    for (const e of list) {
      if (e.ids.length === 1) continue;
      bySecond ??= new Map();
      const second = e.ids[1] as number;
      const same = bySecond.get(second);
      if (same) same.push(e);
      else bySecond.set(second, [e]);
    }
    return { single, bySecond };
  });
  const target = config.target ? compileTarget(config.target, analyser) : null;
  const adviceStems = new Set(ADVICE_VERBS.flatMap((w) => plain.stemsOf(w)));
  const openers: (Opener | undefined)[] = [];
  for (const [stem, opener] of hypothetical) openers[analyser.vocabulary.get(stem) as number] = opener;
  return { config, categories: config.categories.map((c) => c.name), analyser, entries, starts, target, openers, adviceStems };
}

/**
 * Matches the rest of `entry` (from its stem `from` on) after word `j`, where its stem `from − 1` was
 * found: true when each following stem comes within the phrase gap (its first occurrence taken).
 */
function matchesRest(entry: Entry, a: Analysis, j: number, from: number, gap: number): boolean {
  const { ids, clauseStart, forms } = a;
  const wordForms = entry.forms;
  for (let k = from; k < entry.ids.length; k++) {
    const want = entry.ids[k];
    let found = -1;
    for (let p = j + 1; p <= j + 1 + gap && p < ids.length; p++) {
      if (clauseStart[p]) break;
      if (ids[p] === want && (wordForms === null || formsAgree(wordForms[k] as number, forms[p] as number, entry.consecutive))) {
        found = p;
        break;
      }
    }
    if (found < 0) return false;
    j = found;
  }
  return true;
}

/**
 * How-to questions open with these (stems): "how do I…?", "where can I…?", "как отправить…?", "где найти…?",
 * "подскажите, как…?", "можно ли…?", "есть ли…?", "is there a way…?", "can I…?". In such a question a
 * category's problem word names what the writer wants to do ("как пожаловаться на фишинговое письмо?"),
 * so it counts as a topic: it picks the category but makes no complaint. Failure, error and frustration
 * cues of the gate and the cue file still count ("how do I fix this error?").
 */
const HOW_TO_FIRST: ReadonlySet<string> = new Set(['how', 'как', 'подскаж']);
/** Two- and three-word openers; "where" only asking where to find a thing ("где мои письма?" misses them). */
const HOW_TO_PAIRS: ReadonlySet<string> = new Set(['можн ли', 'ест ли', 'is there', 'can i', 'could i', 'is it possibl', 'где найт', 'where can', 'where do i', 'where is the']);
/** How many words into a sentence its opener may stand ("Hi, how do I…", "Подскажите, пожалуйста, как…"). */
const HOW_TO_REACH = 4;

/** Per word, whether it is inside a how-to question sentence (null when the message has none). */
function howToWords(a: Analysis): boolean[] | null {
  const { stems, question, sentenceStart, clauseStart } = a;
  let out: boolean[] | null = null;
  const n = stems.length;
  for (let s = 0; s < n; s++) {
    if (!sentenceStart[s] || !question[s]) continue;
    let opens = false;
    for (let k = s; k < n && k < s + HOW_TO_REACH && (k === s || !sentenceStart[k]); k++) {
      if (k !== s && !clauseStart[k]) continue;
      const w = stems[k] as string;
      const next = stems[k + 1];
      const third = stems[k + 2];
      if (HOW_TO_FIRST.has(w) || (next !== undefined && (HOW_TO_PAIRS.has(`${w} ${next}`) || (third !== undefined && HOW_TO_PAIRS.has(`${w} ${next} ${third}`))))) {
        opens = true;
        break;
      }
    }
    if (!opens) continue;
    out ??= new Array<boolean>(n).fill(false);
    for (let k = s; k < n && (k === s || !sentenceStart[k]); k++) out[k] = true;
  }
  return out;
}

/**
 * Openers of a hypothetical: "in case the app crashes, …", "what if I lose my phone?", "if it ever goes
 * down …", "если вдруг приложение вылетит …", "что будет, если …". From the opener to the end of its
 * sentence the writer imagines a problem rather than reports one, so every problem cue there supports a
 * problem but makes none alone (a category's word also counts as a topic); a real problem elsewhere in the
 * message still makes the complaint. A plain "if" / "если" / "когда" opens no hypothetical: "if I attach
 * two files the send button does nothing" tells what happens every time.
 */
const HYPOTHETICAL_OPENERS: readonly string[] = [
  'in case', 'what if', 'what happens if', 'what would happen', 'if ever', 'if it ever', 'if you ever', 'imagine if', 'hypothetically',
  'если вдруг', 'а вдруг', 'что если', 'что будет если', 'что будет, если', 'на случай', 'в случае если', 'если когда-нибудь', 'если однажды', 'представьте, что',
];

/**
 * Advice: a sentence "if <a problem>, <do this>" — "if attachments fail to upload, try the desktop site",
 * "если вложения не загружаются, попробуйте полную версию" — tells others what to do about a problem, so
 * it counts as a hypothetical. Without the advice verb an "if" sentence tells what happens ("if I attach
 * two files the send button does nothing") and stays a report.
 */
const IF_WORDS: readonly string[] = ['if', 'если'];
const ADVICE_VERBS: readonly string[] = ['try', 'попробуйте', 'попробуй', 'use', 'используйте', 'check', 'проверьте', 'clear', 'очистите', 'restart', 'перезапустите', 'перезагрузите'];
/** How many words into a sentence its "if" may stand ("Tip: if …", "Совет: если …"). */
const ADVICE_REACH = 3;

/** Is word i (an "if") near the start of its sentence, followed in the same sentence, after a clause boundary, by an advice verb? */
function opensAdvice(model: KeywordModel, a: Analysis, i: number): boolean {
  const { stems, sentenceStart, clauseStart } = a;
  let start = i;
  while (start > 0 && !sentenceStart[start]) start--;
  if (i - start >= ADVICE_REACH) return false;
  let boundary = false;
  for (let k = i + 1; k < stems.length && !sentenceStart[k]; k++) {
    if (clauseStart[k]) boundary = true;
    if (boundary && model.adviceStems.has(stems[k] as string)) return true;
  }
  return false;
}

/**
 * A Russian "если" with an infinitive ("если не заходить в почту полгода, её удалят?", "если отправить
 * архив, …") names an action anyone might take, not one that happened: its clause (to the next clause
 * boundary) is hypothetical, while the main clause after it still reports ("если открыть вложение,
 * приложение вылетает" stays a complaint).
 */
function opensCondition(a: Analysis, i: number): boolean {
  const { forms, clauseStart, stems } = a;
  let k = i + 1;
  if (k < stems.length && NEGATOR_BEFORE_INFINITIVE.has(stems[k] as string) && !clauseStart[k]) k++;
  return k < stems.length && !clauseStart[k] && ((forms[k] as number) & FORM_INFINITIVE) !== 0;
}
/**
 * Russian words of "before": a past tense in their clause tells how things were, often to contrast with
 * now ("раньше приложение вылетало, но с последней версией всё стабильно"), so a problem cue there supports
 * a problem but makes none alone; the present in the same clause and any other clause still report
 * ("раньше всё работало, а теперь не грузится").
 */
const BEFORE_WORDS: readonly string[] = ['раньше', 'прежде', 'когда-то'];
const NEGATOR_BEFORE_INFINITIVE: ReadonlySet<string> = new Set(['не']);

/** Per word, whether it is inside a hypothetical (`HYPOTHETICAL_OPENERS`) or advice (null when the message has none). */
function hypotheticalWords(model: KeywordModel, a: Analysis): boolean[] | null {
  const { stems, ids, sentenceStart, clauseStart } = a;
  const n = stems.length;
  let out: boolean[] | null = null;
  for (let i = 0; i < n; i++) {
    const id = ids[i] as number;
    const opener = id < 0 ? undefined : model.openers[id];
    if (opener === undefined) continue;
    const opens = opener.phrases.some((o) => o.every((s, k) => stems[i + k] === s && (k === 0 || !sentenceStart[i + k]))) || (opener.advice && opensAdvice(model, a, i));
    // A hypothetical or advice runs to the sentence's end; a Russian "если" with an infinitive to its clause's end.
    if (opens || (opener.advice && asksCondition(a, i))) out = markFrom(out, n, i, sentenceStart);
    else if (opener.advice && opensCondition(a, i)) out = markFrom(out, n, i, clauseStart);
    // The clause around a word of "before": its past-tense words tell how things were.
    if (!opens && opener.before) out = markPastOfClause(out, a, i);
  }
  // "…? или просто молча теряет?": a question opened by "or" is the other half of the hypothetical question before it.
  if (out !== null) for (let k = 1; k < n; k++) if (sentenceStart[k] && a.question[k] && OR_WORDS.has(stems[k] as string) && out[k - 1]) out = markFrom(out, n, k, sentenceStart);
  return out;
}

/**
 * A Russian question that opens with "если" asks what would happen, or what to do, in a case the writer
 * imagines: "Если письмо не доставлено, скаймейл присылает уведомление?", "а что делать, если забыл
 * пароль?" (`CONDITION_QUESTION_OPENERS` may stand before it). After any other word the "если" tells what
 * happens each time ("почему, если прикрепить файл, письмо не уходит?"). English is left alone: its "if"
 * questions on the public complaints corpus are reports as often ("why does it fail if…").
 */
function asksCondition(a: Analysis, i: number): boolean {
  const { sentenceStart, question, stems } = a;
  if (!question[i] || !isCyrillic(stems[i] as string)) return false;
  for (let k = i; !sentenceStart[k]; k--) if (!CONDITION_QUESTION_OPENERS.has(stems[k - 1] as string)) return false;
  return true;
}
/** Words that may open a question before its "если" (stems): "а", "и", "но", "что делать", "как быть", "подскажите", "скажите", "пожалуйста". */
const CONDITION_QUESTION_OPENERS: ReadonlySet<string> = new Set(['а', 'и', 'но', 'что', 'дела', 'как', 'быт', 'подскаж', 'скаж', 'пожалуйст']);
/** "or" (stems: the stemmer cuts "или" to "ил"). */
const OR_WORDS: ReadonlySet<string> = new Set(['ил', 'or']);

/** `out` (made on first use) with the words from `i` to the end of its span marked; a span ends before the next `starts`. */
function markFrom(out: boolean[] | null, n: number, i: number, starts: readonly boolean[]): boolean[] {
  const marks = out ?? new Array<boolean>(n).fill(false);
  for (let k = i; k < n && (k === i || !starts[k]); k++) marks[k] = true;
  return marks;
}

/** `out` with the past-tense words of the clause around word `i` marked (made only when there is one). */
function markPastOfClause(out: boolean[] | null, a: Analysis, i: number): boolean[] | null {
  const { clauseStart, forms } = a;
  const n = a.stems.length;
  let start = i;
  while (start > 0 && !clauseStart[start]) start--;
  let marks = out;
  for (let k = start; k < n && (k === start || !clauseStart[k]); k++) {
    if (((forms[k] as number) & FORM_PAST) === 0) continue;
    marks ??= new Array<boolean>(n).fill(false);
    marks[k] = true;
  }
  return marks;
}

/** Is there a clause boundary after word `from` up to word `to` (inclusive)? */
function boundaryBetween(clauseStart: readonly boolean[], from: number, to: number): boolean {
  for (let k = from + 1; k <= to; k++) if (clauseStart[k]) return true;
  return false;
}

/** Where an entry matched at word i ends: its last stem's first occurrence after i within the phrase gaps. */
function lastWord(a: Analysis, i: number, entry: Entry, gap: number): number {
  const { ids } = a;
  let j = i;
  for (let k = 1; k < entry.ids.length; k++) {
    const want = entry.ids[k];
    const limit = entry.consecutive ? j + 1 : j + 1 + gap;
    let p = j + 1;
    while (p <= limit && p < ids.length && ids[p] !== want) p++;
    j = Math.min(p, ids.length - 1);
  }
  return j;
}

/** What a one-word term written as a hashtag counts for, relative to its weight. */
const HASHTAG_FACTOR = 0.5;

/** Scratch list of the entries matched at one word (scoring is synchronous; refilled per word). */
const matched: Entry[] = [];
/**
 * Sorts entries by config order in place: an insertion sort, as `found` holds a few entries (the
 * ones matching at one word), and `Array.prototype.sort` allocates a work copy on every call.
 */
function sortByIndex(entries: Entry[]): void {
  for (let i = 1; i < entries.length; i++) {
    const entry = entries[i] as Entry;
    let j = i - 1;
    for (; j >= 0 && (entries[j] as Entry).index > entry.index; j--) entries[j + 1] = entries[j] as Entry;
    entries[j + 1] = entry;
  }
}

/** Does `id` occur between word i and word p (exclusive)? Then the phrase's second stem was found there first. */
function earlierInWindow(ids: readonly number[], i: number, p: number, id: number): boolean {
  for (let q = i + 1; q < p; q++) if (ids[q] === id) return true;
  return false;
}

/** Per-model scratch space: a stamp per entry ("already counted in this message"). */
const scratch = new WeakMap<KeywordModel, { stamp: Int32Array; generation: number; sums: Float64Array; termSums: Float64Array }>();

const NO_STRINGS: readonly string[] = [];
const emptyScores = new WeakMap<KeywordModel, readonly KeywordCategoryScore[]>();

/** Scores one analysed message against the keyword model. */
export function scoreKeywords(model: KeywordModel, a: Analysis): KeywordScore {
  const { settings } = model.config;
  const owners = model.categories.length + 2;
  const cueOwner = owners - 1;
  let space = scratch.get(model);
  if (!space) {
    space = { stamp: new Int32Array(model.entries.length), generation: 0, sums: new Float64Array(owners), termSums: new Float64Array(owners) };
    scratch.set(model, space);
  }
  const generation = ++space.generation;
  const stamp = space.stamp;
  // Reused per call (scoring is synchronous; everything read from them is copied out below).
  const sums = space.sums.fill(0);
  const termSums = space.termSums.fill(0);
  // Per owner, allocated on its first match (most messages match few owners).
  let terms: Array<string[] | undefined> | null = null;
  let excluded: Array<string[] | undefined> | null = null;
  let negatedTerms: string[] | null = null;
  let negatedProblem = false;
  /** The last positive cue ending with its negator ("больше не", "still not"), where it ended, and what it added. */
  let negCue: Entry | null = null;
  let negCueEnd = -1;
  let negCueWeight = 0;
  let positiveGate = 0;
  /** Problem weight from anything but markers of time: those beside a negated problem word only ("not one crash since the update") support nothing. */
  let beyondMarkers = 0;
  /** One past the last word of the longest positive cue phrase matched so far (a gate exclusion inside it does not cancel). */
  let cueEnd = 0;
  const { ids, negated, hashtag, clauseStart, forms } = a;
  const n = ids.length;
  const gap = settings.phraseGap;
  const found = matched;
  const howTo = a.question.includes(true) ? howToWords(a) : null;
  /** Words inside a hypothetical or advice: found at the first cue that needs it (most messages match none). */
  let imagined: boolean[] | null | undefined;
  for (let i = 0; i < n; i++) {
    const id = ids[i] as number;
    if (id < 0) continue;
    const starts = model.starts[id];
    if (starts === undefined) continue;
    // The entries that match at word i, in config order: the one-word ones, and the longer ones whose
    // second stem comes within the phrase gap (its first occurrence; a consecutive one's right after).
    let list = starts.single;
    const bySecond = starts.bySecond;
    if (bySecond !== null) {
      found.length = 0;
      for (let p = i + 1; p <= i + 1 + gap && p < n; p++) {
        if (clauseStart[p]) break;
        const second = ids[p] as number;
        const longer = second < 0 ? undefined : bySecond.get(second);
        if (longer === undefined || earlierInWindow(ids, i, p, second)) continue;
        for (const entry of longer) {
          const f = entry.forms;
          if (f !== null && !(formsAgree(f[0] as number, forms[i] as number, entry.consecutive) && formsAgree(f[1] as number, forms[p] as number, entry.consecutive))) continue;
          if (entry.consecutive ? p === i + 1 && matchesRest(entry, a, p, 2, 0) : matchesRest(entry, a, p, 2, gap)) found.push(entry);
        }
      }
      if (found.length > 0) {
        for (const entry of list) found.push(entry);
        if (found.length > 1) sortByIndex(found);
        list = found;
      }
    }
    for (const entry of list) {
      if (stamp[entry.index] === generation) continue;
      // A one-word entry's form (longer ones were checked as they matched): "верните" is not "верные".
      if (entry.forms !== null && entry.ids.length === 1 && !formsAgree(entry.forms[0] as number, forms[i] as number, entry.consecutive)) continue;
      if (entry.kind === KIND_EXCLUSION) {
        // A problem-gone phrase does not cancel when negated ("так и не заработало", "still not working
        // again") or when it is the tail of a longer complaint cue that started before it ("когда
        // заработает": the stemmer folds the future into "заработало").
        if ((negated[i] && !entry.ownNegator) || i < cueEnd) continue;
        stamp[entry.index] = generation;
        excluded ??= new Array<string[] | undefined>(owners);
        (excluded[entry.owner] ??= []).push(entry.text);
        continue;
      }
      if (entry.kind === KIND_TERM && negated[i] && !entry.ownNegator) {
        (negatedTerms ??= []).push(entry.text);
        if (entry.weight > 0) {
          negatedProblem = true;
          // "больше не вылетает", "still not crashing": the negator the cue ends with denies a problem right
          // after it, so it tells of a problem gone, not of an ability lost — the cue is taken back.
          if (negCue !== null && i > negCueEnd && i - negCueEnd <= 2 && !boundaryBetween(clauseStart, negCueEnd, i)) {
            sums[negCue.owner] = (sums[negCue.owner] as number) - negCueWeight;
            termSums[negCue.owner] = (termSums[negCue.owner] as number) - negCueWeight;
            if (negCue.owner === 0) positiveGate -= negCueWeight;
            const list = terms?.[negCue.owner];
            const at = list ? list.lastIndexOf(negCue.text) : -1;
            if (list && at >= 0) list.splice(at, 1);
            negCue = null;
          }
        }
        continue;
      }
      // A negated ability counts inside a negation scope, unless a problem word was negated before it
      // ("no problems logging in": the negator belongs to "problems"; a negated question or praise word
      // such as "какой" in "без какой-либо связи" does not take the negator).
      if (entry.kind === KIND_NEGATED && (!negated[i] || negatedProblem)) continue;
      stamp[entry.index] = generation;
      if (entry.owner === cueOwner && entry.weight > 0 && entry.ids.length > 1) cueEnd = Math.max(cueEnd, i + entry.ids.length);
      // A one-word term met only as a hashtag counts half ("… inbox zero 🎉 #fail"): tags are topic
      // labels, and a brand search finds them on anyone's words.
      let weight = hashtag[i] && entry.ids.length === 1 ? entry.weight * HASHTAG_FACTOR : entry.weight;
      // A category's problem word inside a how-to question names what the writer wants to do: a topic.
      if (imagined === undefined) imagined = hypotheticalWords(model, a);
      const hypothetical = imagined !== null && imagined[i] === true;
      const asTopic = ((howTo !== null && howTo[i] === true) || hypothetical) && entry.kind === KIND_TERM && entry.owner > 0 && entry.owner < cueOwner && weight > 0;
      if (asTopic) weight = Math.min(weight, settings.topicWeight);
      if (entry.openNegator && weight > 0 && (entry.kind === KIND_TERM || entry.kind === KIND_MARKER)) {
        negCue = entry;
        negCueEnd = lastWord(a, i, entry, gap);
        negCueWeight = weight;
      }
      sums[entry.owner] = (sums[entry.owner] as number) + weight;
      // A duration, a supportOnly group's cue, or a one-word term met only as a hashtag, supports a problem but is none by itself.
      const notAlone = entry.supportOnly || hypothetical || (hashtag[i] === true && entry.ids.length === 1);
      if ((entry.kind === KIND_TERM || entry.kind === KIND_MARKER || entry.kind === KIND_NEGATED) && weight > 0 && !asTopic && !notAlone) {
        termSums[entry.owner] = (termSums[entry.owner] as number) + weight;
        if (entry.owner === 0) positiveGate += weight;
        if (entry.kind !== KIND_MARKER || entry.repetition) beyondMarkers += weight;
      }
      terms ??= new Array<string[] | undefined>(owners);
      (terms[entry.owner] ??= []).push(entry.text);
    }
  }
  let empty = emptyScores.get(model);
  if (!empty) {
    empty = model.categories.map((name) => ({ name, sum: 0, termSum: 0, terms: NO_STRINGS, excludedBy: NO_STRINGS }));
    emptyScores.set(model, empty);
  }
  const none = empty;
  const names = model.categories;
  const categories: KeywordCategoryScore[] = new Array<KeywordCategoryScore>(names.length);
  for (let c = 0; c < names.length; c++) {
    const matched = terms?.[c + 1];
    const excludedBy = excluded?.[c + 1] ?? NO_STRINGS;
    // Most categories match nothing in most messages: share one frozen "nothing" score for them.
    if (sums[c + 1] === 0 && matched === undefined && excludedBy.length === 0) {
      categories[c] = none[c] as KeywordCategoryScore;
      continue;
    }
    const isExcluded = excludedBy.length > 0;
    categories[c] = {
      name: names[c] as string,
      sum: isExcluded ? 0 : (sums[c + 1] as number),
      termSum: isExcluded ? 0 : (termSums[c + 1] as number),
      terms: isExcluded ? NO_STRINGS : (matched ?? NO_STRINGS),
      excludedBy,
    };
  }
  const gateSum = sums[0] as number;
  const cueSum = sums[cueOwner] as number;
  let problem = positiveGate + (termSums[cueOwner] as number);
  let best = 0;
  for (const c of categories) {
    problem += c.termSum;
    if (c.sum > best) best = c.sum;
  }
  // A marker of time tells how long or since when a problem lasts; when the one problem word of the message
  // is negated ("not one crash since the update", "ни разу не вылетело после обновления") there is no
  // problem for it to last. A marker of repetition still counts ("not slow again": it is slow again).
  if (negatedProblem && beyondMarkers === 0) problem = 0;
  const excludedBy = excluded?.[0] ?? NO_STRINGS;
  const raw = excludedBy.length > 0 || problem === 0 ? 0 : Math.max(0, gateSum + cueSum + best);
  const score = 1 - Math.exp(-raw);
  return {
    raw,
    score,
    complaint: score >= settings.complaintThreshold,
    gateSum,
    gateTerms: terms?.[0] ?? NO_STRINGS,
    excludedBy,
    negatedTerms: negatedTerms ?? NO_STRINGS,
    categories,
    cueSum,
    cueTerms: terms?.[cueOwner] ?? NO_STRINGS,
  };
}
