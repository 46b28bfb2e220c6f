/**
 * Near-duplicate clustering at query time (`GET /api/messages/clusters`, the incident page): the cost of
 * `clusterNearDuplicates` over the bounded window the API reads (1,000 messages; 2,000 and 5,000 to show
 * how it grows), on a generated en/ru mix where a third are retweet-like variants of 30 complaints
 * (other mentions, links, "!!!", a number) and the rest distinct ~20-word texts. Median of 5 runs, wall and CPU time.
 * Then what the route does on SQLite: read the newest 1,000 matching messages of 20,000 stored (the
 * existing `list` query) and cluster them. No message is touched at ingest (no stored signature), so
 * ingest is not slowed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterNearDuplicates } from '../src/classify/near-duplicates.js';
import type { ClassifiedMessage } from '../src/store/message-store.js';
import { Store } from '../src/store/store.js';
import { generate } from './classify.bench.js';
import type { BenchArgs } from './index.js';
import { median } from './stats.js';

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
    // CPU time: what one core spends when the shared machine does not take it away.
    process.stdout.write(`clusterNearDuplicates over ${n} messages: median ${median(wall).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms CPU, ${clusters} clusters\n`);
  }

  // The route on SQLite: list (newest 1,000 complaints of a category) + cluster.
  const dir = mkdtempSync(join(tmpdir(), 'radar-clusters-bench-'));
  const store = await Store.open({ url: `sqlite:${join(dir, 'radar.db')}` });
  try {
    const stored = args.quick ? 5000 : 20_000;
    const texts = corpus(stored);
    const t0 = Date.UTC(2026, 0, 1);
    const items: ClassifiedMessage[] = texts.map((text, i) => ({
      message: { id: `api:b${i}`, channel: 'api', source: 'api', author: null, text, lang: null, createdAt: new Date(t0 + i * 1000).toISOString(), link: null },
      classification: { complaint: true, score: 0.9, categories: [{ name: i % 2 === 0 ? 'login' : 'slow', score: 0.9, terms: [] }], lang: 'en' },
    }));
    for (let i = 0; i < items.length; i += 2000) await store.ingest(items.slice(i, i + 2000), t0 + stored * 1000, 60_000);
    const wall: number[] = [];
    let scanned = 0;
    for (let run = 0; run < 6; run++) {
      const start = process.hrtime.bigint();
      const page = await store.messages.list({ complaint: true, category: 'login' }, 1000);
      clusterNearDuplicates(page.items);
      scanned = page.items.length;
      if (run > 0) wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    process.stdout.write(`GET /api/messages/clusters work on SQLite (${stored} stored, ${scanned} read and clustered): median ${median(wall).toFixed(1)} ms wall\n`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
