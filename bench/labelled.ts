/** The labelled JSONL folders the classifier benches read (tuning, development and held-out sets). */
import { readFileSync, readdirSync } from 'node:fs';
import { parseLabelledJsonl, type LabelledExample } from '../src/classify/index.js';

/** Each `.jsonl` file of `dir`, in name order, with its examples. */
export function labelledFiles(dir: string): Array<{ file: string; examples: LabelledExample[] }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => ({ file: f, examples: parseLabelledJsonl(readFileSync(`${dir}/${f}`, 'utf8'), f) }));
}

/** Every example of `dir`'s `.jsonl` files, in file-name order. */
export function labelledExamples(dir: string): LabelledExample[] {
  return labelledFiles(dir).flatMap((f) => f.examples);
}
