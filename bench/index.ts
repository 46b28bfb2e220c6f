/**
 * `npm run bench [-- [--only <name>] [--nab <path>] [--corpora <path>] [--extra <path>] [--seed <n>] [--quick]]`:
 * runs every `bench/*.bench.ts` (or the one named) in turn and prints
 * its figures. Each bench module exports `default async (args: BenchArgs) => void` and prints lines.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface BenchArgs {
  /** Path to the NAB folder (default ../shared/nab when it exists). */
  readonly nab: string | undefined;
  /** Path to the labelled corpora folder (default ../shared/corpora when it exists). */
  readonly corpora: string | undefined;
  /** Path to the anomaly-extra corpus (default ../shared/anomaly-extra when it exists). */
  readonly extra: string | undefined;
  readonly quick: boolean;
  /** `--seed <n>`: the demo seed for the benches that replay the demo (default: the config's, 42). */
  readonly seed: number | undefined;
}

const { values, positionals } = parseArgs({
  options: {
    only: { type: 'string' },
    nab: { type: 'string' },
    corpora: { type: 'string' },
    extra: { type: 'string' },
    quick: { type: 'boolean', default: false },
    seed: { type: 'string' },
  },
  allowPositionals: true,
});

// A flag after a second `--` ("npm run bench -- --only corpora -- --quick") arrives as a word, not a flag:
// refuse it rather than run without it.
if (positionals.length > 0) throw new Error(`unexpected argument(s) ${positionals.map((p) => `'${p}'`).join(' ')}: flags go after one '--', e.g. npm run bench -- --only corpora --quick`);

const here = dirname(fileURLToPath(import.meta.url));
const { existsSync } = await import('node:fs');
const args: BenchArgs = {
  nab: values.nab ?? (existsSync(join(here, '../../shared/nab')) ? join(here, '../../shared/nab') : undefined),
  corpora: values.corpora ?? (existsSync(join(here, '../../shared/corpora')) ? join(here, '../../shared/corpora') : undefined),
  extra: values.extra ?? (existsSync(join(here, '../../shared/anomaly-extra')) ? join(here, '../../shared/anomaly-extra') : undefined),
  quick: values.quick ?? false,
  seed: values.seed === undefined ? undefined : Number.parseInt(values.seed, 10),
};
if (args.seed !== undefined && !Number.isInteger(args.seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);

const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
const names = files.map((f) => f.replace(/\.bench\.ts$/, ''));
if (values.only !== undefined && !names.includes(values.only)) throw new Error(`--only: no bench named '${values.only}'; the benches: ${names.join(', ')}`);
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  if (values.only && values.only !== name) continue;
  process.stdout.write(`\n== ${name}\n`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: (a: BenchArgs) => Promise<void> };
  await mod.default(args);
}
process.exit(0);
