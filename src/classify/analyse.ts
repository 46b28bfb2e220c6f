/**
 * Turns a message into the analysis both layers read: per word its stem, its id in the keyword
 * vocabulary (after typo tolerance), whether it is negated, and clause boundaries.
 */
import type { Lang } from '../domain/message.js';
import { deletions, withinOneEdit } from './edit-distance.js';
import { detectLang, isCyrillic } from './language.js';
import { fromTranslit, isTranslit } from './translit.js';
import { normaliseText } from './normalise.js';
import { sharedStemCache, type StemCache } from './stem.js';
import { isEmoji, scanTokens, tokenise, type TokenVisitor } from './tokenise.js';
import { hashOf, WordTable } from './word-table.js';
import { FORM_INFINITIVE, FORM_PAST, FORM_PRESENT, wordForm } from './word-form.js';

export interface Analysis {
  readonly lang: Lang | null;
  /** Stems (emoji stay as they are), in order. */
  readonly stems: readonly string[];
  /** Vocabulary id per word (−1 when the word is not in the keyword config). */
  readonly ids: readonly number[];
  /** True for a word inside a negation scope ("no *problems* logging in"). */
  readonly negated: readonly boolean[];
  /** True when a clause boundary precedes the word. */
  readonly clauseStart: readonly boolean[];
  /** True for a word written as a hashtag ("#сбой"): a topic label, often added to someone else's words. */
  readonly hashtag: readonly boolean[];
  /** Per word, true when its sentence ends with a question mark ("как отправить большой файл?"). */
  readonly question: readonly boolean[];
  /** Per word, true when it starts a sentence (after . ! ? … or a new line, or the first word). */
  readonly sentenceStart: readonly boolean[];
  /** Per word, what its ending says of its form (`word-form.ts`: past, verb, adjective, English "-s"). */
  readonly forms: readonly number[];
  /** Per word, a memo slot a consumer may use (the learned layer's gate keeps its per-stem weights there). */
  readonly memos: readonly WordMemo[];
}

/**
 * One memo slot per known word, for the one consumer that last claimed it (`owner`): saves that
 * consumer a map lookup per word. Consumers check `owner` before trusting `value`.
 */
export interface WordMemo {
  owner: unknown;
  value: unknown;
  /** The same for the "is it about us?" model (its phrase list and near match for this word's stem). */
  targetOwner: unknown;
  target: unknown;
}

interface WordInfo extends WordMemo {
  readonly stem: string;
  readonly id: number;
  readonly negator: boolean;
  readonly contrast: boolean;
  readonly emoji: boolean;
  readonly form: number;
}

export interface AnalyserOptions {
  /** Stems of the keyword config; each gets an id. */
  readonly vocabulary: readonly string[];
  readonly negators: readonly string[];
  readonly contrast: readonly string[];
  readonly negationWindow: number;
  /** Stems at least this long resolve to a vocabulary stem one edit away. */
  readonly typoMinLength: number;
  /** Real words one edit away from a vocabulary word: typo tolerance leaves them as written ("переслала" is not "перестала"). */
  readonly realWords?: readonly string[];
  readonly stemCache?: StemCache;
  /** Bound of the word → info memo. */
  readonly maxCachedWords?: number;
  /** Lower-case Latin words kept as written when a message in Latin letters is read as Russian (`translit.ts`). */
  readonly latinWords?: readonly string[];
}

const LETTERS = /^\p{L}+$/u;
const DIGITS = /^[0-9]+$/;

/**
 * The stem every number gets, in messages and in config phrases alike: "stuck at 90", "по 10 секунд"
 * in the config match any number ("stuck at 75%", "по 30 секунд").
 */
export const NUMBER_STEM = '0';

/**
 * Typo tolerance leaves the first letters alone: prefixes make real, different words one edit apart
 * ("проходит" / "приходит", "выход" / "вход"), while typos mostly fall later in a word.
 */
const TYPO_FIXED_PREFIX = 3;
const RU_VOWELS = 'аеиоуыэюя';
/**
 * A Russian verb's prefix is often three letters and the root starts right after it ("под-вис" /
 * "под-пис", "при-ход" / "при-вод"): a consonant changed there makes another real word, not a typo. An
 * unstressed vowel confused there ("катострофа") or two letters swapped ("интренет") is still a typo.
 */
function typoAtRootStartOk(stem: string, candidate: string): boolean {
  const a = stem[TYPO_FIXED_PREFIX];
  const b = candidate[TYPO_FIXED_PREFIX];
  if (a === b || a === undefined || b === undefined) return true;
  if (stem.length === candidate.length && RU_VOWELS.includes(a) && RU_VOWELS.includes(b) && stem.slice(TYPO_FIXED_PREFIX + 1) === candidate.slice(TYPO_FIXED_PREFIX + 1)) return true;
  return stem[TYPO_FIXED_PREFIX + 1] === b && candidate[TYPO_FIXED_PREFIX + 1] === a && stem.slice(TYPO_FIXED_PREFIX + 2) === candidate.slice(TYPO_FIXED_PREFIX + 2);
}
/** The negator that also follows what it denies ("проблем нет"). */
const POSTPOSED_NEGATOR = 'нет';

