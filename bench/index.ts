/**
 * `npm run bench [-- --only <name>] [-- --nab <path>] [-- --seed <n>]`: runs every `bench/*.bench.ts` in turn and prints
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

const { values } = parseArgs({
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
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  if (values.only && values.only !== name) continue;
  process.stdout.write(`\n== ${name}\n`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: (a: BenchArgs) => Promise<void> };
  await mod.default(args);
}
process.exit(0);
