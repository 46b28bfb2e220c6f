/**
 * "Is it about us?": the target model. From the keyword config's `target` section (the service's names,
 * accounts, domains, product words, competitors and other services) it decides whether a message is
 * about our service, about something else, or cannot tell. Pure.
 *
 * Decision, in order:
 * 1. on our own channels (support mailbox, report form): `other` when another service is named and
 *    nothing of ours (a greeting "Hello Skymail team" or a tag "#skymail" says nothing), else `us`;
 * 2. elsewhere, our name (also a word that starts with it, or one typo away), account or domain → `us`;
 *    a name only in a hashtag ("#skymail", which brand searches find on anyone's tweet) counts half, as
 *    product words do;
 * 3. another service or a competitor named (one typo tolerated on words of 6+ letters) → `other` when
 *    it outweighs our evidence, else `us`. Named as the sender or recipient of mail ("statements from my
 *    bank", "can't send to gmail addresses", "коды от госуслуг") it is mail passing through us: half a
 *    product word, not evidence against us; so is a service the writer signs in to us with ("вход через вк",
 *    "sign in with google");
 *    A device of the writer's ("laptop", "phone", "роутер") counts as another thing only when no mention of
 *    it is the writer's setting: named after a preposition of place or means within the clause ("on my
 *    laptop", "from the office computer", "с домашнего компьютера", "на ноутбуке", "по вайфаю": where the
 *    writer reads us, which says nothing about whom the complaint is about; "с" only across adjectives, as
 *    "с воскресенья" says since when), after what the writer tried ("restarted the router", "перезагрузил
 *    телефон"), said to be fine or at hand ("internet is fine", "интернет в порядке", "телефон рядом"),
 *    ruled out ("the laptop isn't the problem"), given a model ("iphone 14", "телефон Honor 50"), the
 *    messenger of what it shows ("my phone says…", "телефон пишет…"), or an account detail ("phone number",
 *    "recovery phone", "confirm my phone", "номер телефона"); and no device (an OS update is one) counts when
 *    the message names an app or site of no owner ("after the iOS update the app crashes", "айфон
 *    приложение"): the app runs on the writer's device, which is then only the setting (a site of a named
 *    owner, "на сайте турагентства", is no such app, on our own channels too);
 *    A site or app named by what it is for ("the train booking site", "the city parking app", "their
 *    app", "сайт налоговой", "приложение доставки", "банковское приложение") is another service's, whatever
 *    the list knows: a word before the English one, or a genitive after (an adjective before) the Russian
 *    one, that is none of ours and no generic modifier ("the new app", "мобильное приложение", "приложение
 *    снова") counts as another service, off our own channels (mail to our support about "the widget app" is ours);
 *    A failure placed with a third party, "у них" ("вк снова не грузит, что у них там"), counts as another
 *    service named (our product words beside it still keep the message ours);
 * 4. product words only → `us`; nothing at all → `unknown`.
 * Phrases match consecutive stems, longest first, so "почта россии" (another service) is not read as
 * "почта" (our product word).
 *
 * @example decideTarget(model, 'госуслуги опять не работают', analysis, 'twitter') // → { about: 'other', terms: ['госуслуги'] }
 */
import type { TargetDecision } from '../domain/classification.js';
import type { KeywordsConfig } from '../config/keywords.js';
import { NUMBER_STEM, type Analyser, type Analysis } from './analyse.js';
import { withinOneEdit } from './edit-distance.js';
import { latinWords } from './translit.js';
import { FORM_ADJ, FORM_GEN, FORM_PAST, FORM_PLURAL, FORM_S, FORM_VERB } from './word-form.js';

const KIND_NAME = 0;
const KIND_PRODUCT = 1;
const KIND_OTHER = 2;
/** The writer's own device: another thing, unless named as where the writer reads us. */
const KIND_DEVICE = 3;

interface Phrase {
  readonly stems: readonly string[];
  readonly kind: number;
  readonly text: string;
}

export interface TargetModel {
  /** Phrases by their first stem, longest first. */
  readonly byFirst: ReadonlyMap<string, readonly Phrase[]>;
  /** Single-word names of 6+ letters, for prefix and typo matching. */
  readonly longNames: readonly string[];
  /** Single-word other services, competitors and devices of 6+ letters, for typo matching. */
  readonly longOthers: readonly string[];
  /** Single-word product words of 5+ letters (a misspelt "пиьсма" still carries mail). */
  readonly longProducts: readonly string[];
  /** Which of `longOthers` are devices. */
  readonly longDevices: ReadonlySet<string>;
  readonly analyser: Analyser;
  /** Accounts and domains, matched in the raw text (null when none). */
  readonly raw: RegExp | null;
  readonly ownChannels: ReadonlySet<string>;
  /** Per-stem memo of the prefix/typo name check. */
  readonly nameMemo: Map<string, readonly [number, string] | null>;
  /** Other mail services (`competitors`), as written and as the stem of a one-word name: their mail words are ours too. */
  readonly rivals: ReadonlySet<string>;
}

