/**
 * How a notification is worded in the deployment's language (`alerting.language`): the translator of the
 * dashboard's catalogue (`static/i18n/ru.json`, English is the key; `src/dashboard/i18n.ts` `translator`,
 * handed in by the caller since this folder reads no files), plus numbers, weekdays, durations, channels
 * and series labels for the locale. Pure. The incident summary (incident-summary.ts) is worded with it too.
 *
 * English keeps exactly the words and digits it always had ("31 tweets", "6.1×", "Thursday 14:00");
 * Russian writes `ru-RU` numbers ("1 075", "6,1") and weekdays ("чт 14:00": the short form needs no
 * grammatical case), and words that would need a plural form are put without one ("Twitter: 31",
 * "эл. почта: 15").
 *
 * @example notificationWords('ru', translator('ru')).channelCount('twitter', 31) // 'Twitter: 31'
 */
import type { NotificationLang } from '../config/alerting.js';
import { sizeText, type CorrelatedSeries } from './correlation.js';
import { channelName, parseSeriesName, seriesLabel, type Translate } from './series-name.js';
import { formatClock, formatWeekdayTime, localParts } from './time-zone.js';

export type { NotificationLang };

export interface NotificationWords {
  readonly lang: NotificationLang;
  /** The catalogue: English text in (the key), placeholders filled. */
  readonly t: Translate;
  /** "16164", "6.1" (ru: "16 164", "6,1"): whole numbers as they are, else one decimal below 10, none above. */
  num(x: number): string;
  /** At most one decimal, rounded: "10.3", "1234.5" (ru: "10,3", "1 234,5"). */
  decimal(x: number): string;
  /** "Thursday 14:00" (ru: "чт 14:00"), local to `timeZone`. */
  weekdayTime(t: number, timeZone: string): string;
  /** "14:03", local to `timeZone`. */
  clock(t: number, timeZone: string): string;
  /** "1 h 5 min", "12 min", "40 s" (ru: "1 ч 5 мин"). */
  duration(ms: number): string;
  /** "31 tweets" (ru: "Twitter: 31"). */
  channelCount(channel: string, count: number): string;
  /** A channel as an example message is tagged with: the key in English ("beta_form"), the name in Russian ("бета-форма"). */
  channel(channel: string): string;
  /**
   * The label of a series: in English `stored` (the evidence's label) when given, else the English label;
   * in other languages the catalogue's wording of complaint series ("Жалобы: login"), the configured or
   * stored label of any other series.
   */
  label(series: string, labels?: Readonly<Record<string, string>>, stored?: string): string;
  /** "started 3 min earlier", "started 2 min later", "at the same time". */
  lead(leadMs: number): string;
  /** A correlated series' move: "×9", "−40%", "12.5 vs ~0.3" (ru: "×2,5", "12,5 при ожидании ~0,3"). */
  size(c: Pick<CorrelatedSeries, 'ratio' | 'size'>): string;
}

/** English: the key itself, `{name}` placeholders filled (what `translator('en')` does). */
export const englishText: Translate = (text, vars) =>
  vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : m)) : text;

const NUMBER_LOCALES: Readonly<Record<NotificationLang, string>> = { en: 'en-GB', ru: 'ru-RU' };

const ENGLISH_NOUNS: Readonly<Record<string, [string, string]>> = {
  twitter: ['tweet', 'tweets'],
  email: ['e-mail', 'e-mails'],
  beta_form: ['beta report', 'beta reports'],
  api: ['API report', 'API reports'],
};

/** The wording for `lang`; `t` is the catalogue's translator for it (English needs none). */
export function notificationWords(lang: NotificationLang = 'en', t: Translate = englishText): NotificationWords {
  const english = lang === 'en';
  const formats = new Map<number, Intl.NumberFormat>();
  const format = (digits: number) => {
    let f = formats.get(digits);
    if (!f) formats.set(digits, (f = new Intl.NumberFormat(NUMBER_LOCALES[lang], { maximumFractionDigits: digits, minimumFractionDigits: digits })));
    return f;
  };
  const num = (x: number) => {
    if (english) return Number.isInteger(x) ? String(x) : x.toFixed(x < 10 ? 1 : 0);
    return format(Number.isInteger(x) || x >= 10 ? 0 : 1).format(x);
  };
  /** At most one decimal, as the stored move sizes have them ("12.5 vs ~0.3"; ru "12,5"). */
  const oneDecimal = new Intl.NumberFormat(NUMBER_LOCALES[lang], { maximumFractionDigits: 1 });
  const weekdays = new Map<string, Intl.DateTimeFormat>();
  const weekday = (t: number, timeZone: string) => {
    let f = weekdays.get(timeZone);
    if (!f) weekdays.set(timeZone, (f = new Intl.DateTimeFormat(NUMBER_LOCALES[lang], { weekday: 'short', timeZone })));
    return f.format(new Date(t));
  };
  const clock = (at: number, timeZone: string) => formatClock(localParts(at, timeZone));
  return {
    lang,
    t,
    num,
    decimal: (x) => (english ? String(Math.round(x * 10) / 10) : oneDecimal.format(x)),
    weekdayTime: (at, timeZone) => (english ? formatWeekdayTime(at, timeZone) : `${weekday(at, timeZone)} ${clock(at, timeZone)}`),
    clock,
    duration(ms) {
      const s = Math.max(0, Math.round(ms / 1000));
      if (s < 60) return t('{n} s', { n: num(s) });
      const m = Math.round(s / 60);
      if (m < 60) return t('{n} min', { n: num(m) });
      const h = Math.floor(m / 60);
      const rest = m % 60;
      return rest === 0 ? t('{n} h', { n: num(h) }) : t('{h} h {m} min', { h: num(h), m: num(rest) });
    },
    channelCount(channel, count) {
      if (!english) return t('{channel}: {count}', { channel: channelName(channel, t), count: num(count) });
      const nouns = ENGLISH_NOUNS[channel] ?? [`${channel} message`, `${channel} messages`];
      return `${count} ${count === 1 ? nouns[0] : nouns[1]}`;
    },
    channel: (channel) => (english ? channel : channelName(channel, t)),
    label(series, labels = {}, stored) {
      if (english) return stored ?? seriesLabel(series, labels);
      return parseSeriesName(series).kind === 'other' ? (labels[series] ?? stored ?? series) : seriesLabel(series, labels, t);
    },
    lead(leadMs) {
      const min = Math.round(leadMs / 60_000);
      if (min === 0) return t('at the same time');
      return min < 0 ? t('started {n} min earlier', { n: num(-min) }) : t('started {n} min later', { n: num(min) });
    },
    size(c) {
      if (english) return c.size;
      const dec = (x: number) => oneDecimal.format(x);
      if (c.ratio !== null) return sizeText(c.ratio, 0, 0, dec);
      // Nothing was expected: the stored "12.5 vs ~0.3" holds the two numbers.
      const m = /^(-?[\d.]+) vs ~(-?[\d.]+)$/.exec(c.size);
      return m ? t('{value} vs ~{expected}', { value: dec(Number(m[1])), expected: dec(Number(m[2])) }) : c.size;
    },
  };
}

const ENGLISH = notificationWords('en');

/**
 * The wording for an optional language and its translator (`{ lang, t }`, as callers hand them in):
 * English (one shared instance) without it or for `en`.
 */
export function wordsFor(language?: { readonly lang: NotificationLang; readonly t: Translate }): NotificationWords {
  return language === undefined || language.lang === 'en' ? ENGLISH : notificationWords(language.lang, language.t);
}
