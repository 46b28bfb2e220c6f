/**
 * The shipped alert rules (docs/prometheus-alerts.yml) pass `promtool check rules`, and `promtool test rules`
 * (test/fixtures/prometheus/alerts.test.yml) shows each one firing on the series it is meant for and not on
 * the others. promtool comes with Debian's `prometheus` package; without it the test is skipped with a
 * warning, except in CI (CI=true), where it fails.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';
const missing = !existsSync(PROMTOOL);
if (missing && process.env.CI === 'true') throw new Error(`promtool is required in CI but ${PROMTOOL} does not exist (apt-get install prometheus, or set PROMTOOL_PATH)`);
if (missing) process.stderr.write(`\n!!! promtool tests SKIPPED: no promtool at ${PROMTOOL} (apt-get install prometheus, or set PROMTOOL_PATH)\n\n`);

const RULES = fileURLToPath(new URL('../../../docs/prometheus-alerts.yml', import.meta.url));
const CASES = fileURLToPath(new URL('../../fixtures/prometheus/alerts.test.yml', import.meta.url));

describe.skipIf(missing)('docs/prometheus-alerts.yml (promtool)', () => {
  it('passes promtool check rules', async () => {
    const { stdout } = await run(PROMTOOL, ['check', 'rules', RULES], { timeout: 30_000 });
    expect(stdout).toMatch(/SUCCESS: 5 rules found/);
  });

  it('fires as the unit cases expect (promtool test rules)', async () => {
    const { stdout } = await run(PROMTOOL, ['test', 'rules', CASES], { timeout: 60_000 });
    expect(stdout).toContain('SUCCESS');
  });

  it('a broken rule file fails the check (the check checks something)', async () => {
    const broken = fileURLToPath(new URL('../../fixtures/prometheus/broken-rule.yml', import.meta.url));
    await expect(run(PROMTOOL, ['check', 'rules', broken], { timeout: 30_000 })).rejects.toMatchObject({ code: 1 });
  });
});