type TargetConfig = NonNullable<KeywordsConfig['target']>;

/** Words that make the next service a sender or recipient of mail (stems; short words are not stemmed). */
const FLOW: ReadonlySet<string> = new Set(['from', 'to', 'от', 'из']);
/**
 * What also makes another mail service a sender or recipient (stems): "на gmail", "на адреса gmail", "с
 * gmail", "gmail addresses" ("не уходят письма на адреса gmail", "письма с gmail не доходят"); said of a
 * bank or a site, "на" is only a place ("на госуслугах") and "с" only since when or with whom.
 */
const RIVAL_FLOW: ReadonlySet<string> = new Set(['на', 'с', 'со', 'адрес', 'address']);
/** Second-person possessives (stems): "your mail", "ваша почта", "ваш smtp". */
const YOUR: ReadonlySet<string> = new Set(['your', 'ваш']);
/** What services send by mail besides letters (stems): codes, statements, notifications, receipts, addresses. */
const MAIL_OBJECTS: ReadonlySet<string> = new Set([
  'code', 'statement', 'notif', 'notic', 'confirm', 'receipt', 'invoic', 'bill', 'messag', 'address', 'newslett', 'updat', 'alert', 'remind', 'ticket', 'send', 'sent', 'receiv', 'get', 'got', 'smtp', 'imap', 'pop3', 'file', 'document', 'pdf', 'excel', 'photo', 'invit', 'link',
  'код', 'коды', 'уведомлен', 'выписк', 'квитанц', 'чек', 'подтвержден', 'адрес', 'сообщен', 'рассылк', 'напоминан', 'счет', 'билет', 'приход', 'пришл', 'присыла', 'отправ', 'получ', 'получа', 'шлют', 'smtp', 'imap', 'файл', 'документ', 'таблиц', 'фот', 'фотограф', 'приглашен', 'ссылк', 'excel', 'pdf',
]);
/** Text messages (stems): what a service sends by them is not mail passing through us. */
const TEXT_MESSAGE: ReadonlySet<string> = new Set(['sm', 'sms', 'text', 'смс', 'смск', 'смски', 'смсок', 'эсэмэс']);
/**
 * Prepositions of place and means before a device: "on / from / with / at / in / via / for / over / to my
 * laptop", "на / с / со / из / через / в / для / по …" (stems; short words are not stemmed).
 */
const PLACE: ReadonlySet<string> = new Set(['on', 'from', 'with', 'at', 'in', 'via', 'for', 'over', 'to', 'into', 'onto', 'на', 'с', 'со', 'из', 'через', 'в', 'во', 'для', 'по']);
/**
 * How many words before a device its preposition may stand ("from the office computer", "с домашнего
 * компьютера", "on both wifi and mobile data").
 */
const PLACE_WINDOW = 4;
/**
 * What the writer did to a device to rule it out (stems): "tried restarting the router", "перезагрузил
 * телефон" — the device is not what the complaint is about.
 */
const TRIED: ReadonlySet<string> = new Set(['restart', 'reboot', 'reset', 'turn', 'switch', 'unplug', 'перезагруз', 'перезагружа', 'перезапуст', 'выключ', 'включ', 'сброс']);
/** Prepositions that also say since when ("с утра", "со вторника"). */
const SINCE: ReadonlySet<string> = new Set(['с', 'со']);
/**
 * What says a device is fine or at hand (stems): "internet is fine", "интернет в порядке", "интернет
 * нормальный", "телефон рядом лежит".
 */
const FINE: ReadonlySet<string> = new Set(['fine', 'ok', 'okai', 'normal', 'stabl', 'besid', 'nearbi', 'норм', 'нормальн', 'порядк', 'стабильн', 'ряд']);
/** What a device does when it only shows what something else says (stems): "my phone says / shows / asks", "телефон пишет / показывает / просит". */
const SPEAKS: ReadonlySet<string> = new Set(['sai', 'show', 'ask', 'tell', 'displai', 'prompt', 'пишет', 'пиш', 'показыва', 'показал', 'прос', 'выда', 'говор', 'руга']);
/** What blames a device (stems): negated after it, the writer rules it out ("laptop isn't the problem", "роутер не виноват"). */
const CULPRIT: ReadonlySet<string> = new Set(['problem', 'issu', 'culprit', 'fault', 'проблем', 'виноват']);
/** How many words after a device its "fine" may stand ("the internet at home is fine"). */
const FINE_WINDOW = 4;
/**
 * Words that make a phone an account detail rather than a device (stems): "phone number", "recovery phone",
 * "confirm my phone", "номер телефона", "телефон для восстановления", "привязанный телефон". Said of our
 * account, they are no evidence of another thing.
 */
