// The dashboard's language: every string on screen goes through `t` (or `tp` for counts). English is the
// source text and the key (gettext style); `i18n/ru.json` maps it to Russian (a unit test keeps the
// catalogue complete, and every placeholder in it). The language comes from the switch in the header
// (remembered in localStorage and in the `radar_lang` cookie, so the server-rendered login and report
// pages follow it), else from the browser; dates and numbers are formatted for the same locale.

export const LANGUAGES = { en: 'English', ru: 'Русский' };

let lang = 'en';
let catalogue = {};

/** Picks the language (stored choice, else the browser's first supported one) and loads its catalogue. */
export async function loadLanguage() {
  lang = chooseLanguage(localStorage.getItem('radar.lang'), navigator.languages ?? [navigator.language]);
  document.documentElement.lang = lang;
  if (lang === 'en') return lang;
  try {
    const res = await fetch(`/static/i18n/${lang}.json`, { credentials: 'same-origin' });
    if (res.ok) catalogue = await res.json();
  } catch {
    catalogue = {}; // English rather than nothing
  }
  return lang;
}

export function chooseLanguage(stored, preferred) {
  if (stored && Object.hasOwn(LANGUAGES, stored)) return stored;
  for (const tag of preferred ?? []) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (Object.hasOwn(LANGUAGES, base)) return base;
  }
  return 'en';
}

/** Remembers the choice (here and for the server-rendered pages) and reloads the page in it. */
export function switchLanguage(next) {
  if (!Object.hasOwn(LANGUAGES, next)) return;
  localStorage.setItem('radar.lang', next);
  document.cookie = `radar_lang=${next}; path=/; max-age=31536000; samesite=lax`;
  location.reload();
}

export function currentLanguage() {
  return lang;
}

/** The BCP 47 locale for Intl formatting. */
export function locale() {
  return lang === 'ru' ? 'ru-RU' : 'en-GB';
}

function fill(text, vars) {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (Object.hasOwn(vars, name) ? String(vars[name]) : m));
}

/** `t('Updated {time}', { time })`: the text in the current language, placeholders filled (as text, never HTML). */
export function t(text, vars) {
  const translated = typeof catalogue[text] === 'string' ? catalogue[text] : text;
  return fill(translated, vars);
}

const pluralRules = new Map();

/**
 * A count with its noun: `tp(n, { one: '{n} alert', other: '{n} alerts' })`. The key is the `other` form;
 * the catalogue holds the language's own forms (Russian: one / few / many).
 */
export function tp(n, forms, vars) {
  const entry = catalogue[forms.other];
  const rules = pluralRules.get(lang) ?? new Intl.PluralRules(locale());
  pluralRules.set(lang, rules);
  const category = rules.select(n);
  const text = entry && typeof entry === 'object' ? entry[category] ?? entry.other ?? forms.other : category === 'one' ? forms.one : forms.other;
  return fill(text, { n, ...vars });
}
