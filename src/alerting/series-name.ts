/**
 * What a series name says: `complaints` (all), `complaints.<category>`, `complaints.<channel>` or
 * `complaints.channel.<channel>`, `complaints.lang.<language>`, or any pushed series (`traffic`, `errors.5xx`).
 * Channel and language series are breakdowns of the total: they name no category.
 */
import { CHANNEL_NAMES, CHANNELS, LANG_NAMES, type Channel, type Lang } from '../domain/message.js';

export type SeriesKind = 'total' | 'category' | 'channel' | 'language' | 'other';

export interface SeriesName {
  readonly kind: SeriesKind;
  readonly category: string | null;
  readonly channel: string | null;
  /** `complaints.lang.<language>`: the language. */
  readonly language?: string;
}

const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS);

export function parseSeriesName(series: string): SeriesName {
  if (series === 'complaints') return { kind: 'total', category: null, channel: null };
  if (!series.startsWith('complaints.')) return { kind: 'other', category: null, channel: null };
  const rest = series.slice('complaints.'.length);
  if (rest.startsWith('lang.')) return { kind: 'language', category: null, channel: null, language: rest.slice('lang.'.length) };
  if (rest.startsWith('channel.')) return { kind: 'channel', category: null, channel: rest.slice('channel.'.length) };
  if (CHANNEL_SET.has(rest)) return { kind: 'channel', category: null, channel: rest };
  return { kind: 'category', category: rest, channel: null };
}

/** A translation into the page's language (`src/dashboard/i18n.ts` `translator`): English text in, placeholders filled. */
export type Translate = (text: string, vars?: Readonly<Record<string, string | number>>) => string;

/** A channel in words (`beta_form` → "beta form"), through `translate` when given; an unknown one as it is. */
export function channelName(channel: string, translate?: Translate): string {
  const name = Object.hasOwn(CHANNEL_NAMES, channel) ? CHANNEL_NAMES[channel as Channel] : null;
  return name === null ? channel : translate ? translate(name) : name;
}

/** A message language in words (`ru` → "Russian"), through `translate` when given; an unknown one as it is. */
export function languageName(lang: string, translate?: Translate): string {
  const name = Object.hasOwn(LANG_NAMES, lang) ? LANG_NAMES[lang as Lang] : null;
  return name === null ? lang : translate ? translate(name) : name;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A human label: `complaints.login` → "Login complaints", `complaints.twitter` → "Complaints via Twitter"
 * (a configured label wins). With `translate` (the dashboard's other languages) a complaint series is
 * worded by the message catalogue — "All complaints", "Complaints: {category}", "Complaints via
 * {channel}", "Complaints in {lang}", channel and language names — the same keys the dashboard's
 * `seriesLabel` (static/views/common.js) uses, so the Russian wording lives in `static/i18n/ru.json`
 * only; category names stay as configured, and a configured label is kept only for other series.
 */
export function seriesLabel(series: string, labels: Readonly<Record<string, string>> = {}, translate?: Translate): string {
  const name = parseSeriesName(series);
  if (translate) {
    switch (name.kind) {
      case 'total':
        return translate('All complaints');
      case 'category':
        return translate('Complaints: {category}', { category: name.category ?? '' });
      case 'channel':
        return translate('Complaints via {channel}', { channel: channelName(name.channel ?? '', translate) });
      case 'language':
        return translate('Complaints in {lang}', { lang: languageName(name.language ?? '', translate) });
      default:
        return labels[series] ?? series;
    }
  }
  const configured = labels[series];
  if (configured !== undefined) return configured;
  switch (name.kind) {
    case 'total':
      return 'Complaints';
    case 'category':
      return `${capitalise((name.category ?? '').replace(/[._-]+/g, ' '))} complaints`;
    case 'channel':
      return `Complaints via ${channelName(name.channel ?? '')}`;
    case 'language':
      return `Complaints in ${languageName(name.language ?? '')}`;
    default:
      return series;
  }
}

/** Rank for picking an alert's headline series: categories say most, then the total, then channels and languages. */
export function specificity(series: string): number {
  const kind = parseSeriesName(series).kind;
  return kind === 'category' ? 3 : kind === 'other' ? 2 : kind === 'total' ? 1 : 0;
}