const ACCOUNT_DETAIL: ReadonlySet<string> = new Set(['number', 'recoveri', 'confirm', 'verifi', 'link', 'номер', 'восстановлен', 'подтвержден', 'подтверд', 'подтвержда', 'привяза', 'привязк']);
/** Possessives and determiners an account detail may stand behind ("confirm *my* phone", "сменил *свой* номер"). */
const DETAIL_SKIP: ReadonlySet<string> = new Set(['my', 'the', 'a', 'your', 'new', 'old', 'мой', 'мо', 'сво', 'ваш', 'нов', 'стар', 'для']);
const HASHTAG = /#([\p{L}\p{N}_]+)/gu;
/** Words that end names of other services of a kind (stems): banks, telecoms. */
const KIND_SUFFIXES: readonly string[] = ['bank', 'банк', 'telecom', 'телеком'];

/** What another service's site or app is called (stems; the plural "apps", "sites" is left alone: "other apps work"). */
const FRONTS_EN: ReadonlySet<string> = new Set(['app', 'site', 'websit', 'portal', 'applic', 'system']);
const FRONTS_RU: ReadonlySet<string> = new Set(['сайт', 'приложен', 'портал']);
/** Who answers for a service: someone else's only after a third-party possessive ("their support", "их поддержка"). */
const HELP_DESKS: ReadonlySet<string> = new Set(['support', 'servic', 'helpdesk', 'поддержк', 'служб', 'оператор']);
/** Words before a site or app that say whose it is only as a possessive's owner ("the store's website"): determiners and pronouns. */
const DETERMINERS: ReadonlySet<string> = new Set(['the', 'a', 'an', 'my', 'your', 'our', 'thi', 'that', 'it', 'its', 'his', 'her', 'ani', 'everi', 'each', 'some', 'which', 'what', 'whose', 'same', 'other', 'one', 'everyon', 'someon', 'anyon', 'nobodi', 'somebodi']);
/**
 * Words before an English site or app that say nothing of whose it is (determiners, our own possessives,
 * platforms, generic adjectives); "s" is the possessive's tail ("the airline's website" looks one further).
 */
const GENERIC_EN: ReadonlySet<string> = new Set([
  'the', 'a', 'an', 'my', 'your', 'our', 'thi', 'that', 'these', 'those', 'it', 'it s', 'its', 'his', 'her', 'ani', 'everi', 'each', 'no', 'some', 'which', 'what', 'whose', 'same', 'other', 'whole', 'entir',
  'new', 'old', 'latest', 'current', 'updat', 'offici', 'main', 'mobil', 'web', 'desktop', 'onlin', 'android', 'io', 'iphon', 'ipad', 'phone', 'tablet', 'mac', 'window', 'beta', 'lite', 'free', 'paid',
  'stupid', 'damn', 'freak', 'bloodi', 'useless', 'terribl', 'aw', 'horribl', 'broken', 'buggi', 'slow', 'on', 'in', 'to', 'from', 'of', 'with', 'via', 'through', 'for', 'at', 'by',
  'and', 'or', 'but', 'open', 'use', 'us', 'i', 'you', 'we', 'they', 'is', 'wa', 'be', 'love', 'hate', 'fix', 'restart', 'reinstal', 'instal', 'uninstal', 'delet', 'check', 'login', 'log', 'sign',
  // what a mail service's own site or app is called by its parts
  'support', 'help', 'set', 'feedback', 'store', 'calendar', 'contact', 'chat', 'messag', 'notif', 'secur', 'account', 'home', 'compani', 'status', 'privaci', 'test', 'redesign', 'authent', 'authenticator', 'widget', 'code', 'password', 'backup', 'sync', 'default', 'built', 'nativ', 'classic', 'basic', 'pro', 'premium', 'busi', 'person', 'work', 'school',
]);
/** Third-party possessives: "their app". */
const THIRD_PARTY: ReadonlySet<string> = new Set(['their', 'их']);
/**
 * Where the writer places a failure with a third party, "у них" ("вк снова не грузит, что у них там"):
 * the preposition and the pronoun (stems). Counts as another service named, so our product words beside
 * it ("почта опять лежит, что у них там") still keep the message ours. "у него / у неё" are left alone:
 * they are as often the writer's correspondent ("отправил коллеге, у него ничего не пришло").
 */
const AT_THEM: readonly [string, string] = ['у', 'них'];
/**
 * Words after (or, for adjectives, before) a Russian site or app that say nothing of whose it is: adverbs
 * and pronouns with a genitive-looking ending ("приложение снова", "сайт вашей почты"), generic adjectives.
 */
