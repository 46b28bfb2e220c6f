/**
 * The shape of the code, checked: no circular imports; the pure core (classify, series, detect,
 * alerting, domain) imports no IO; nothing in src/ but the entry point imports workers/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(new URL('../../../', import.meta.url).pathname);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'static' ? [] : files(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function importsOf(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? '';
    if (spec.startsWith('.')) local.push(relative(ROOT, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
    else packages.push(spec);
  }
  return { local, packages };
}

const all = [...files(join(ROOT, 'src')), ...files(join(ROOT, 'workers'))].map((f) => relative(ROOT, f));
const graph = new Map(all.map((f) => [f, importsOf(join(ROOT, f))]));

describe('architecture', () => {
  it('reads the code (a guard: the checks below must not pass on an empty graph)', () => {
    const edges = [...graph.values()].reduce((a, g) => a + g.local.filter((l) => graph.has(l)).length, 0);
    expect(graph.size).toBeGreaterThan(100);
    expect(edges).toBeGreaterThan(300);
    expect(graph.get('src/classify/classifier.ts')?.local).toContain('src/classify/keyword-model.ts');
  });

  it('has no circular imports', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const next of graph.get(f)?.local ?? []) {
        if (!graph.has(next)) continue;
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of all) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('the pure core imports no IO and no CLI (commands live in src/cli/)', () => {
    const pure = /^src\/(classify|series|detect|alerting|domain)\//;
    const io = /^(node:(fs|net|http|https|child_process|dgram)|fs|ioredis|bullmq|pg|better-sqlite3|kysely|fastify|imap|mailparser|nodemailer|twitter-api-v2|commander)(\/|$)/;
    const layers = /^src\/(store|queues|api|sources|notify|dashboard)\//;
    const offences: string[] = [];
    for (const [f, { local, packages }] of graph) {
      if (!pure.test(f)) continue;
      for (const p of packages) if (io.test(p)) offences.push(`${f} imports ${p}`);
      for (const l of local) if (layers.test(l) || l.startsWith('workers/') || l === 'src/platform/clock.ts') offences.push(`${f} imports ${l}`);
    }
    expect(offences).toEqual([]);
  });

  it('nothing in src/ but the entry point imports workers/', () => {
    const offences = [...graph]
      .filter(([f]) => f.startsWith('src/') && f !== 'src/cli.ts')
      .flatMap(([f, { local }]) => local.filter((l) => l.startsWith('workers/')).map((l) => `${f} imports ${l}`));
    expect(offences).toEqual([]);
  });
});
