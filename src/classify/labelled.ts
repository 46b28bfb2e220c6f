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
}

/** Parses JSONL text (one `{text, lang?, complaint, category?}` per line; blank lines skipped). */
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
    const o = value as Record<string, unknown> | null;
    const lang = o?.lang;
    const category = o?.category;
    if (
      o === null || typeof o !== 'object' || typeof o.text !== 'string' || typeof o.complaint !== 'boolean' ||
      !(lang === undefined || lang === null || (typeof lang === 'string' && (LANGS as readonly string[]).includes(lang))) ||
      !(category === undefined || category === null || typeof category === 'string')
    ) {
      throw new RadarError('ERR_CONFIG', `${file}:${i + 1}: expected {"text": string, "complaint": boolean, "lang"?: "en"|"ru", "category"?: string|null}`, {
        context: { file, line: i + 1 },
      });
    }
    out.push({ text: o.text, lang: (lang ?? null) as Lang | null, complaint: o.complaint, category: (category ?? null) as string | null });
  });
  return out;
}
