/**
 * The review queue: the recent unlabelled messages whose label would teach the model most (the
 * keyword and learned layers disagree first, then the most uncertain), for support to label one key
 * press at a time in the dashboard. Read-only: verdicts go through `POST /api/messages/:id/label`.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { reviewPriority, type ReviewReason } from '../../classify/learning-curve.js';
import type { Classification } from '../../domain/classification.js';
import type { ApiDeps } from '../deps.js';
import { parseInput } from '../errors.js';

/** The pool: unlabelled messages of the last 7 days, at most 2,000 (newest first), re-scored per request. */
export const REVIEW_POOL_DAYS = 7;
export const REVIEW_POOL_MAX = 2000;
export const REVIEW_LIMIT_MAX = 50;

const reviewQuerySchema = z
  .object({ limit: z.coerce.number().int().min(1).max(REVIEW_LIMIT_MAX).default(20) })
  .strict();

export interface ReviewItem {
  readonly id: string;
  readonly text: string;
  readonly channel: string;
  readonly source: string;
  readonly lang: string | null;
  readonly createdAt: string;
  readonly link: string | null;
  /** What the pipeline stored for the message. */
  readonly classification: Classification;
  readonly reason: ReviewReason;
  /** Complaint probability the order used, and the layers' scores (learned is null without a learned layer). */
  readonly probability: number;
  readonly keywordScore: number;
  readonly learnedScore: number | null;
  /** Category a "yes, complaint" verdict would give: the stored one, else the best-ranked evidence. */
  readonly suggestedCategory: string | null;
}

export function registerReviewRoutes(app: FastifyInstance, deps: ApiDeps): void {
  /** `{items, categories, pool}`: the top `limit` of the pool in review order. */
  app.get('/api/review', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { limit } = parseInput(reviewQuerySchema, request.query, 'query');
    const now = deps.clock.now();
    const pool = await deps.store.messages.unlabelledSince(now - REVIEW_POOL_DAYS * 86_400_000, REVIEW_POOL_MAX);
    const classifier = deps.classifier.current;
    const categories = deps.classifier.categories;
    const keyed = pool.map((m, i) => {
      const x = classifier.explain ? classifier.explain(m.text, m.lang, m.channel) : null;
      const priority = reviewPriority(x ?? { keywordScore: m.classification.score, learnedScore: null });
      const ranked = [...m.classification.categories, ...(x?.ranking ?? [])].find((c) => categories.includes(c.name));
      return { i, m, x, priority, suggested: ranked?.name ?? null };
    });
    keyed.sort((a, b) => a.priority.key - b.priority.key || a.i - b.i);
    const items: ReviewItem[] = keyed.slice(0, limit).map(({ m, x, priority, suggested }) => ({
      id: m.id,
      text: m.text,
      channel: m.channel,
      source: m.source,
      lang: m.lang ?? m.classification.lang,
      createdAt: m.createdAt,
      link: m.link,
      classification: m.classification,
      reason: priority.reason,
      probability: priority.probability,
      keywordScore: x?.keywordScore ?? m.classification.score,
      learnedScore: x?.learnedScore ?? null,
      suggestedCategory: suggested,
    }));
    return { items, categories, pool: pool.length };
  });
}
