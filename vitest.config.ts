import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/helpers/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // At least two files at a time. Vitest's default for `run` is one fewer worker than CPUs (one on a
    // 2-core machine), but most integration tests wait on Redis, PostgreSQL, child processes and
    // Chromium, so a second file fills the idle time. `--maxWorkers` on the command line overrides it.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowFirstSequencer },
    // A PostgreSQL database per worker: parallel files never drop a schema under another's migration.
    setupFiles: ['./test/helpers/worker-database.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    env: { DOTENV_CONFIG_QUIET: 'true', LOG_LEVEL: 'silent' },
  },
});
