/**
 * The `retention` section of the service config: how long each kind of stored data is kept before the
 * scheduled retention job (`workers/retention.ts`) prunes it. Defaults suit personal data: message text
 * and authors for 90 days, raw mail in dead letters for 30, counts much longer. `forever` keeps a kind.
 * Which table and time column each period applies to is listed once, in `src/store/retention.ts`.
 */
import { z } from 'zod';
import { duration } from './duration.js';

/** A retention period in milliseconds, or `null` for `forever`. */
const period = (fallback: string, what: string) =>
  z
    .union([z.literal('forever'), duration()])
    .default(fallback)
    .transform((v) => (v === 'forever' ? null : v))
    .refine((v) => v === null || v >= 3_600_000, 'must be at least 1h (or forever)')
    .describe(`${what} Default ${fallback}; \`forever\` keeps it.`);

export const retentionPeriodsSchema = z
  .object({
    messageText: period('90d', 'Message text, author, link and metadata (personal data): after this they are blanked; the row, its id (dedupe) and its classification stay.'),
    messages: period('400d', 'Message rows (already without text): deleted after this, with their relabels.'),
    deadLetters: period('30d', 'Dead letters (they hold the raw payload, e.g. a whole mail): deleted after this.'),
    series: period('400d', 'Counts per bucket (`series_points`: complaint counts, pushed traffic): deleted after this.'),
    detectorPoints: period('35d', 'What the detector said per series and bucket (value, band, score): deleted after this.'),
    alerts: period('365d', 'Alert history: events older than this are deleted, and resolved alerts (their evidence quotes messages) not updated since.'),
    sessions: period('30d', 'Dashboard sessions: deleted this long after they expired.'),
  })
  .strict()
  .superRefine((keep, ctx) => {
    if (keep.messageText !== null && keep.messages !== null && keep.messages < keep.messageText) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['messages'], message: 'must be at least messageText (rows are deleted only after their text)' });
    }
  });

export type RetentionPeriods = z.infer<typeof retentionPeriodsSchema>;
export type RetentionPeriodName = keyof RetentionPeriods;

export const retentionConfigSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Run the retention job (in processes that run the `retention` worker; `radar start` runs it).'),
    every: duration().default('1h').describe('How often the retention job runs (a BullMQ job scheduler: once cluster-wide).'),
    batchSize: z
      .number()
      .int()
      .min(10)
      .max(50_000)
      .default(2000)
      .describe('Rows deleted or blanked per statement: each batch is its own short transaction, so a prune never holds the database for long.'),
    keep: retentionPeriodsSchema.default({}).describe('How long each kind of data is kept.'),
  })
  .strict()
  .describe('How long stored data is kept (personal data first), and the job that prunes it.');

export type RetentionConfig = z.infer<typeof retentionConfigSchema>;
