import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CHANNELS, LANGS } from '../../domain/message.js';
import { parseDuration } from '../../config/duration.js';
import { categoryOfSeries } from '../../series/counts.js';
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
  /** Per category in the window: count, rate per million visits, share of complaints, top matched terms. */
  app.get('/api/summary', { preHandler: app.requireRole('viewer') }, async (request) => {
    const q = parseInput(summaryQuery, request.query, 'query');
    const window = parseDuration(q.window);
    if (window === null || window <= 0 || window > 31 * 86_400_000) throw new HttpError(400, 'ERR_VALIDATION', `query.window: "${q.window}" is not a duration up to 31d`, 'query.window');
    const to = q.to ?? deps.clock.now();
    const from = to - window;
    const filtered = q.channel !== undefined || q.lang !== undefined;
    const filter = { complaint: true, from, to, ...(q.channel ? { channel: q.channel } : {}), ...(q.lang ? { lang: q.lang } : {}) };

    let counts: Map<string, number>;
    let previous: Map<string, number>;
    let total: number;
    if (filtered) {
      // From the hourly complaint counts (messages are read only for the partial hours at both ends).
      const by = { ...(q.channel ? { channel: q.channel } : {}), ...(q.lang ? { lang: q.lang } : {}) };
      const byCategory = await deps.store.messages.complaintsByCategory({ ...by, from, to });
      const before = await deps.store.messages.complaintsByCategory({ ...by, from: from - window, to: from });
      counts = new Map([...byCategory].map(([k, v]) => [k ?? 'uncategorised', v]));
      previous = new Map([...before].map(([k, v]) => [k ?? 'uncategorised', v]));
      total = [...byCategory.values()].reduce((a, b) => a + b, 0);
    } else {
      const byCategory = async (a: number, b: number) => {
        const out = new Map<string, number>();
        for (const [key, n] of await deps.store.series.totalsByKey('complaints.', a, b, (key) => categoryOfSeries(key) !== null)) {
          const category = categoryOfSeries(key);
          if (category !== null) out.set(category, n);
        }
        return out;
      };
      counts = await byCategory(from, to);
      previous = await byCategory(from - window, from);
      for (const name of previous.keys()) if (!counts.has(name)) counts.set(name, 0);
      total = await deps.store.series.total('complaints', from, to);
    }
    const traffic = await deps.store.series.total(deps.config.series.reference, from, to);
    const categories: CategorySummary[] = [];
    for (const [category, count] of counts) {
      if (count === 0 && (previous.get(category) ?? 0) === 0) continue;
      const terms = count > 0 ? await deps.store.messages.termCounts({ ...filter, category }, 2000) : new Map<string, number>();
      categories.push({
        category,
        count,
        previous: previous.get(category) ?? 0,
        rate: traffic > 0 ? (count / traffic) * 1_000_000 : null,
        share: total > 0 ? count / total : 0,
        topTerms: [...terms].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([term, n]) => ({ term, count: n })),
      });
    }
    categories.sort((a, b) => b.count - a.count);
    return { window: q.window, from, to, total, traffic, reference: deps.config.series.reference, categories };
  });
}
