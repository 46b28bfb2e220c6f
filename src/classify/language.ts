import type { Lang } from '../domain/message.js';

/**
 * Language of a message from the share of Cyrillic among its letters: ≥ 30 % Cyrillic is Russian
 * (Russian messages quote Latin product names, English ones rarely carry Cyrillic). `null` when
 * the text has no letters at all. Mixed messages are still stemmed per word by script.
 *
 * @example detectLang('Не могу войти в почту') // → 'ru'
 */
export function detectLang(text: string): Lang | null {
  let cyrillic = 0;
  let latin = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) latin++;
    else if (c >= 0x400 && c <= 0x4ff) cyrillic++;
  }
  if (cyrillic + latin === 0) return null;
  return cyrillic / (cyrillic + latin) >= 0.3 ? 'ru' : 'en';
}

/** True when the word holds at least one Cyrillic letter (it is stemmed with the Russian stemmer). */
export function isCyrillic(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 0x400 && c <= 0x4ff) return true;
  }
  return false;
}
