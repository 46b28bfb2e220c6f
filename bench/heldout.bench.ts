/**
 * Quality on the held-out mail-service set (`test/fixtures/heldout-mail/`, 260 en/ru messages written
 * before the vocabulary of issue 13, pinned by hash in test/unit/classify/heldout.test.ts): the keyword
 * layer alone beside the combined classifier (keywords + learned layer trained on the tuning set
 * `test/fixtures/labelled/`), and how many complaints about other services are recognised as not ours.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { loadKeywords } from '../src/config/keywords.js';
import { compileKeywords, createClassifier, evaluate, parseLabelledJsonl, trainLearned, type Classifier, type LabelledExample } from '../src/classify/index.js';
import type { BenchArgs } from './index.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const f3 = (x: number) => x.toFixed(3);

function read(dir: string): LabelledExample[] {
  return readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort().flatMap((f) => parseLabelledJsonl(readFileSync(`${dir}/${f}`, 'utf8'), f));
}

function line(name: string, c: Classifier, data: readonly LabelledExample[]): string {
  const r = evaluate(c, data);
  const others = data.filter((e) => e.about === 'other');
  const rejected = others.filter((e) => !c.classify(e.text, e.lang ?? null).complaint).length;
  return `${name.padEnd(26)} complaint P ${f3(r.complaint.precision)} R ${f3(r.complaint.recall)} F1 ${f3(r.complaint.f1)}  category macro-F1 ${f3(r.categoryMacroF1)}  other services not ours ${rejected}/${others.length}`;
}

export default async function heldout(_args: BenchArgs): Promise<void> {
  const data = read('test/fixtures/heldout-mail');
  const tuning = read('test/fixtures/labelled');
  const keywords = compileKeywords(loadKeywords());
  const learned = trainLearned(tuning, { keywords });
  out(`held-out mail-service set: ${data.length} messages (${data.filter((e) => e.complaint).length} complaints, ${data.filter((e) => e.about === 'other').length} about other services); learned layer trained on the ${tuning.length} tuning messages`);
  for (const lang of [null, 'en', 'ru'] as const) {
    const subset = lang === null ? data : data.filter((e) => e.lang === lang);
    out(`  ${lang ?? 'all'} (n=${subset.length})`);
    out(`    ${line('keywords alone', createClassifier({ keywords }), subset)}`);
    out(`    ${line('keywords + learned', createClassifier({ keywords, learned }), subset)}`);
  }
}
