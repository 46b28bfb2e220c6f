/**
 * PURE: turns a mail body into the text a person wrote: HTML to text, then quoted replies and the
 * signature cut off. Works on English and Russian mail clients' conventions.
 */
import { compile } from 'html-to-text';

const htmlConverter = compile({
  wordwrap: false,
  preserveNewlines: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'head', format: 'skip' },
    // Quoted history in HTML mail: Gmail, Apple Mail / Thunderbird (type=cite), Outlook, Yandex.
    { selector: 'blockquote', format: 'skip' },
    { selector: 'div.gmail_quote', format: 'skip' },
    { selector: 'div.yahoo_quoted', format: 'skip' },
    { selector: 'div#divRplyFwdMsg', format: 'skip' },
    { selector: 'div#appendonsend', format: 'skip' },
    { selector: 'div.moz-cite-prefix', format: 'skip' },
    { selector: 'div.gmail_signature', format: 'skip' },
    { selector: 'div.moz-signature', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
});

/** HTML body → plain text (links without URLs, images and quoted blocks dropped). */
export function htmlToPlainText(html: string): string {
  return htmlConverter(html);
}

/** A line that starts the quoted original: everything from it on is someone else's text. */
const QUOTE_HEADERS: readonly RegExp[] = [
  /^-{2,}\s*(original message|forwarded message|исходное сообщение|пересылаемое сообщение|переадресованное сообщение)\s*-{2,}\s*$/i,
  /^_{10,}\s*$/, // Outlook's rule above "From: ... Sent: ..."
  /^on\b.{0,200}\bwrote:\s*$/i, // On Mon, 1 Jan 2024 at 10:00, Ann <a@b.c> wrote:
  /^.{0,200}\s(пишет|написал|написала|написал\(а\)):\s*$/iu, // 12.03.2024, 10:15, "Иван" <i@x.ru> пишет:
  /^(from|от|от кого):\s.+$/i, // the header block of a forwarded / Outlook-quoted message (checked with the next line)
  /^le\s.{0,200}\sa écrit\s?:\s*$/i,
  /^am\s.{0,200}\sschrieb.{0,100}:\s*$/i,
];

/** A wrapped "On ... wrote:" split over two lines by the sender's client. */
const WROTE_TAIL = /(^|\s)(wrote|пишет|написал|написала|написал\(а\)):\s*$/iu;
const WROTE_HEAD = /^(on\s|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}|(пн|вт|ср|чт|пт|сб|вс|понедельник|вторник|среда|четверг|пятница|суббота|воскресенье)(?!\p{L}))/iu;
const HEADER_FOLLOW = /^(sent|date|to|subject|отправлено|дата|кому|тема):\s/i;

/** Sign-offs that start a signature when they stand alone on a line near the end. */
const SIGN_OFFS: readonly RegExp[] = [
  /^(best|kind|warm)?\s*regards,?$/i,
  /^(best|all the best|cheers|thanks|thank you|many thanks|thanks in advance|sincerely|yours sincerely|yours truly|br),?!?$/i,
  /^с\s+уважением[,.!]?$/i,
  /^(спасибо|заранее спасибо|спасибо заранее|благодарю|всего доброго|всего хорошего|с наилучшими пожеланиями)[,.!]?$/i,
];
const SENT_FROM = /^(sent from my\s.+|sent from (outlook|mail) for .+|get outlook for .+|отправлено (с|из) .+|sent from yandex\.?mail.*)$/i;
/** How many short lines may follow a sign-off (name, title, phone) for it to count as the signature. */
const MAX_SIGNATURE_TAIL = 6;

function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' ');
}

function isQuoteStart(lines: readonly string[], i: number): boolean {
  const line = (lines[i] ?? '').trim();
  if (line === '') return false;
  for (const re of QUOTE_HEADERS) {
    if (!re.test(line)) continue;
    if (/^(from|от|от кого):/i.test(line)) {
      // "From: x" alone could be the user's own text; a header block has Sent/Date/To/Subject right after.
      return HEADER_FOLLOW.test((lines[i + 1] ?? '').trim()) || HEADER_FOLLOW.test((lines[i + 2] ?? '').trim());
    }
    return true;
  }
  const next = (lines[i + 1] ?? '').trim();
  return WROTE_HEAD.test(line) && !WROTE_TAIL.test(line) && WROTE_TAIL.test(next) && line.length + next.length < 300;
}

/**
 * Cuts quoted replies (`> ` lines, "On … wrote:", "… пишет:", "-----Original Message-----", Outlook
 * header blocks) and the signature ("-- " delimiter, "Sent from my iPhone", a closing "Regards," /
 * "С уважением," followed by at most a few short lines).
 *
 * @example stripQuotesAndSignature('Still broken.\n\nOn Mon, Ann wrote:\n> old') // 'Still broken.'
 */
export function stripQuotesAndSignature(text: string): string {
  const lines = normaliseNewlines(text).split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const line = raw.trim();
    if (raw === '-- ' || line === '--' || line === '—' || SENT_FROM.test(line)) break; // signature delimiter
    if (isQuoteStart(lines, i)) break;
    if (/^>/.test(line)) continue; // quoted line inside the reply (interleaved quoting)
    kept.push(raw.replace(/\s+$/, ''));
  }
  // Sign-off near the end: "Regards,\nAnn Smith\nACME Ltd".
  for (let i = Math.max(0, kept.length - MAX_SIGNATURE_TAIL - 1); i < kept.length; i++) {
    const line = (kept[i] ?? '').trim();
    if (!SIGN_OFFS.some((re) => re.test(line))) continue;
    const tail = kept.slice(i + 1).filter((l) => l.trim() !== '');
    if (tail.length <= MAX_SIGNATURE_TAIL && tail.every((l) => l.trim().length <= 60)) {
      kept.length = i;
      break;
    }
  }
  return kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Subject without reply / forward prefixes (Re:, Fwd:, Ответ:, AW:, [ticket tags] kept). */
export function cleanSubject(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  for (;;) {
    const next = s.replace(/^(re|fw|fwd|aw|wg|sv|antw|ответ|отв|пересл|пересылка)\s*(\[\d+\])?\s*:\s*/i, '');
    if (next === s) return s;
    s = next;
  }
}
