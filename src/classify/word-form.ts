/**
 * What the stemmer cut off a word says about its form: a past tense ("починили", "fixed"), a verb
 * ending ("верните", "грузится"), an adjective ending ("верные"), an English "-s" ("works"). Stems fold
 * forms on purpose ("тормозит" / "тормозил"), but two cases need the form back:
 * - a request for a fix is not the report that it was done ("почините" / "починили", "верните" / "вернули");
 * - a verb and an adjective or noun of different words can share a stem ("верните" / "верные" → "верн",
 *   "входит" / "входом"), so a term word of one never matches a message word of the other (`formsAgree`);
 * - a statement that a problem is gone or praise ("вы починили", "works again") says it only in its tense:
 *   "вы почините?" asks when it will be fixed, "when will it work again?" waits; such a phrase's past
 *   and "-s" words match only the same form (`formsAgree` with `strict`).
 *
 * @example wordForm('починили', 'почин') // → FORM_PAST | FORM_VERB
 */

export const FORM_PAST = 1;
export const FORM_S = 2;
export const FORM_VERB = 4;
export const FORM_ADJ = 8;
/** A Russian case ending that can be a genitive ("сайт банк*а*", "приложение доставк*и*", "городск*их*"). */
export const FORM_GEN = 16;
/** A Russian plural adjective ending ("остальн*ые* сайты", "других"). */
export const FORM_PLURAL = 32;
/** A Russian noun case ending no verb has ("вход*ом*", "письм*ами*", "ошибк*ах*"). */
export const FORM_NOUN = 64;
/** A Russian imperative or second person plural ("почин*ите*", "верн*ите*", "исправь*те*"): a request, not a report. */
export const FORM_REQUEST = 128;

/** A Russian present (or simple future) personal ending ("работа*ет*", "гружу*тся*"): what happens now. */
export const FORM_PRESENT = 256;

/** A Russian infinitive ("заход*ить*", "отправ*лять*"): an action named, not one that happened. */
export const FORM_INFINITIVE = 512;

/** Russian verb endings the stemmer strips (past, infinitive, personal, imperative), reflexive "ся/сь" taken off first. */
const RU_VERB = /^(?:[аеиыуя]?(?:л|ла|ло|ли)|[аеиыя]?ть|[еиуя]?те|[еийу]?йте|[еиу]?ют|[уеияюа]т|[еи]шь)$/;
const RU_PAST = /^[аеиыуя]?(?:л|ла|ло|ли)$/;
const RU_PRESENT = /^(?:[еиу]?ют|[уеияюа]т|[еи]шь)$/;
const RU_INFINITIVE = /^[аеиыяуо]?ть$/;
const RU_REQUEST = /^(?:[еиуя]?те|[еийу]?йте|ьте)$/;
/** Russian adjective (and full participle) endings, the unambiguous ones (not "ом", "ем", "им", "ым", "ую"). */
const RU_ADJ = /^(?:ый|ий|ой|ая|яя|ое|ее|ые|ие|ого|его|ому|ему|ых|их|юю|ыми|ими)$/;
const RU_ADJ_PLURAL = /^(?:ые|ие|ых|их|ыми|ими)$/;
const RU_NOUN = /^(?:ом|ами|ями|ах|ях|ов|ев|ью)$/;
const RU_GEN = /^(?:а|я|ы|и|ов|ев|ей|ой|ого|его|ых|их)$/;

/** The form bits of `word` (lower case) given its stem. 0 when the cut says nothing. */
export function wordForm(word: string, stem: string): number {
  if (stem.length >= word.length || !word.startsWith(stem)) return 0;
  let rest = word.slice(stem.length);
  const c = word.charCodeAt(0);
  if (c >= 0x400 && c <= 0x4ff) {
    if (rest.length > 2 && (rest.endsWith('ся') || rest.endsWith('сь'))) rest = rest.slice(0, -2);
    else if (rest === 'ся' || rest === 'сь') return FORM_VERB;
    if (RU_PAST.test(rest)) return FORM_PAST | FORM_VERB;
    if (RU_REQUEST.test(rest)) return FORM_VERB | FORM_REQUEST;
    if (RU_PRESENT.test(rest)) return FORM_VERB | FORM_PRESENT;
    if (RU_INFINITIVE.test(rest)) return FORM_VERB | FORM_INFINITIVE;
    if (RU_VERB.test(rest)) return FORM_VERB;
    const gen = RU_GEN.test(rest) ? FORM_GEN : 0;
    if (RU_ADJ.test(rest)) return FORM_ADJ | gen | (RU_ADJ_PLURAL.test(rest) ? FORM_PLURAL : 0);
    return gen | (RU_NOUN.test(rest) ? FORM_NOUN : 0);
  }
  if (rest === 'ed' || (rest === 'd' && word.endsWith('ed'))) return FORM_PAST;
  if (rest === 's' || rest === 'es') return FORM_S;
  return 0;
}

/**
 * Does a message word of form `got` stand for a term word of form `want` (same stem)? A verb never
 * stands for an adjective nor the reverse; with `strict` (statements of a problem gone, praise) a past or
 * "-s" term word needs the same form.
 */
export function formsAgree(want: number, got: number, strict: boolean): boolean {
  if (want === 0) return true;
  if ((want & FORM_VERB && got & (FORM_ADJ | FORM_NOUN)) || (want & (FORM_ADJ | FORM_NOUN) && got & FORM_VERB)) return false;
  // A request ("почините", "верните") is not the report that it was done ("починили", "вернули").
  if (want & FORM_REQUEST && got & FORM_PAST) return false;
  if (strict && want & (FORM_PAST | FORM_S) && (got & (FORM_PAST | FORM_S)) !== (want & (FORM_PAST | FORM_S))) return false;
  // A Russian present tense says how things are now ("всё работает"); its past says how they were
  // before, which a writer tells to contrast with now ("раньше всё работало").
  if (strict && want & FORM_PRESENT && got & FORM_PAST) return false;
  return true;
}
