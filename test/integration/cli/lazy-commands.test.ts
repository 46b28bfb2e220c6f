/**
 * A command's code loads only when that command runs (dynamic imports in each registration): `radar
 * --help` loads the registrations and commander, not the config schemas, the store, the queues, the
 * classifier or the sources; `radar config check` loads the config schemas and still none of the rest.
 * Checked by what the process resolves (module hooks that record every URL), not by timing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIZES } from '../../../src/classify/learning-curve.js';
import { CURVE_SIZES } from '../../../src/cli/classify-command.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/radar.js');
const TRACE = join(ROOT, 'test/fixtures/cli/trace-imports.mjs');
const dir = mkdtempSync(join(tmpdir(), 'radar-cli-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `radar <args>` and returns its exit status, stdout and the modules it loaded (project-relative paths, package names). */
function loaded(args: string[]): Promise<{ status: number | null; stdout: string; modules: Set<string> }> {
  const file = join(dir, `${args.join('-').replace(/[^\w-]/g, '_')}.txt`);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', TRACE, BIN, ...args], { cwd: ROOT, env: { ...process.env, RADAR_TRACE_IMPORTS: file, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 60_000 }, (error, stdout) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        reject(e);
        return;
      }
      const modules = new Set(
        text
          .split('\n')
          .filter((u) => u.startsWith('file://'))
          .map((u) => {
            const path = new URL(u).pathname;
            const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
            return pkg ? `pkg:${pkg[1]}` : path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
          }),
      );
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, modules });
    });
  });
}

/** What no command needs before it runs: schemas, database, queues, HTTP, the classifier, the detector, sources. */
const HEAVY = [
  'pkg:zod', 'pkg:yaml', 'pkg:bullmq', 'pkg:ioredis', 'pkg:kysely', 'pkg:pg', 'pkg:better-sqlite3', 'pkg:fastify', 'pkg:pino', 'pkg:imap', 'pkg:mailparser', 'pkg:natural', 'pkg:cli-progress',
  'src/config/service.ts', 'src/store/store.ts', 'src/queues/queues.ts', 'src/classify/classifier.ts', 'src/detect/detector.ts', 'src/api/app.ts', 'workers/service.ts', 'workers/source-probe.ts',
];
/** What checking a service config must still not load. */
const NOT_FOR_CONFIG_CHECK = HEAVY.filter((m) => !['pkg:zod', 'pkg:yaml', 'src/config/service.ts'].includes(m));

describe.concurrent('commands load their code when they run', () => {
  it('radar --help lists every command from the registrations alone', async () => {
    const run = await loaded(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('classify replay [options]');
    expect(run.stdout).toContain('sources test [options] <name>');
    // the guard: the trace saw the registrations
    expect(run.modules).toContain('src/cli/classify-command.ts');
    expect(run.modules).toContain('workers/replay-command.ts');
    expect(run.modules).toContain('pkg:commander');
    expect(HEAVY.filter((m) => run.modules.has(m))).toEqual([]);
  });

  it('radar config check loads the config schemas, not the store, queues, HTTP or sources', async () => {
    const run = await loaded(['config', 'check', 'config/radar.example.yaml']);
    expect(run.stdout).toContain('config/radar.example.yaml: ok (service config)');
    expect(run.status).toBe(0);
    expect(run.modules).toContain('src/config/service.ts');
    expect(NOT_FOR_CONFIG_CHECK.filter((m) => run.modules.has(m))).toEqual([]);
  });

  it('a command still runs its code: radar detect loads the detector', async () => {
    const run = await loaded(['detect', '--in', join(dir, 'missing.csv'), '--out', join(dir, 'out.csv')]);
    expect(run.status).toBe(2);
    expect(run.modules).toContain('src/detect/detector.ts');
  });

  it('the learning curve\'s default sizes, named in the help without loading it, are the module\'s', () => {
    expect(CURVE_SIZES).toBe(DEFAULT_SIZES.join(','));
  });
});
