/**
 * Runs the slowest test files first, so that with files in parallel the run does not end with one long
 * file alone on a worker while the other idles. Vitest orders by the durations it cached from the last
 * run when it has them, and by file size otherwise (a clean CI checkout); the series-groups files are
 * three lines each and would start last. The list is the slowest files of the last full runs (the
 * first five on an idle 2-core machine, the rest from a loaded one), slowest first; a file not listed
 * runs after them in vitest's own order, so a stale list only costs time, never a test.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const SLOW_FILES: readonly string[] = [
  'test/integration/detect/series-groups.postgres.test.ts',
  'test/integration/detect/series-groups.sqlite.test.ts',
  'test/integration/cli/commands.test.ts',
  'test/integration/chaos/chaos.test.ts',
  'test/integration/detect/outbox-crash.test.ts',
  'test/integration/classify/model-rollout.test.ts',
  'test/integration/cli/start.test.ts',
  'test/integration/cli/roles.test.ts',
  'test/integration/alerting/correlated-incident.test.ts',
  'test/integration/cli/model-versions.test.ts',
  'test/integration/detect/detector-points.test.ts',
  'test/integration/imap/resilience.test.ts',
];

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification): number => {
      const i = SLOW_FILES.findIndex((f) => spec.moduleId.endsWith(`/${f}`));
      return i < 0 ? SLOW_FILES.length : i;
    };
    return sorted.map((spec, i) => ({ spec, i, rank: rank(spec) })).sort((a, b) => a.rank - b.rank || a.i - b.i).map((e) => e.spec);
  }
}
