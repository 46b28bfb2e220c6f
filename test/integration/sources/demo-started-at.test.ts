/**
 * The demo remembers when it first started (its first incident follows within the hour, see
 * src/sources/demo/schedule.ts): kept in the demo cursor across restarts, absent for a demo that was
 * started before the cursor carried it. Real Redis and SQLite, a pinned clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/platform/clock.js';
import { startDemo, type DemoRunner } from '../../../workers/demo.js';
import { createTestService, type TestService } from '../../helpers/services.js';

const T0 = Date.UTC(2026, 2, 9, 6, 0, 30);
const HOUR = 3_600_000;

interface Cursor {
  seed: number;
  sentUpTo: number;
  startedAt?: number;
}

describe('the demo cursor keeps when the demo first started', () => {
  let service: TestService | undefined;
  let runner: DemoRunner | undefined;
  afterEach(async () => {
    await runner?.close();
    await service?.cleanup();
    runner = undefined;
    service = undefined;
  });

  /** Waits until the backfill queued everything up to `upTo` (the cursor moved), then stops the runner. */
  const runUntil = async (s: TestService, upTo: number): Promise<Cursor> => {
    runner = await startDemo(s.ctx, { tickMs: 3_600_000 });
    for (let i = 0; i < 600; i++) {
      const c = await s.ctx.store.kv.get<Cursor>('demo.cursor');
      if (c && c.sentUpTo >= upTo) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await runner.close();
    runner = undefined;
    const cursor = await s.ctx.store.kv.get<Cursor>('demo.cursor');
    expect(cursor?.sentUpTo).toBe(upTo);
    return cursor as Cursor;
  };

  it('a fresh demo records its start; a restart keeps it', async () => {
    const clock = new ManualClock(T0);
    service = await createTestService({ clock, config: { demo: { enabled: true, backfill: '2h' } } });
    expect((await runUntil(service, T0)).startedAt).toBe(T0);
    clock.set(T0 + 3 * HOUR);
    expect((await runUntil(service, T0 + 3 * HOUR)).startedAt).toBe(T0);
  }, 120_000);

  it('a demo started before (its cursor has no start) keeps playing without one', async () => {
    const clock = new ManualClock(T0);
    service = await createTestService({ clock, config: { demo: { enabled: true, backfill: '2h' } } });
    await service.ctx.store.kv.set('demo.cursor', { seed: service.config.demo.seed, sentUpTo: T0 - 2 * HOUR }, T0);
    const cursor = await runUntil(service, T0);
    expect(cursor.startedAt).toBeUndefined();
  }, 120_000);
});
