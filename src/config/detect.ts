/**
 * The `detect` section of the service config: defaults plus a list of watched series, each a key (or a key
 * pattern like `complaints.*`) with its reference series and detector settings. Parse with the schema, then
 * `compileDetectorOptions` turns it into the detector options of one concrete series key.
 */
import { z } from 'zod';
import { duration } from './duration.js';
import type { DetectorOptions } from '../detect/options.js';

const direction = z.enum(['up', 'down', 'both']);
const model = z.enum(['auto', 'counts', 'continuous']);

/** Settings a series entry may override; also the shape of `radar detect --config params.json`. */
export const detectorSettingsSchema = z
  .object({
    step: z.number().int().positive().optional().describe('Step between points in ms (default: the series bucket, inferred from timestamps).'),
    sensitivity: z.number().positive().optional().describe('Multiplies the anomaly score: 2 = twice as eager to alert, 0.5 = half.'),
    threshold: z.number().min(0).max(1).optional().describe('Score at or above which the detector alerts (production threshold).'),
    minCount: z.number().min(0).optional().describe('Counts: least absolute excess over expected (or shortfall, for drops) that may alert, so 1 → 3 complaints at 4 a.m. pages nobody.'),
    direction: direction.optional().describe('Which changes alert: up (rises), down (drops) or both.'),
    model: model.optional().describe('counts = Poisson-like counts (complaints); continuous = metrics; auto decides from the warm-up points.'),
    warmupMinutes: z.number().min(0).optional().describe('Minutes of data before the first verdict (default 60; converted to points by the series step).'),
    cooldownMinutes: z
      .number()
      .min(0)
      .optional()
      .describe('Minutes after a detection during which repeats are suppressed and the baseline re-learns (one alert per incident; default 60, and at least 144 points; ends early after rearmMinutes back to normal).'),
    rearmMinutes: z
      .number()
      .min(0)
      .optional()
      .describe('A hold ends once the series has been back in band of its old baseline for this many minutes and the counts (or values) pooled since the detection say that baseline is back, so the next incident alerts again (default 720; 0 = holds last the whole cooldown).'),
    memoryMinutes: z.number().min(0).optional().describe('Time constant of the baseline level, in minutes (default 100, and at least 20 points).'),
    daily: z.boolean().optional().describe('Learn a daily profile (used only once it improves the fit).'),
    weekly: z.boolean().optional().describe('Learn a weekly profile (used only once it improves the fit, after two weeks).'),
    tuning: z
      .object({
        clipZ: z.number().positive().optional().describe('Residuals are clipped to ±clipZ σ before they teach the baseline and the tests (default 4).'),
        cusumK: z.number().positive().optional().describe('CUSUM allowance in σ for continuous series (default 1.5).'),
        rangeMargin: z.number().min(0).optional().describe('A value beyond the range seen so far ± this share of it is a new extreme (default 0.05).'),
        window: z.number().min(1).optional().describe('Width in points of the short average the continuous window test runs on (default 6).'),
        fastGain: z.number().positive().max(1).optional().describe('Gain of the level while re-baselining after a detection (default 0.2).'),
        rebaseMinutes: z.number().min(0).optional().describe('Minutes of fast re-baselining after a detection, at most half the cooldown (default 60).'),
        calibrationMemory: z.number().min(1).optional().describe('Points of memory of the surprise calibration of continuous series (default 1000).'),
        calibrationWinsor: z.number().min(0).optional().describe('The surprise that teaches the calibration is winsorised at mean + this many sd; 0 = off (default 25).'),
        rankSpan: z.number().positive().optional().describe('Span of the continuous rank test\'s reference sample, in warm-ups (default 1).'),
        rankWeight: z.number().min(0).optional().describe('Weight of the rank test\'s evidence against the calibrated tests (default 0.5).'),
        cooldownFloor: z.number().int().min(1).optional().describe('The least cooldown in points whatever the step (default 144).'),
      })
      .strict()
      .optional()
      .describe('Constants of the method that both NAB and anomaly-extra move with (DetectorTuning in src/detect/options.ts); every other constant is fixed in the code. For benchmarks; a series config normally leaves them alone.'),
  })
  .strict();

export const detectSeriesSchema = detectorSettingsSchema
  .extend({
    key: z.string().min(1).describe('Series key, or a pattern with `*` matching one key segment or more (`complaints.*`).'),
    reference: z.string().min(1).nullable().optional().describe('Key of the reference series (e.g. `traffic`) the series is judged relative to; null for none.'),
  })
  .strict();