const GENERIC_RU: ReadonlySet<string> = new Set([
  // Pronouns and adverbs whose endings look like an adjective's ("поч-ему", "тог-о"): "почему сайт не грузится?" names no site's owner.
  'поч', 'пот', 'поэт', 'ком', 'чем~', 'ник', 'нич', 'всег', 'тог', 'то',
  'снов', 'вчер', 'всегд', 'иногд', 'никогд', 'когд', 'тогд', 'сегодн', 'куд', 'туд', 'сюд', 'нигд', 'везд', 'едв', 'сверх', 'чут', 'пок', 'спуст',
  'ваш', 'наш', 'мо', 'мое', 'мой', 'сво', 'тво', 'эт', 'этот', 'тот', 'котор', 'какой', 'как~', 'так~', 'весь', 'все', 'вс', 'сам~', 'люб', 'ничег', 'чег', 'нег', 'ег', 'е', 'мен', 'теб', 'нас', 'вас',
  'нов', 'стар', 'мобильн', 'официальн', 'основн', 'веб', 'десктопн', 'андроид', 'дурацк', 'долбан', 'любим', 'удобн', 'обновлен', 'почтов', 'полн', 'друг', 'одн', 'перв', 'втор', 'последн', 'текущ',
]);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The Latin words of the target section's phrases (names, products, competitors, other services, devices,
 * in any language list; and the accounts' names): kept as written when Russian typed in Latin letters is
 * read back into Cyrillic, as such names are written in Latin in Russian too ("skymail", "netflix").
 */
export function targetLatinWords(config: TargetConfig): string[] {
  const words = new Set<string>();
  const lists = [config.names, config.products, config.competitors, config.others, config.devices];
  const phrases = [...lists.flatMap((l) => (l ? [...(l.en ?? []), ...(l.ru ?? [])] : [])), ...(config.accounts ?? []).map((a) => a.replace(/^@/, ''))];
  for (const phrase of phrases) for (const word of latinWords(phrase)) words.add(word);
  return [...words];
}

