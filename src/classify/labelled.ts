import type { Lang } from '../domain/message.js';
import { LANGS } from '../domain/message.js';
import { RadarError } from '../platform/errors.js';

/** One labelled message (a JSONL line of `radar classify eval`, or a support relabel). */
export interface LabelledExample {
  readonly text: string;
  readonly lang?: Lang | null;
  readonly complaint: boolean;
  /** The category of a complaint; null/absent for "none of the categories" or a non-complaint. */
  readonly category?: string | null;
  /** The channel it came through (`twitter`, `email`, `beta_form`, `api`), when known: mail to our support is about us unless it says otherwise. */
  readonly channel?: string | null;
  /** Whom the message is about, when labelled: `us` (our service) or `other` (another service or thing). */
  readonly about?: 'us' | 'other' | null;
  /** Training weight (default 1); the keyword file's own examples weigh less than support's relabels. */
  readonly weight?: number;
}

/** Parses JSONL text (one `{text, lang?, complaint, category?, channel?, about?}` per line; blank lines skipped). */
export function parseLabelledJsonl(text: string, file = 'data.jsonl'): LabelledExample[] {
  const out: LabelledExample[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new RadarError('ERR_CONFIG', `${file}:${i + 1}: not valid JSON`, { cause: error, context: { file, line: i + 1 } });
    }
    out.push(labelledExample(value, file, i + 1));
  });
  return out;
}

/** One labelled example from a parsed value (line `line` of `file`, for the error), or ERR_CONFIG saying what is expected. */
export function labelledExample(value: unknown, file: string, line: number): LabelledExample {
  const o = value as Record<string, unknown> | null;
  const lang = o?.lang;
  const category = o?.category;
  const channel = o?.channel;
  const about = o?.about;
  if (
    o === null || typeof o !== 'object' || typeof o.text !== 'string' || typeof o.complaint !== 'boolean' ||
    !(lang === undefined || lang === null || (typeof lang === 'string' && (LANGS as readonly string[]).includes(lang))) ||
    !(category === undefined || category === null || typeof category === 'string') ||
    !(channel === undefined || channel === null || typeof channel === 'string') ||
    !(about === undefined || about === null || about === 'us' || about === 'other')
  ) {
    throw new RadarError('ERR_CONFIG', `${file}:${line}: expected {"text": string, "complaint": boolean, "lang"?: "en"|"ru", "category"?: string|null, "channel"?: string, "about"?: "us"|"other"}`, {
      context: { file, line },
    });
  }
  const example: LabelledExample = { text: o.text, lang: (lang ?? null) as Lang | null, complaint: o.complaint, category: (category ?? null) as string | null };
  return channel === undefined && about === undefined ? example : { ...example, channel: (channel ?? null) as string | null, about: (about ?? null) as 'us' | 'other' | null };
}