export const detectConfigSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Run the detector on the configured series.'),
    defaults: detectorSettingsSchema.default({}).describe('Settings every series gets unless its entry overrides them.'),
    series: z
      .array(detectSeriesSchema)
      .default([
        { key: 'complaints', reference: 'traffic', model: 'counts', direction: 'up', memoryMinutes: 720, rearmMinutes: 10 },
        { key: 'complaints.*', reference: 'traffic', model: 'counts', direction: 'up', memoryMinutes: 720, rearmMinutes: 10 },
        // Service metrics (the demo writes these; push or pull yours under the same names): errors rise, logins and letters sent drop.
        { key: 'errors.*', reference: 'traffic', model: 'counts', direction: 'up', memoryMinutes: 720, rearmMinutes: 10 },
        { key: 'logins', reference: 'traffic', model: 'counts', direction: 'down', memoryMinutes: 720, rearmMinutes: 10 },
        { key: 'letters.sent', reference: 'traffic', model: 'counts', direction: 'down', memoryMinutes: 720, rearmMinutes: 10 },
      ])
      .describe(
        'Series to watch; the first entry whose key matches a series applies. Default: complaints (total and every breakdown), and the service metrics `errors.*` (rises), `logins` and `letters.sent` (drops), each relative to traffic.',
      ),
    groups: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .default(16)
      .describe(
        'Series groups a tick is split into: one job per group and tick, each with its own lock and state, so detect workers on several processes share the series (a series belongs to the group its key hashes to).',
      ),
    learning: duration()
      .default('24h')
      .describe('A series is "learning" (shown, never paged) until this long after its first non-empty bucket: too little history to know its normal.'),
    startupWindow: duration()
      .default('15m')
      .describe('On a start with no saved detector state, the last this-much of the warm-up is judged for alerts (series out of learning only), so an incident under way is paged.'),
    late: z
      .object({
        maxWait: duration()
          .default('10m')
          .describe('A polled source whose watermark (last successful poll) lags more than this no longer holds detection back; its data counts as late when it comes.'),
        window: duration()
          .default('24h')
          .describe('How far back late data is judged again (hourly detector-state checkpoints are kept this long).'),
      })
      .strict()
      .default({})
      .describe('Late data: a bucket is judged when every source\'s watermark has passed it; data that arrives for a judged bucket judges it, and what follows, again.'),
  })
  .strict();

export type DetectorSettings = z.infer<typeof detectorSettingsSchema>;
export type DetectSeriesConfig = z.infer<typeof detectSeriesSchema>;
export type DetectConfig = z.infer<typeof detectConfigSchema>;

/** Does a key pattern (`complaints.*`, `*` = one or more characters) match a series key? */
export function keyMatches(pattern: string, key: string): boolean {
  if (!pattern.includes('*')) return pattern === key;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
  return re.test(key);
}

export interface CompiledSeries {
  readonly key: string;
  readonly reference: string | null;
  readonly options: DetectorOptions;
}

function toOptions(s: DetectorSettings): DetectorOptions {
  const out: { -readonly [K in keyof DetectorOptions]: DetectorOptions[K] } = {};
  if (s.step !== undefined) out.step = s.step;
  if (s.sensitivity !== undefined) out.sensitivity = s.sensitivity;
  if (s.threshold !== undefined) out.threshold = s.threshold;
  if (s.minCount !== undefined) out.minCount = s.minCount;
  if (s.direction !== undefined) out.direction = s.direction;
  if (s.model !== undefined) out.model = s.model;
  if (s.warmupMinutes !== undefined) out.warmupMinutes = s.warmupMinutes;
  if (s.cooldownMinutes !== undefined) out.cooldownMinutes = s.cooldownMinutes;
  if (s.memoryMinutes !== undefined) out.memoryMinutes = s.memoryMinutes;
  if (s.rearmMinutes !== undefined) out.rearmMinutes = s.rearmMinutes;
  if (s.daily !== undefined) out.daily = s.daily;
  if (s.weekly !== undefined) out.weekly = s.weekly;
  if (s.tuning !== undefined) out.tuning = s.tuning;
  return out;
}

/**
 * The detector options for one series key: defaults, overridden by the first matching entry. `null` when no
 * entry matches (the series is not watched) or detection is disabled.
 */
export function compileDetectorOptions(config: DetectConfig, key: string): CompiledSeries | null {
  if (!config.enabled) return null;
  const entry = config.series.find((e) => keyMatches(e.key, key));
  if (entry === undefined) return null;
  const { key: _pattern, reference, ...settings } = entry;
  void _pattern;
  const base = toOptions(config.defaults);
  const own = toOptions(settings);
  return {
    key,
    reference: reference ?? null,
    options: { ...base, ...own, tuning: { ...base.tuning, ...own.tuning } },
  };
}

/** Settings as read from a params JSON (`radar detect --config`), as detector options. */
export function detectorOptionsFromSettings(settings: unknown): DetectorOptions {
  return toOptions(detectorSettingsSchema.parse(settings));
}

/** How often the detect tick is scheduled: every series step, at most every 15 s (the worker and /health agree on it). */
export function detectTickEveryMs(seriesStep: number): number {
  return Math.min(seriesStep, 15_000);
}
