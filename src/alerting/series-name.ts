/**
 * What a series name says: `complaints` (all), `complaints.<category>`, `complaints.<channel>` or
 * `complaints.channel.<channel>`, `complaints.lang.<language>`, or any pushed series (`traffic`, `errors.5xx`).
 * Channel and language series are breakdowns of the total: they name no category.
 */
import { CHANNELS } from '../domain/message.js';

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

const CHANNEL_LABELS: Readonly<Record<string, string>> = {
  twitter: 'Twitter',
  email: 'e-mail',
  beta_form: 'beta form',
  api: 'API',
};

const LANGUAGE_LABELS: Readonly<Record<string, string>> = { en: 'English', ru: 'Russian' };

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Russian labels (the dashboard's Russian UI, the same words as its catalogue for "Complaints: {category}",
 * "Complaints via {channel}", "Complaints in {lang}", "All complaints"); names stay as configured.
 */
function russianLabel(name: SeriesName): string | null {
  switch (name.kind) {
    case 'total':
      return 'Все жалобы';
    case 'category':
      return `Жалобы: ${name.category ?? ''}`;
    case 'channel':
      return `Жалобы через ${name.channel ?? ''}`;
    case 'language':
      return `Жалобы на языке ${name.language ?? ''}`;
    default:
      return null;
  }
}

/**
 * A human label: `complaints.login` → "Login complaints", `complaints.twitter` → "Complaints via Twitter".
 * `locale: 'ru'` → "Жалобы: login", "Жалобы через twitter" for complaint series (a configured label,
 * written in the deployment's own words, is kept only for other series).
 */
export function seriesLabel(series: string, labels: Readonly<Record<string, string>> = {}, locale: 'en' | 'ru' = 'en'): string {
  const name = parseSeriesName(series);
  if (locale === 'ru') return russianLabel(name) ?? labels[series] ?? series;
  const configured = labels[series];
  if (configured !== undefined) return configured;
  switch (name.kind) {
    case 'total':
      return 'Complaints';
    case 'category':
      return `${capitalise((name.category ?? '').replace(/[._-]+/g, ' '))} complaints`;
    case 'channel':
      return `Complaints via ${CHANNEL_LABELS[name.channel ?? ''] ?? name.channel}`;
    case 'language':
      return `Complaints in ${LANGUAGE_LABELS[name.language ?? ''] ?? name.language}`;
    default:
      return series;
  }
}

/** Rank for picking an alert's headline series: categories say most, then the total, then channels and languages. */
export function specificity(series: string): number {
  const kind = parseSeriesName(series).kind;
  return kind === 'category' ? 3 : kind === 'other' ? 2 : kind === 'total' ? 1 : 0;
}