/**
 * Russian "ни" denies with a word of "none" after it: "ни одного сбоя", "ни разу", "ни единой ошибки",
 * "ни малейшей задержки" — that word opens a negation scope as a negator does. Alone "ни" negates
 * nothing ("ни с того ни с сего вылетает", "скаймейл ни при чём").
 */
const NONE_PARTICLE = 'ни';
const NONE_WORDS: readonly string[] = ['один', 'одна', 'одно', 'одного', 'одной', 'одну', 'разу', 'единого', 'единой', 'единую', 'единый', 'малейшего', 'малейшей', 'малейшую'];

/**
 * Russian verbs of stopping: in the past or present, with an infinitive after them, they deny it as "не"
 * does — "перестало вылетать" is "больше не вылетает" (a problem gone), "перестал работать" is "не работает"
 * (an ability lost). Their future and infinitive hope or ask ("когда перестанет тормозить?", "должна
 * перестать тормозить"): the problem stands.
 */
const CESSATION_WORDS: readonly string[] = ['перестал', 'перестала', 'перестало', 'перестали', 'перестает', 'перестают'];
const CESSATION_FORMS = FORM_PAST | FORM_PRESENT;

export class Analyser implements TokenVisitor {
  readonly vocabulary: ReadonlyMap<string, number>;
  private readonly typoIndex = new Map<string, number[]>();
  private readonly vocabList: readonly string[];
  private readonly negators: ReadonlySet<string>;
  private readonly contrast: ReadonlySet<string>;
  private readonly noneWords: ReadonlySet<string>;
  /** Stems of the verbs of stopping (`CESSATION_WORDS`): in the past or present they negate the infinitive right after them. */
  readonly cessation: ReadonlySet<string>;
  private readonly words: WordTable<WordInfo>;
  private readonly stemCache: StemCache;
  private readonly maxWords: number;
  private readonly latinWords: ReadonlySet<string>;
  /** Stems of `options.realWords`: a word written with one of them is that word, never a typo of another. */
  private readonly realStems: ReadonlySet<string>;

  constructor(readonly options: AnalyserOptions) {
    this.latinWords = new Set(options.latinWords ?? []);
    this.stemCache = options.stemCache ?? sharedStemCache;
    this.maxWords = options.maxCachedWords ?? 50_000;
    this.words = new WordTable(this.maxWords);
    const vocab = new Map<string, number>();
    for (const stem of options.vocabulary) if (!vocab.has(stem)) vocab.set(stem, vocab.size);
    this.vocabulary = vocab;
    this.vocabList = [...vocab.keys()];
    for (const [stem, id] of vocab) {
      if (stem.length < options.typoMinLength || !LETTERS.test(stem)) continue;
      for (const d of deletions(stem)) {
        const list = this.typoIndex.get(d);
        if (list) list.push(id);
        else this.typoIndex.set(d, [id]);
      }
    }
    this.negators = new Set(options.negators.map((w) => this.stemCache.stem(w.toLowerCase())));
    this.contrast = new Set(options.contrast.map((w) => this.stemCache.stem(w.toLowerCase())));
    this.noneWords = new Set(NONE_WORDS.map((w) => this.stemCache.stem(w)));
    this.cessation = new Set(CESSATION_WORDS.map((w) => this.stemCache.stem(w)));
    this.realStems = new Set((options.realWords ?? []).map((w) => this.stemCache.stem(w.toLowerCase())));
  }

  /** Stems of a config term or phrase, tokenised and normalised exactly as messages are. */
  stemsOf(phrase: string): string[] {
    return tokenise(normaliseText(phrase)).words.map((w) => this.stemOf(w));
  }

  /** Form bits of each word of a config phrase (`word-form.ts`), in the order of `stemsOf`. */
  formsOf(phrase: string): number[] {
    return tokenise(normaliseText(phrase)).words.map((w) => wordForm(w, this.stemOf(w)));
  }

  private stemOf(word: string): string {
    const first = word.charCodeAt(0);
    return first >= 0x30 && first <= 0x39 && DIGITS.test(word) ? NUMBER_STEM : this.stemCache.stem(word);
  }

