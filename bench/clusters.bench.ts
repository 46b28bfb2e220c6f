/**
 * Near-duplicate clustering at query time (`GET /api/messages/clusters`, the incident page): the cost of
 * `clusterNearDuplicates` over the bounded window the API reads (1,000 messages; 2,000 and 5,000 to show
 * how it grows), on a generated en/ru mix where a third are retweet-like variants of 30 complaints
 * (other mentions, links, "!!!", a number) and the rest distinct ~20-word texts. Median of 5 runs, wall and CPU time.
 * No message is touched at ingest (no stored signature), so ingest is not slowed.
 */
import { clusterNearDuplicates } from '../src/classify/near-duplicates.js';
import { generate } from './classify.bench.js';
import type { BenchArgs } from './index.js';

const TEMPLATES = [
  'cannot log in since the update, password rejected every time',
  'не могу войти в почту с утра, пароль не подходит',
  'emails are stuck in the outbox and never get sent',
  'письма не приходят уже второй день',
  'the app crashes when I open an attachment',
  'вложение не открывается, приложение закрывается',
];

function corpus(n: number): string[] {
  const distinct = generate(n);
  return distinct.map((text, i) => {
    if (i % 3 !== 0) return text;
    const t = TEMPLATES[i % TEMPLATES.length] as string;
    return `RT @user${i}: ${t}${i % 2 === 0 ? '!!!' : ''} https://t.co/${i.toString(36)} #${i % 5}`;
  });
}

export default async function clustersBench(args: BenchArgs): Promise<void> {
  for (const n of args.quick ? [1000] : [1000, 2000, 5000]) {
    const texts = corpus(n).map((text) => ({ text }));
    clusterNearDuplicates(texts); // warm-up
    const wall: number[] = [];
    const cpu: number[] = [];
    let clusters = 0;
    for (let run = 0; run < 5; run++) {
      const start = process.hrtime.bigint();
      const used = process.cpuUsage();
      clusters = clusterNearDuplicates(texts).length;
      const spent = process.cpuUsage(used);
      wall.push(Number(process.hrtime.bigint() - start) / 1e6);
      cpu.push((spent.user + spent.system) / 1000);
    }
    const median = (xs: number[]) => ([...xs].sort((a, b) => a - b)[2] as number).toFixed(1);
    // CPU time: what one core spends when the shared machine does not take it away.
    process.stdout.write(`clusterNearDuplicates over ${n} messages: median ${median(wall)} ms wall, ${median(cpu)} ms CPU, ${clusters} clusters\n`);
  }
}
