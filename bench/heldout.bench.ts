/**
 * Quality on the held-out mail-service set (`test/fixtures/heldout-mail-2/`, 260 en/ru messages written
 * on 2026-12-07 by a writer who never saw the keyword files, pinned by hash in test/unit/classify/heldout.test.ts): the keyword
 * layer alone (product keywords + generic cues + target) beside the combined classifier (plus the
 * learned layer trained on the tuning set `test/fixtures/labelled/` and the keyword file's examples), and how many complaints about other services are recognised as not ours,
 * on the held-out set and on the demo's mixed stream (seed 42, default rates, one day from 09:00 Moscow).
 */
import { loadKeywords } from '../src/config/keywords.js';
import { compileKeywords, createClassifier, evaluate, keywordExamples, trainLearned, type Classifier, type LabelledExample } from '../src/classify/index.js';
import { createDemoGenerator, type DemoTruth } from '../src/sources/demo/index.js';
import type { BenchArgs } from './index.js';
import { labelledExamples } from './labelled.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const f3 = (x: number) => x.toFixed(3);

function line(name: string, c: Classifier, data: readonly LabelledExample[]): string {
  const r = evaluate(c, data);
  const others = data.filter((e) => e.about === 'other');
  const rejected = others.filter((e) => !c.classify(e.text, e.lang ?? null, e.channel ?? null).complaint).length;
  return `${name.padEnd(26)} complaint P ${f3(r.complaint.precision)} R ${f3(r.complaint.recall)} F1 ${f3(r.complaint.f1)}  category macro-F1 ${f3(r.categoryMacroF1)}  other services not ours ${rejected}/${others.length}`;
}

export default async function heldout(args: BenchArgs): Promise<void> {
  const data = labelledExamples('test/fixtures/heldout-mail-2');
  const tuning = labelledExamples('test/fixtures/labelled');
  const config = loadKeywords();
  const keywords = compileKeywords(config);
  const learned = trainLearned([...tuning, ...keywordExamples(config)], { keywords });
  out(`held-out mail-service set: ${data.length} messages (${data.filter((e) => e.complaint).length} complaints, ${data.filter((e) => e.about === 'other').length} about other services); learned layer trained on the ${tuning.length} tuning messages and the keyword file's examples`);
  for (const lang of [null, 'en', 'ru'] as const) {
    const subset = lang === null ? data : data.filter((e) => e.lang === lang);
    out(`  ${lang ?? 'all'} (n=${subset.length})`);
    out(`    ${line('keywords alone', createClassifier({ keywords }), subset)}`);
    out(`    ${line('keywords + learned', createClassifier({ keywords, learned }), subset)}`);
  }
  const stream = demoStream(args.quick ? 120 : 24 * 60);
  out(`demo mixed stream (seed 42, ${args.quick ? '2 h' : '24 h'}): ${stream.length} messages, ${stream.filter((m) => m.truth.kind === 'other_service').length} complaints about other services`);
  out(`    ${demoLine('keywords alone', createClassifier({ keywords }), stream)}`);
  out(`    ${demoLine('keywords + learned', createClassifier({ keywords, learned }), stream)}`);
}

/** The demo's mixed stream: every message of `minutes` minutes, with its truth. */
export function demoStream(minutes: number): Array<{ text: string; lang: 'en' | 'ru' | null; channel: string; truth: DemoTruth }> {
  const generator = createDemoGenerator({ seed: 42, peakTrafficPerMinute: 60_000, complaintsPerMillionVisits: 100, incidentEveryMs: 25 * 60_000, incidentLengthMs: 15 * 60_000, stepMs: 60_000 });
  const start = Date.UTC(2026, 0, 5, 6, 0);
  const out: Array<{ text: string; lang: 'en' | 'ru' | null; channel: string; truth: DemoTruth }> = [];
  for (let m = 0; m < minutes; m++) {
    for (const message of generator.minute(start + m * 60_000).messages) {
      out.push({ text: message.text, lang: message.lang, channel: message.channel, truth: (message.meta as { truth: DemoTruth }).truth });
    }
  }
  return out;
}

export function demoLine(name: string, c: Classifier, stream: ReturnType<typeof demoStream>): string {
  let tp = 0, fp = 0, fn = 0, fpOther = 0, other = 0, otherRejected = 0;
  for (const m of stream) {
    const got = c.classify(m.text, m.lang, m.channel).complaint;
    if (m.truth.kind === 'other_service') {
      other++;
      if (!got) otherRejected++;
      else fpOther++;
    }
    if (got && m.truth.complaint) tp++;
    else if (got) fp++;
    else if (m.truth.complaint) fn++;
  }
  const p = tp / Math.max(1, tp + fp);
  const r = tp / Math.max(1, tp + fn);
  return `${name.padEnd(26)} complaint P ${f3(p)} R ${f3(r)} F1 ${f3((2 * p * r) / Math.max(1e-9, p + r))}  false positives ${fp} (${fpOther} about other services)  other services not ours ${otherRejected}/${other} = ${f3(otherRejected / Math.max(1, other))}`;
}
