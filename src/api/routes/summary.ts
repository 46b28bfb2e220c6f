import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CHANNELS, LANGS } from '../../domain/message.js';
import { parseDuration } from '../../config/duration.js';
import type { ApiDeps } from '../deps.js';
import { HttpError, parseInput } from '../errors.js';
import { timeInput } from '../schemas.js';

const summaryQuery = z
  .object({
    window: z.string().max(10).default('1h'),
    channel: z.enum(CHANNELS).optional(),
    lang: z.enum(LANGS).optional(),
    to: timeInput.optional(),
  })
  .strict();

export interface CategorySummary {
  readonly category: string;
  readonly count: number;
  readonly previous: number;
  /** Complaints per million visits of the reference series in the window (null without traffic). */
  readonly rate: number | null;
  /** Share of all complaints in the window, 0..1. */
  readonly share: number;
  readonly topTerms: ReadonlyArray<{ readonly term: string; readonly count: number }>;
}

export function registerSummaryRoutes(app: FastifyInstance, deps: ApiDeps): void {
  /**
   * Per category in the window: count, rate per million visits, share of complaints, top matched terms
   * (counted over the hours the window touches).
   */
  app.get('/api/summary', { preHandler: app.requireRole('viewer') }, async (request) => {
    const q = parseInput(summaryQuery, request.query, 'query');
    const window = parseDuration(q.window);
    if (window === null || window <= 0 || window > 31 * 86_400_000) throw new HttpError(400, 'ERR_VALIDATION', `query.window: "${q.window}" is not a duration up to 31d`, 'query.window');
    const to = q.to ?? deps.clock.now();
    const from = to - window;
    // Counts and terms come from the hourly complaint_counts and complaint_terms (per channel, language
    // and effective category), so a request reads a few thousand count rows, never the messages of the
    // window: a complaint counts once, under its category after relabels, with or without a filter.
    const by = { ...(q.channel ? { channel: q.channel } : {}), ...(q.lang ? { lang: q.lang } : {}) };
    const name = (category: string | null) => category ?? 'uncategorised';
    // Independent reads, at once: on PostgreSQL each on its own connection (SQLite runs them in turn).
    const [current, before, top, traffic] = await Promise.all([
      deps.store.messages.complaintsByCategory({ ...by, from, to }),
      deps.store.messages.complaintsByCategory({ ...by, from: from - window, to: from }),
      deps.store.messages.topTerms({ ...by, from, to }, 5),
      deps.store.series.total(deps.config.series.reference, from, to),
    ]);
    const counts = new Map([...current].map(([k, v]) => [name(k), v]));
    const previous = new Map([...before].map(([k, v]) => [name(k), v]));
    for (const category of previous.keys()) if (!counts.has(category)) counts.set(category, 0);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const terms = new Map([...top].map(([k, v]) => [name(k), v]));
    const categories: CategorySummary[] = [];
    for (const [category, count] of counts) {
      categories.push({
        category,
        count,
        previous: previous.get(category) ?? 0,
        rate: traffic > 0 ? (count / traffic) * 1_000_000 : null,
        share: total > 0 ? count / total : 0,
        topTerms: count > 0 ? (terms.get(category) ?? []) : [],
      });
    }
    categories.sort((a, b) => b.count - a.count);
    return { window: q.window, from, to, total, traffic, reference: deps.config.series.reference, categories };
  });
}