/** Compiles the `target` section with the keyword model's analyser (same stems as messages). */
export function compileTarget(config: TargetConfig, analyser: Analyser): TargetModel {
  const byFirst = new Map<string, Phrase[]>();
  const longNames: string[] = [];
  const longOthers: string[] = [];
  const longDevices = new Set<string>();
  const longProducts: string[] = [];
  const add = (kind: number, lists: { en: readonly string[]; ru: readonly string[] }) => {
    for (const text of [...lists.en, ...lists.ru]) {
      const stems = analyser.stemsOf(text);
      const first = stems[0];
      if (first === undefined) continue;
      const list = byFirst.get(first) ?? [];
      list.push({ stems, kind, text });
      byFirst.set(first, list);
      // A Russian name the stemmer cuts as if declined ("ростелеком" → "ростелек") keeps its whole form
      // too, which is the stem of its declined forms ("Ростелекома", "Ростелекомом" → "ростелеком").
      const whole = text.toLowerCase().replace(/ё/g, 'е');
      if (stems.length === 1 && CYRILLIC_WHOLE.test(whole) && whole !== first && analyser.stemsOf(`${whole}а`)[0] === whole) {
        const same = byFirst.get(whole) ?? [];
        same.push({ stems: [whole], kind, text });
        byFirst.set(whole, same);
      }
      if (stems.length === 1 && kind === KIND_PRODUCT && first.length >= 5) longProducts.push(first);
      if (stems.length === 1 && first.length >= 6) {
        if (kind === KIND_NAME) longNames.push(first);
        else if (kind === KIND_OTHER || kind === KIND_DEVICE) longOthers.push(first);
        if (kind === KIND_DEVICE) longDevices.add(first);
      }
    }
  };
  add(KIND_NAME, config.names);
  add(KIND_PRODUCT, config.products);
  add(KIND_OTHER, config.competitors);
  const rivals = new Set<string>();
  for (const text of [...config.competitors.en, ...config.competitors.ru]) {
    rivals.add(text);
    const stems = analyser.stemsOf(text);
    if (stems.length === 1) rivals.add(stems[0] as string);
  }
  add(KIND_OTHER, config.others);
  add(KIND_DEVICE, config.devices);
  for (const list of byFirst.values()) list.sort((a, b) => b.stems.length - a.stems.length);
  const rawTerms = [...config.accounts, ...config.domains];
  const raw = rawTerms.length === 0 ? null : new RegExp(`(?:${rawTerms.map(escape).join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
  return { byFirst, longNames, longOthers, longProducts, longDevices, analyser, raw, ownChannels: new Set(config.ownChannels), nameMemo: new Map(), rivals };
}

/** A stem that starts with one of our names or is one typo from it, or one typo from another service, or ends like a kind of service. */
function nearMatch(model: TargetModel, stem: string): readonly [number, string] | null {
  if (stem.length < 6) return null;
  let hit = model.nameMemo.get(stem);
  if (hit !== undefined) return hit;
  hit = null;
  for (const name of model.longNames) {
    if (stem.startsWith(name) || withinOneEdit(stem, name)) {
      hit = [KIND_NAME, name];
      break;
    }
  }
  // A name made on a kind of service ("монобанк", "sberbank", "ростелеком") is another service of that kind.
  if (hit === null && stem.length >= 7 && KIND_SUFFIXES.some((k) => stem.endsWith(k))) hit = [KIND_OTHER, stem];
  if (hit === null) {
    for (const other of model.longOthers) {
      if (stem[0] === other[0] && withinOneEdit(stem, other)) {
        hit = [model.longDevices.has(other) ? KIND_DEVICE : KIND_OTHER, other];
        break;
      }
    }
  }
  if (model.nameMemo.size >= 20_000) model.nameMemo.clear();
  model.nameMemo.set(stem, hit);
  return hit;
}

/** What the model found for one stem: phrases starting with it, and its near match (undefined: not looked). */
interface StemLookup {
  readonly list: readonly Phrase[] | undefined;
  near: readonly [number, string] | null | undefined;
  /** Is the stem a site or app ("site", "приложен")? */
  readonly front: boolean;
  /** Is the stem a help desk ("support", "поддержк")? */
  readonly desk: boolean;
}

interface Tally {
  names: number;
  products: number;
  others: number;
  /** The writer's devices met, by first stem: the words, and whether any mention was only the writer's setting. */
  devices: Map<string, { text: string; setting: boolean }> | null;
  /** A site or app of no named owner ("the app", "приложение"): what runs on the writer's devices. */
  app: boolean;
  /** Other mail services named as what the message is about, not as a sender or recipient ("в гмейле всё в спам"). */
  rivals: number;
  /** A second-person possessive ("your mail", "ваш smtp"): the writer addresses the service, which a brand search found. */
  addressed: boolean;
}

/** "from / to / от / из" right before word i, or one word before that (within the clause). */
function isFlow(stems: readonly string[], clauseStart: readonly boolean[], i: number): boolean {
  for (let k = i - 1; k >= i - 2 && k >= 0; k--) {
    if (FLOW.has(stems[k] as string)) return true;
    if (clauseStart[k]) return false;
  }
  return false;
}

/** Words of signing in (stems): "вход через вк", "войти через госуслуги", "sign in with google", "login via apple". */
const SIGN_IN: ReadonlySet<string> = new Set(['вход', 'войт', 'зайт', 'заход', 'захож', 'авторизац', 'логин', 'login', 'log', 'sign', 'signin', 'in']);
/** Prepositions of means after a word of signing in (stems). */
const SIGN_IN_VIA: ReadonlySet<string> = new Set(['через', 'via', 'with', 'using', 'us']);

/**
 * Is the other service at word i the account the writer signs in to us with ("вход через вк не работает",
 * "can't sign in with google")? It is then a means of reaching us, as a mail sender is, not what the message
 * is about.
 */
function signInWith(stems: readonly string[], clauseStart: readonly boolean[], i: number): boolean {
  if (i < 2 || clauseStart[i] || clauseStart[i - 1] || !SIGN_IN_VIA.has(stems[i - 1] as string)) return false;
  for (let k = i - 2; k >= i - 4 && k >= 0; k--) {
    if (SIGN_IN.has(stems[k] as string) && (stems[k] !== 'in' || (k > 0 && SIGN_IN.has(stems[k - 1] as string)))) return true;
    if (clauseStart[k]) return false;
  }
  return false;
}

/**
 * Is the device at word i only the writer's setting, not what the complaint is about: where the writer reads
 * us ("on my laptop too", "с рабочего компа", "по вайфаю"), what they tried ("tried restarting the router",
 * "перезагрузил телефон"), said to be fine ("internet is fine", "интернет в порядке"), a model named after it
 * ("телефон Honor 50"), or an account detail ("phone number", "номер телефона")?
 */
function isSetting(stems: readonly string[], clauseStart: readonly boolean[], forms: readonly number[] | undefined, negated: readonly boolean[] | undefined, i: number): boolean {
  let between = true;
  for (let k = i - 1; k >= i - PLACE_WINDOW && k >= 0 && !clauseStart[k + 1]; k--) {
    const s = stems[k] as string;
    if (tried(s)) return true;
    // "с" governs the device only across its adjectives ("с рабочего компа"): "с воскресенья нет интернета" says since when.
    if (PLACE.has(s) && (between || !SINCE.has(s))) return true;
    if (!((forms?.[k] ?? 0) & FORM_ADJ)) between = false;
  }
  for (let k = i + 1; k <= i + FINE_WINDOW && k < stems.length && !clauseStart[k]; k++) {
    const s = stems[k] as string;
    if (FINE.has(s) || (negated?.[k] === true && CULPRIT.has(s))) return true;
  }
  // The device as the messenger of what it shows: "my phone says…", "телефон пишет…".
  for (let k = i + 1; k <= i + 2 && k < stems.length && !clauseStart[k]; k++) if (SPEAKS.has(stems[k] as string)) return true;
  const next = stems[i + 1];
  if (next !== undefined && !clauseStart[i + 1] && CYRILLIC_WORD.test(stems[i] as string) && LATIN_MODEL.test(next)) return true;
  // A model number ("iphone 14", "телефон айфон 12", "pixel 7").
  for (let k = i + 1; k <= i + 2 && k < stems.length && !clauseStart[k]; k++) if (stems[k] === NUMBER_STEM) return true;
  return isAccountDetail(stems, clauseStart, i);
}

/** A troubleshooting verb, one typo tolerated on the longer ones ("restarrted"). */
function tried(stem: string): boolean {
  if (TRIED.has(stem)) return true;
  if (stem.length < 6) return false;
  for (const t of TRIED) if (t.length >= 6 && t[0] === stem[0] && withinOneEdit(stem, t)) return true;
  return false;
}

/** An account word ("number", "recovery", "номер") beside the device at word i, within the clause, past a possessive or "для"? */
function isAccountDetail(stems: readonly string[], clauseStart: readonly boolean[], i: number): boolean {
  for (let k = i - 1, skipped = 0; k >= 0 && !clauseStart[k + 1]; k--) {
    const s = stems[k] as string;
    if (ACCOUNT_DETAIL.has(s)) return true;
    if (!DETAIL_SKIP.has(s) || ++skipped > 1) break;
  }
  for (let k = i + 1, skipped = 0; k < stems.length && !clauseStart[k]; k++) {
    const s = stems[k] as string;
    if (ACCOUNT_DETAIL.has(s)) return true;
    if (!DETAIL_SKIP.has(s) || ++skipped > 1) break;
  }
  return false;
}

/**
 * Counts one match: another service (half a product word when it is a mail sender or recipient), a
 * device (another thing, nothing when it is where the writer reads us or an account detail), or ours (a hashtag half, nothing
 * on our own channels). Returns false when the match says nothing.
 */
function count(t: Tally, kind: number, stem: string, text: string, hashtags: ReadonlySet<string> | null, flow: boolean, own: boolean): boolean {
  if (kind === KIND_DEVICE) {
    // Counted once the whole message is read: a device that is the writer's setting in one mention ("перезагрузил
    // телефон") is the same device in another ("телефон Самсунг").
    t.devices ??= new Map();
    const seen = t.devices.get(stem);
    if (seen === undefined) t.devices.set(stem, { text, setting: flow });
    else if (flow) seen.setting = true;
    return false;
  } else if (kind === KIND_OTHER) {
    if (flow) t.products += 0.5;
    else t.others++;
  } else if (hashtags !== null && hashtags.has(stem)) {
    // On our own channels the message is said to us already: a tag of ours adds nothing.
    if (own) return false;
    t.products += 0.5;
  }
  else if (kind === KIND_NAME) t.names++;
  else t.products++;
  return true;
}

/**
 * Is there something mail can carry in word i's clause: one of our product words, or what a service sends
 * by mail ("statements from my bank", "коды от госуслуг", unless the message speaks of text messages)?
 * Without it "from" is no mail flow: "связь от МТС", "internet from my provider" are the provider's service.
 */
function mailInClause(model: TargetModel, stems: readonly string[], clauseStart: readonly boolean[], i: number): boolean {
  let start = i;
  while (start > 0 && !clauseStart[start]) start--;
  // Codes and notifications by text message are no mail: "смс от оператора приходят с задержкой, коды из банка — через час".
  const byText = stems.some((s) => TEXT_MESSAGE.has(s));
  for (let k = start; k < stems.length && (k === start || !clauseStart[k]); k++) {
    const stem = stems[k] as string;
    if (!byText && MAIL_OBJECTS.has(stem)) return true;
    const list = model.byFirst.get(stem);
    if (list !== undefined && list.some((p) => p.kind === KIND_PRODUCT)) return true;
    if (stem.length >= 5 && model.longProducts.some((p) => p[0] === stem[0] && withinOneEdit(stem, p))) return true;
  }
  return false;
}

/** Is the other mail service at word i a recipient ("на gmail", "на адреса gmail", "gmail addresses"), with mail in its clause? */
function rivalFlow(model: TargetModel, stems: readonly string[], clauseStart: readonly boolean[], i: number): boolean {
  let near = false;
  for (let k = i - 1; k >= i - 2 && k >= 0 && !clauseStart[k + 1]; k--) if (RIVAL_FLOW.has(stems[k] as string)) near = true;
  if (i + 1 < stems.length && !clauseStart[i + 1] && RIVAL_FLOW.has(stems[i + 1] as string)) near = true;
  return near && mailInClause(model, stems, clauseStart, i);
}

/** The flow argument of `count` for a match of `kind` at word i: a mail sender / recipient, or a device's place. */
function flowOf(model: TargetModel, kind: number, stems: readonly string[], clauseStart: readonly boolean[], forms: readonly number[] | undefined, negated: readonly boolean[] | undefined, i: number): boolean {
  if (kind === KIND_OTHER) return (isFlow(stems, clauseStart, i) && mailInClause(model, stems, clauseStart, i)) || signInWith(stems, clauseStart, i);
  if (kind === KIND_DEVICE) return isSetting(stems, clauseStart, forms, negated, i);
  return false;
}

/** Decides whom a message is about. `text` is the raw text (accounts and domains are read from it). */
export function decideTarget(model: TargetModel, text: string, a: Pick<Analysis, 'stems' | 'clauseStart'> & Partial<Pick<Analysis, 'memos' | 'forms' | 'negated'>>, channel: string | null | undefined): TargetDecision {
  const { stems, clauseStart, memos, forms, negated } = a;
  const terms: string[] = [];
  const t: Tally = { names: 0, products: 0, others: 0, devices: null, app: false, rivals: 0, addressed: false };
  let hashtags: Set<string> | null = null;
  if (text.includes('#')) {
    hashtags = new Set();
    for (const m of text.matchAll(HASHTAG)) for (const s of model.analyser.stemsOf(m[1] as string)) hashtags.add(s);
  }
  if (model.raw !== null && (text.includes('@') || text.includes('.'))) {
    for (const m of text.matchAll(model.raw)) {
      t.names++;
      terms.push(m[0].toLowerCase());
    }
  }
  const own = channel != null && model.ownChannels.has(channel);
  const n = stems.length;
  /** Where the last phrase matched ended. */
  let matchedEnd = -2;
  let matchedKind = -1;
  for (let i = 0; i < n; i++) {
    const stem = stems[i] as string;
    // The word's memo slot keeps this model's lookups for its stem (phrases, near match) once made.
    const memo = memos?.[i];
    let seen: StemLookup;
    if (memo !== undefined && memo.targetOwner === model) seen = memo.target as StemLookup;
    else {
      seen = { list: model.byFirst.get(stem), near: undefined, front: FRONTS_EN.has(stem) || FRONTS_RU.has(stem), desk: HELP_DESKS.has(stem) };
      if (memo !== undefined) {
        memo.targetOwner = model;
        memo.target = seen;
      }
    }
    const list = seen.list;
    if (YOUR.has(stem)) t.addressed = true;
    if (stem === AT_THEM[0] && stems[i + 1] === AT_THEM[1] && !clauseStart[i + 1]) {
      t.others++;
      terms.push('у них');
      i++;
      continue;
    }
    // Someone else's help desk, site or app: "their support", "их поддержка", "их приложение".
    if ((seen.desk || seen.front) && i > 0 && !clauseStart[i] && THIRD_PARTY.has(stems[i - 1] as string)) {
      t.others++;
      terms.push(`${stems[i - 1] as string} ${stem}`);
      continue;
    }
    // A site or app right after a matched service is that service's, counted already ("bank app").
    // An app right after a device is the app on it ("iphone app", "айфон приложение"): no owner named.
    // A negated app is none ("nothing in your app, just my phone").
    const app = negated?.[i] !== true;
    if (seen.front && list === undefined && matchedEnd === i - 1 && matchedKind === KIND_DEVICE) t.app ||= app;
    else if (seen.front && list === undefined && matchedEnd !== i - 1) {
      if (own) {
        // Said to us, a site or app of a named owner ("на сайте билетов") is no evidence against us, but
        // neither is it an app of no owner that the writer's device would only run.
        if (frontOwner(model, stems, clauseStart, forms, i) === null) t.app ||= app;
      } else {
        const owner = frontOwner(model, stems, clauseStart, forms, i);
        if (owner !== null) {
          t.others++;
          terms.push(owner);
        } else t.app ||= app;
        continue;
      }
    }
    let matched: Phrase | null = null;
    if (list !== undefined) {
      for (const p of list) {
        let ok = p.stems.length <= n - i;
        for (let k = 1; ok && k < p.stems.length; k++) if (stems[i + k] !== p.stems[k]) ok = false;
        if (ok) {
          matched = p;
          break;
        }
      }
    }
    if (matched !== null) {
      matchedEnd = i + matched.stems.length - 1;
      matchedKind = matched.kind;
      const flow = flowOf(model, matched.kind, stems, clauseStart, forms, negated, i);
      if (!flow && model.rivals.has(matched.text)) t.rivals += rivalFlow(model, stems, clauseStart, i) ? 0 : 1;
      if (count(t, matched.kind, stem, matched.text, hashtags, flow, own)) terms.push(matched.text);
      i += matched.stems.length - 1;
      continue;
    }
    if (seen.near === undefined) seen.near = nearMatch(model, stem);
    const near = seen.near;
    if (near !== null) {
      const flow = flowOf(model, near[0], stems, clauseStart, forms, negated, i);
      if (!flow && near[0] === KIND_OTHER && model.rivals.has(near[1])) t.rivals += rivalFlow(model, stems, clauseStart, i) ? 0 : 1;
      if (count(t, near[0], stem, stem, hashtags, flow, own)) terms.push(stem);
    }
  }
  // With an app of no named owner, the writer's phone or its update is where that app runs: "after the iOS
  // update the app crashes", "телефон пишет, что приложение не отвечает".
  if (t.devices !== null && !t.app) {
    for (const d of t.devices.values()) {
      if (d.setting) continue;
      t.others++;
      terms.push(d.text);
    }
  }
  if (own) terms.push(`channel ${channel}`);
  let about: TargetDecision['about'];
  if (own) about = t.others > 0 && t.products === 0 ? 'other' : 'us';
  else if (t.names > 0) about = 'us';
  // Another mail service is what the message is about: its inbox, spam folder and letters are the same words as
  // ours, so they are no evidence for us ("яндекс почта опять тормозит, письма открываются по минуте"), unless the
  // writer addresses the service they found it by ("gmail works, your mail doesn't").
  else if (t.rivals > 0 && !t.addressed) about = 'other';
  else if (t.others > 0) about = t.others > t.products ? 'other' : 'us';
  else about = t.products > 0 ? 'us' : 'unknown';
  return { about, terms: hasDuplicates(terms) ? [...new Set(terms)] : terms };
}

/**
 * Does the stem name something of ours (a name or product word, as a phrase start or a near match)? A
 * word that starts another service's phrase names whose site it is: "the tax website" ("tax office"),
 * "the parking site" ("parking app").
 */
function ours(model: TargetModel, stem: string): boolean {
  const list = model.byFirst.get(stem);
  if (list !== undefined && list.some((p) => p.kind === KIND_NAME || p.kind === KIND_PRODUCT)) return true;
  const near = nearMatch(model, stem);
  return near !== null && near[0] === KIND_NAME;
}

/**
 * A site or app at word i named by what it is for, none of ours: the words that say so ("train booking
 * site", "сайт налоговой"), or null. English looks at the word before (past a possessive "'s"), Russian
 * at the genitive after, or an adjective before.
 */
function frontOwner(model: TargetModel, stems: readonly string[], clauseStart: readonly boolean[], forms: readonly number[] | undefined, i: number): string | null {
  const form = forms?.[i] ?? 0;
  const front = stems[i] as string;
  if (FRONTS_EN.has(front)) {
    if (form & FORM_S || clauseStart[i]) return null;
    let k = i - 1;
    if (stems[k] === 's' && !clauseStart[k]) k--;
    const before = stems[k];
    if (before === undefined || k < 0 || (k < i - 1 && clauseStart[k + 1])) return null;
    if (THIRD_PARTY.has(before)) return `${before} ${front}`;
    // A possessive names an owner ("the store's website", "the airline's app"), unless a pronoun's ("it's app").
    if (k < i - 1 && LATIN_WORD.test(before) && !DETERMINERS.has(before) && !ours(model, before)) return `${before}'s ${front}`;
    // A verb or a plural before it is no name ("tried app order", "the settings app").
    if ((forms?.[k] ?? 0) & (FORM_PAST | FORM_S) || GENERIC_EN.has(before) || !LATIN_WORD.test(before) || ours(model, before) || nearGeneric(before)) return null;
    return `${before} ${front}`;
  }
  const after = i + 1 < stems.length && !clauseStart[i + 1] ? (stems[i + 1] as string) : undefined;
  if (after !== undefined) {
    if (THIRD_PARTY.has(after)) return `${front} ${after}`;
    const f = forms?.[i + 1] ?? 0;
    if (f & FORM_GEN && !(f & FORM_VERB) && CYRILLIC_WORD.test(after) && !GENERIC_RU.has(after) && !ours(model, after)) return `${front} ${after}`;
  }
  const before = i > 0 && !clauseStart[i] ? (stems[i - 1] as string) : undefined;
  const adjective = forms?.[i - 1] ?? 0;
  if (before !== undefined && adjective & FORM_ADJ && !(adjective & FORM_PLURAL) && CYRILLIC_WORD.test(before) && !GENERIC_RU.has(before) && !ours(model, before)) return `${before} ${front}`;
  return null;
}

/** A misspelt generic modifier ("the wohle app"): one edit from a generic word of 4+ letters. */
function nearGeneric(stem: string): boolean {
  for (const g of GENERIC_EN) if (g.length >= 4 && withinOneEdit(stem, g)) return true;
  return false;
}

const LATIN_WORD = /^[a-z]{3,}$/;
const CYRILLIC_WHOLE = /^[а-я]{4,}$/;
const CYRILLIC_WORD = /^[а-я]{3,}/;
/** A Latin word after a Russian device's name: its make or model ("телефон Honor 50", "ноутбук Lenovo"). */
const LATIN_MODEL = /^[a-z]/;

/** Are any two entries equal? (A handful of terms: pairwise is cheaper than building a set.) */
function hasDuplicates(terms: readonly string[]): boolean {
  if (terms.length > 32) return true; // long lists: let the set decide
  for (let i = 1; i < terms.length; i++) for (let j = 0; j < i; j++) if (terms[i] === terms[j]) return true;
  return false;
}
