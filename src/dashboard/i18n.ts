/**
 * The language of the server-rendered pages (login, report form): the same catalogue as the dashboard
 * (`static/i18n/ru.json`, English is the key). Chosen by `?lang=`, else the `radar_lang` cookie the
 * dashboard's switch sets, else the browser's Accept-Language, else English.
 */
import { readFileSync } from 'node:fs';
import { englishText } from '../alerting/notification-words.js';
import type { Translate } from '../alerting/series-name.js';

export const UI_LANGS = ['en', 'ru'] as const;
export type UiLang = (typeof UI_LANGS)[number];

const CATALOGUES: Record<UiLang, Readonly<Record<string, unknown>>> = {
  en: {},
  ru: JSON.parse(readFileSync(new URL('./static/i18n/ru.json', import.meta.url), 'utf8')) as Record<string, unknown>,
};

const isLang = (value: unknown): value is UiLang => typeof value === 'string' && (UI_LANGS as readonly string[]).includes(value);

/** The page language from the request's query, cookie header and Accept-Language. */
export function pickUiLang(request: { query?: unknown; headers: Record<string, string | string[] | undefined> }): UiLang {
  const query = request.query as { lang?: unknown } | undefined;
  if (isLang(query?.lang)) return query.lang;
  const cookie = String(request.headers.cookie ?? '');
  const fromCookie = /(?:^|;\s*)radar_lang=(\w+)/.exec(cookie)?.[1];
  if (isLang(fromCookie)) return fromCookie;
  const accept = String(request.headers['accept-language'] ?? '');
  const ranked = accept
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? '1');
      return { base: tag.toLowerCase().split('-')[0] ?? '', q: Number.isFinite(q) ? q : 0 };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((x) => x.base).find(isLang) ?? 'en';
}

export type { Translate };

/** `t('What went wrong?')` in `lang`; placeholders `{name}` filled (as text: escape when putting into HTML). */
export function translator(lang: UiLang): Translate {
  const catalogue = CATALOGUES[lang];
  return (text, vars) => {
    const entry = catalogue[text];
    // Placeholders filled as in English (`englishText`), in the translated text.
    return englishText(typeof entry === 'string' ? entry : text, vars);
  };
}