  /** What is known of the word text[start, end) (computed and remembered on its first sight). */
  private info(text: string, start: number, end: number): WordInfo {
    const hash = hashOf(text, start, end);
    const known = this.words.get(text, start, end, hash);
    if (known !== undefined) return known;
    const word = start === 0 && end === text.length ? text : text.slice(start, end);
    const stem = this.stemOf(word);
    let id = this.vocabulary.get(stem) ?? -1;
    if (id < 0 && stem.length >= this.options.typoMinLength && !this.realStems.has(stem)) id = this.typo(stem);
    const info: WordInfo = { stem, id, negator: this.negators.has(stem), contrast: this.contrast.has(stem), emoji: isEmoji(word), form: wordForm(word, stem), owner: null, value: null, targetOwner: null, target: null };
    this.words.set(word, hash, info);
    return info;
  }

  private typo(stem: string): number {
    for (const d of deletions(stem)) {
      const ids = this.typoIndex.get(d);
      if (!ids) continue;
      for (const id of ids) {
        const candidate = this.vocabList[id];
        if (candidate !== undefined && candidate.startsWith(stem.slice(0, TYPO_FIXED_PREFIX)) && withinOneEdit(stem, candidate) && (!isCyrillic(stem) || typoAtRootStartOk(stem, candidate))) return id;
      }
    }
    return -1;
  }

  // The message being analysed (analyse() is synchronous: one at a time per analyser).
  private stems: string[] = [];
  private ids: number[] = [];
  private negated: boolean[] = [];
  private clauseStart: boolean[] = [];
  private hashtag: boolean[] = [];
  private memos: WordMemo[] = [];
  private forms: number[] = [];
  private question: boolean[] = [];
  private sentenceStart: boolean[] = [];
  private sentenceFirst = 0;
  private scope = 0;
  private previousNegator = false;

  analyse(text: string, lang?: Lang | null): Analysis {
    const stems: string[] = (this.stems = []);
    const ids: number[] = (this.ids = []);
    const negated: boolean[] = (this.negated = []);
    const clauseStart: boolean[] = (this.clauseStart = []);
    const hashtag: boolean[] = (this.hashtag = []);
    const memos: WordMemo[] = (this.memos = []);
    const forms: number[] = (this.forms = []);
    const question: boolean[] = (this.question = []);
    const sentenceStart: boolean[] = (this.sentenceStart = []);
    this.sentenceFirst = 0;
    this.scope = 0;
    this.previousNegator = false;
    // Russian typed in Latin letters is read as the Russian it is (`translit.ts`).
    const translit = isTranslit(text);
    if (translit) text = fromTranslit(text, this.latinWords);
    scanTokens(normaliseText(text), this);
    return { lang: translit ? 'ru' : (lang ?? detectLang(text)), stems, ids, negated, clauseStart, hashtag, forms, question, sentenceStart, memos };
  }

  /** TokenVisitor: one word of the message being analysed. */
  word(normalised: string, start: number, end: number, boundary: boolean): void {
    this.hashtag.push(start > 0 && normalised.charCodeAt(start - 1) === 0x23);
    this.add(this.info(normalised, start, end), boundary);
  }

  /** TokenVisitor: a boundary; "?" makes its sentence a question, sentence punctuation ends it. */
  boundary(c: number): void {
    const n = this.stems.length;
    if (c === 0x3f) for (let k = this.sentenceFirst; k < n; k++) this.question[k] = true;
    if (c === 0x2e || c === 0x21 || c === 0x3f || c === 0x0a || c === 0x2026) this.sentenceFirst = n;
  }

  /** TokenVisitor: one emoji of the message being analysed. */
  emoji(token: string, boundary: boolean): void {
    this.hashtag.push(false);
    this.add(this.info(token, 0, token.length), boundary);
  }

  private add(info: WordInfo, boundary: boolean): void {
    // Russian denies existence after the noun: "жалоб нет", "проблем нет", "ответа нет" — the word before
    // a postposed "нет" in its clause is negated too.
    const last = this.negated.length - 1;
    if (info.stem === POSTPOSED_NEGATOR && !boundary && last >= 0 && !this.previousNegator) this.negated[last] = true;
    this.previousNegator = info.negator;
    this.sentenceStart.push(this.stems.length === this.sentenceFirst);
    this.question.push(false);
    this.stems.push(info.stem);
    this.memos.push(info);
    this.forms.push(info.form);
    this.ids.push(info.id);
    this.clauseStart.push(boundary);
    if (boundary || info.contrast) this.scope = 0;
    // "перестало вылетать": a verb of stopping denies the infinitive after it.
    const stopped = !boundary && last >= 0 && (info.form & FORM_INFINITIVE) !== 0 && ((this.forms[last] as number) & CESSATION_FORMS) !== 0 && this.cessation.has(this.stems[last] as string);
    this.negated.push((this.scope > 0 || stopped) && !info.emoji);
    if (this.scope > 0) this.scope--;
    if (info.negator || (!boundary && last >= 0 && this.stems[last] === NONE_PARTICLE && this.noneWords.has(info.stem))) this.scope = this.options.negationWindow;
  }
}
