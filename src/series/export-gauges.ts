import { CHANNELS, LANGS } from '../domain/message.js';
import { SERIES } from './counts.js';

/**
 * PURE: the complaint counts and rates exported to Prometheus at scrape time, from the stored series of one
 * complete bucket, with bounded label sets: categories of the keyword config, the Message channels, and the
 * languages `en`, `ru` and `other` (complaints whose language is neither, or unknown).
 */

/** The `language` label's values. */
export const EXPORT_LANGUAGES = [...LANGS, 'other'] as const;
export type ExportLanguage = (typeof EXPORT_LANGUAGES)[number];

/** The `language` label of a message's language (`other` when unknown or not one the classifier knows). */
export function languageLabel(lang: string | null | undefined): ExportLanguage {
  return (LANGS as readonly string[]).includes(lang ?? '') ? (lang as ExportLanguage) : 'other';
}

/** The `category` label: a category of the keyword config as it is, anything else `other` (bounded). */
export function categoryLabel(name: string, known: readonly string[]): string {
  return known.includes(name) ? name : 'other';
}

/** The stored series one scrape reads (a bounded list: config categories, channels, languages, the reference). */
export function exportedSeriesKeys(categories: readonly string[], reference: string): string[] {
  return [
    SERIES.complaints,
    ...categories.map((c) => SERIES.complaintsByCategory(c)),
    ...CHANNELS.map((c) => SERIES.complaintsByChannel(c)),
    ...LANGS.map((l) => SERIES.complaintsByLang(l)),
    reference,
  ];
}

export interface ExportSample<L extends string> {
  readonly labels: Readonly<Record<L, string>>;
  /** Complaints in the bucket. */
  readonly count: number;
  /** Complaints per million of the reference in the bucket; null when the reference is missing or zero. */
  readonly rate: number | null;
}

export interface ExportGauges {
  readonly total: ExportSample<never>;
  readonly byCategory: ReadonlyArray<ExportSample<'category'>>;
  readonly byChannel: ReadonlyArray<ExportSample<'channel'>>;
  readonly byLanguage: ReadonlyArray<ExportSample<'language'>>;
  /** The reference's value in the bucket (null when nothing was pushed for it). */
  readonly reference: number | null;
}

/** Per million of the reference, as the series API's `rate=true` (see series/rate.ts). */
export const RATE_PER = 1_000_000;

/**
 * The gauges of one bucket from the stored values (`values`: series key → value; a counter key with no
 * row means 0). Every label of the bounded sets gets a sample, zero included, so a graph never has gaps.
 *
 * @example
 * const v = new Map([['complaints', 3], ['complaints.login', 2], ['complaints.lang.en', 1], ['traffic', 1000]]);
 * exportGauges(v, ['login'], 'traffic').byLanguage; // en 1, ru 0, other 2 — rates 1000, 0, 2000 per million
 */
export function exportGauges(values: ReadonlyMap<string, number>, categories: readonly string[], reference: string): ExportGauges {
  const ref = values.get(reference);
  const refValue = ref === undefined ? null : ref;
  const sample = <L extends string>(labels: Record<L, string>, count: number): ExportSample<L> => ({
    labels,
    count,
    rate: refValue !== null && refValue > 0 ? (count / refValue) * RATE_PER : null,
  });
  const at = (key: string) => values.get(key) ?? 0;
  const total = at(SERIES.complaints);
  const known = LANGS.reduce((sum, l) => sum + at(SERIES.complaintsByLang(l)), 0);
  return {
    total: sample<never>({} as Record<never, string>, total),
    byCategory: categories.map((category) => sample({ category }, at(SERIES.complaintsByCategory(category)))),
    byChannel: CHANNELS.map((channel) => sample({ channel }, at(SERIES.complaintsByChannel(channel)))),
    byLanguage: [
      ...LANGS.map((language) => sample<'language'>({ language }, at(SERIES.complaintsByLang(language)))),
      sample<'language'>({ language: 'other' }, Math.max(0, total - known)),
    ],
    reference: refValue,
  };
}
