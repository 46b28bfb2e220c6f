/**
 * Text normalisation before tokenising: quoted mail text, URLs, e-mail addresses and @mentions removed,
 * case folded, ё → е, English contractions expanded so negation is a separate word ("can't" → "can not").
 * Emoji are kept (they are signals); a few ASCII emoticons become the emoji they stand for.
 *
 * @example normaliseText('@MailHelp I can\'t log in 😡 https://x.co/a') // → ' i can not log in 😡 '
 */

/** "On Tue, 3 Mar 2026 at 10:00, Ann <a@b.c> wrote:" and the Russian "... написал(а):" start a quote. */
const QUOTE_HEADER = /^\s*(?:on\b.{0,200}\bwrote:|.{0,200}\s(?:написал|написала|написал\(а\)|пишет):|-{2,}\s*(?:original message|forwarded message|исходное сообщение|пересылаемое сообщение)\s*-{2,})\s*$/i;
/** "Re: Can't log in" / "Fwd: ..." as the first line of a mail: the subject of someone else's message. */
const REPLY_SUBJECT = /^\s*(?:re|fwd?|aw)(?:\[\d+\])?\s*:[^\n]*\n/i;
const URL = /\b(?:https?:\/\/|www\.)\S+/gi;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
const MENTION = /(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_]+/gu;
const APOSTROPHE = /[’`´ʼ]/g;
const CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bcan'?t\b/g, 'can not'],
  [/\bcannot\b/g, 'can not'],
  [/\bwon'?t\b/g, 'will not'],
  [/\bain'?t\b/g, 'is not'],
  [/\bshan'?t\b/g, 'shall not'],
  [/\b(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need)n'?t\b/g, '$1 not'],
  [/n't\b/g, ' not'],
];
const CONTRACTION_HINT = /['’`´ʼ]|cannot|\b(?:cant|wont|aint|dont|doesnt|didnt|isnt|wasnt|werent|arent|havent|hasnt|hadnt|couldnt|wouldnt|shouldnt)\b/;
const EMOTICONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/(^|\s)(?::-?\(+|:'\(|=\()/g, '$1 🙁 '],
  [/(^|\s)(?::-?\)+|=\))/g, '$1 🙂 '],
  // Brackets without eyes, as Russian writers smile and frown: "((" is sad, "))" glad.
  [/\({2,}/g, ' 🙁 '],
  [/\){2,}/g, ' 🙂 '],
];

/**
 * Drops quoted lines (`> ...`), everything after a reply/forward header, and a first line "Re: …" /
 * "Fwd: …" (a reply's subject repeats the other side's words).
 */
export function stripQuoted(text: string): string {
  if (REPLY_SUBJECT.test(text)) text = text.replace(REPLY_SUBJECT, '');
  // Every quote header has a colon or a dash rule: without either (and no "> "), nothing to drop.
  if (!text.includes('>') && !((text.includes(':') || text.includes('--')) && /wrote:|написал|пишет:|-{2,}/i.test(text))) return text;
  const lines = text.split(/\r?\n/);
  const kept: string[] = [];
  for (const line of lines) {
    if (QUOTE_HEADER.test(line)) break;
    if (/^\s*>/.test(line)) continue;
    kept.push(line);
  }
  return kept.join('\n');
}

/**
 * The report form's own field labels at the start of a line ("What went wrong: …", "Что пошло не так: …"):
 * a form's questions are not the writer's words (every report would otherwise say "went wrong").
 */
const FORM_LABEL = /^[ \t]*(?:what were you doing|what went wrong|how should it have worked|что вы делали|что пошло не так|как должно было работать)[ \t]*[?:]/gim;

/** Full normalisation: quoted text, form labels, URLs, e-mails, mentions out; lower case; ё → е; contractions expanded. */
export function normaliseText(text: string): string {
  let out = stripQuoted(text);
  if (out.includes(':') || out.includes('?')) out = out.replace(FORM_LABEL, ' ');
  if (out.includes('://') || out.includes('www.')) out = out.replace(URL, ' ');
  if (out.includes('@')) out = out.replace(EMAIL, ' ').replace(MENTION, '$1 ');
  out = out.toLowerCase();
  if (out.includes('ё')) out = out.replaceAll('ё', 'е');
  if (CONTRACTION_HINT.test(out)) {
    out = out.replace(APOSTROPHE, "'");
    for (const [pattern, replacement] of CONTRACTIONS) out = out.replace(pattern, replacement);
  }
  if (out.includes(':') || out.includes('=') || out.includes('((') || out.includes('))')) {
    for (const [pattern, replacement] of EMOTICONS) out = out.replace(pattern, replacement);
  }
  return out;
}
