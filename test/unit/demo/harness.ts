import { createDemoGenerator, type DemoGenerator, type DemoOptions, type DemoTruth } from '../../../src/sources/demo/index.js';
import type { Message } from '../../../src/domain/message.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** Monday 2026-01-05 00:00 Moscow time (21:00 UTC the day before). */
export const MONDAY_MSK = Date.UTC(2026, 0, 5) - 3 * HOUR;

export const BASE: DemoOptions = {
  seed: 42,
  peakTrafficPerMinute: 60_000,
  complaintsPerMillionVisits: 40,
  incidentEveryMs: 6 * MINUTE,
  incidentLengthMs: 4 * MINUTE,
  stepMs: MINUTE,
};

/** No incidents in any test window (one "every" 30 years). */
export const NO_INCIDENTS: Partial<DemoOptions> = { incidentEveryMs: 30 * 365 * DAY };

export function demo(overrides: Partial<DemoOptions> = {}): DemoGenerator {
  return createDemoGenerator({ ...BASE, ...overrides });
}

export function truth(m: Message): DemoTruth {
  return m.meta?.truth as DemoTruth;
}

/** Bucket starts in [from, from + span). */
export function minutes(from: number, span: number, step = MINUTE): number[] {
  const out: number[] = [];
  for (let t = from; t < from + span; t += step) out.push(t);
  return out;
}
