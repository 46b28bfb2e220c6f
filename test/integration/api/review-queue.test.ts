import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReviewExplanation } from '../../../src/api/deps.js';
import type { Classification } from '../../../src/domain/classification.js';
import type { Lang } from '../../../src/domain/message.js';
import { ManualClock } from '../../../src/platform/clock.js';
import type { ClassifierHolder } from '../../../workers/context.js';
import { buildTestApp, viewer } from '../../helpers/api.js';
import { compileKeywords, createClassifier, reviewOrder, trainLearned } from '../../../src/classify/index.js';
import { keywordsSchema } from '../../../src/config/keywords.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';

const T0 = Date.UTC(2026, 2, 2, 10, 0);
const DAY = 86_400_000;

/** Each text names its layers' scores: `kw=0.8 lr=0.3 …` (lr=- for no learned layer). */
function scores(text: string): { keywordScore: number; learnedScore: number | null } {
  const kw = /kw=([\d.]+)/.exec(text)?.[1];
  const lr = /lr=([\d.]+|-)/.exec(text)?.[1];
  return { keywordScore: Number(kw ?? 0), learnedScore: lr === undefined || lr === '-' ? null : Number(lr) };
}

function holder(): ClassifierHolder & { current: { explain(text: string, lang?: Lang | null): ReviewExplanation } } {
  const classify = (text: string, lang?: Lang | null): Classification => {
    const s = scores(text);
    const p = s.learnedScore ?? s.keywordScore;
    const complaint = p >= 0.5;
    return { complaint, score: p, categories: complaint && text.includes('login') ? [{ name: 'login', score: p, terms: ['login'] }] : [], lang: lang ?? 'en' };
  };
  return {
    current: {
      classify,
      explain: (text, lang) => ({ ...scores(text), ranking: text.includes('slow') ? [{ name: 'slow', score: 0.4, terms: ['slow'] }] : [] }),
    },
    lastError: null,
    loadedAt: 0,
    categories: ['login', 'slow'],
  };
}

interface Item { id: string; reason: string; probability: number; keywordScore: number; learnedScore: number | null; suggestedCategory: string | null; text: string; classification: Classification }

const kinds: DbKind[] = ['sqlite', 'postgres'];

describe.each(kinds)('GET /api/review on %s', (db) => {
  let service: TestService | undefined;
  let app: FastifyInstance;
  const clock = new ManualClock(T0);
  const c = holder();

  const seed = [
    ['confident-no', 'fine thanks kw=0.05 lr=0.02', T0 - 1000],
    ['confident-yes', 'login broken kw=0.95 lr=0.97', T0 - 2000],
    ['uncertain', 'slow maybe kw=0.55 lr=0.52', T0 - 3000],
    ['disagree-far', 'login meh kw=0.9 lr=0.1', T0 - 4000],
    ['disagree-near', 'hmm kw=0.3 lr=0.55', T0 - 5000],
    ['half-sure', 'something kw=0.7 lr=0.75', T0 - 6000],
    ['too-old', 'old kw=0.5 lr=0.5', T0 - 8 * DAY],
  ] as const;

  beforeAll(async () => {
    if (db === 'postgres' && !(await postgresAvailable())) return;
    service = await createTestService({ db, clock, classifier: c });
    app = await buildTestApp(service!.ctx);
    await service!.ctx.store.messages.insertNew(
      seed.map(([id, text, at]) => ({
        message: { id: `api:${id}`, channel: 'api', source: 'api', author: null, text, lang: 'en', createdAt: new Date(at).toISOString(), link: null },
        classification: c.current.classify(text, 'en'),
      })),
      T0,
    );
  });
  afterAll(async () => {
    await app?.close();
    await service?.cleanup();
  });
  beforeEach(({ skip }) => {
    if (!service) skip();
  });

  const queue = async (url = '/api/review'): Promise<{ items: Item[]; categories: string[]; pool: number }> => {
    const res = await app.inject({ url, headers: viewer });
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  it('needs authentication', async () => {
    expect((await app.inject({ url: '/api/review' })).statusCode).toBe(401);
  });

  it('orders disagreement between the layers first, then the most uncertain; the last 7 days only', async () => {
    const q = await queue();
    expect(q.items.map((i) => i.id)).toEqual(['api:disagree-near', 'api:disagree-far', 'api:uncertain', 'api:half-sure', 'api:confident-yes', 'api:confident-no']);
    expect(q.pool).toBe(6);
    expect(q.categories).toEqual(['login', 'slow']);
    expect(q.items[0]).toMatchObject({ reason: 'layers-disagree', keywordScore: 0.3, learnedScore: 0.55, probability: 0.55 });
    expect(q.items[2]).toMatchObject({ reason: 'uncertain', probability: 0.52, text: 'slow maybe kw=0.55 lr=0.52' });
    // The stored category first, else the best-ranked evidence of the explanation, else none.
    expect(q.items.find((i) => i.id === 'api:confident-yes')?.suggestedCategory).toBe('login');
    expect(q.items.find((i) => i.id === 'api:uncertain')?.suggestedCategory).toBe('slow');
    expect(q.items.find((i) => i.id === 'api:confident-no')?.suggestedCategory).toBeNull();
    expect(q.items[1]?.classification).toMatchObject({ complaint: false, score: 0.1 });
  });

  it('limit is validated and bounded; unknown parameters are a 400 naming the field', async () => {
    expect((await queue('/api/review?limit=2')).items.map((i) => i.id)).toEqual(['api:disagree-near', 'api:disagree-far']);
    for (const [url, field] of [['/api/review?limit=0', 'query.limit'], ['/api/review?limit=51', 'query.limit'], ['/api/review?limit=x', 'query.limit'], ['/api/review?sort=1', 'query']] as const) {
      const res = await app.inject({ url, headers: viewer });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().field, url).toBe(field);
    }
  });

  it('a GET changes nothing; a labelled message leaves the queue', async () => {
    const before = await service!.ctx.store.messages.list({}, 50);
    await queue();
    expect(await service!.ctx.store.messages.list({}, 50)).toEqual(before);
    expect(await service!.ctx.store.messages.labelHistory('api:disagree-near')).toEqual([]);

    const res = await app.inject({ method: 'POST', url: '/api/messages/api:disagree-near/label', headers: viewer, payload: { complaint: false } });
    expect(res.statusCode).toBe(200);
    const q = await queue();
    expect(q.items.map((i) => i.id)).not.toContain('api:disagree-near');
    expect(q.items[0]?.id).toBe('api:disagree-far');
    expect(q.pool).toBe(5);
  });

  it('without the layers (a classifier with no explain) orders by the stored score', async () => {
    const plain = await buildTestApp(service!.ctx, { classifier: { ...c, current: { classify: c.current.classify } } });
    try {
      const res = await plain.inject({ url: '/api/review?limit=3', headers: viewer });
      const items = (res.json() as { items: Item[] }).items;
      // Stored scores: uncertain 0.52, disagree-far 0.1 … confident 0.97/0.02, half-sure 0.75.
      expect(items.map((i) => [i.id, i.reason, i.learnedScore])).toEqual([
        ['api:uncertain', 'uncertain', null],
        ['api:half-sure', 'uncertain', null],
        ['api:disagree-far', 'uncertain', null],
      ]);
    } finally {
      await plain.close();
    }
  });
});

describe('GET /api/review with the real classifier (keywords + learned layer)', () => {
  let service: TestService;
  let app: FastifyInstance;
  const clock = new ManualClock(T0);
  // Keywords know "broken" and "slow"; the learned layer learned "zorbled" (unknown to the keywords).
  const keywords = compileKeywords(keywordsSchema.parse({ version: 1, gate: { terms: { en: ['broken'] } }, categories: [{ name: 'slow', terms: { en: ['slow'] } }] }));
  const learned = trainLearned([
    { text: 'the inbox got zorbled', complaint: true },
    { text: 'the mail got zorbled', complaint: true },
    { text: 'the app is fine', complaint: false },
    { text: 'all is broken fine', complaint: false },
    { text: 'the folder is fine', complaint: false },
  ]);
  const classifier = createClassifier({ keywords, learned });
  const texts = ['the app is fine', 'the search got zorbled', 'my inbox is broken and slow', 'the folder looks nice'];

  beforeAll(async () => {
    service = await createTestService({ clock, classifier: { current: classifier, lastError: null, loadedAt: 0, categories: ['slow'] } });
    app = await buildTestApp(service.ctx);
    await service.ctx.store.messages.insertNew(
      texts.map((text, i) => ({
        message: { id: `api:r${i}`, channel: 'api', source: 'api', author: null, text, lang: 'en', createdAt: new Date(T0 - (i + 1) * 1000).toISOString(), link: null },
        classification: classifier.classify(text, 'en', 'api'),
      })),
      T0,
    );
  });
  afterAll(async () => {
    await app.close();
    await service.cleanup();
  });

  it('orders as reviewOrder does (the learning-curve simulation), disagreement first, with the layer scores', async () => {
    const res = await app.inject({ url: '/api/review', headers: viewer });
    expect(res.statusCode).toBe(200);
    const items = (res.json() as { items: Item[] }).items;
    // The pool is newest first (r0, r1, …): reviewOrder over it in that order must give the same ids.
    const expected = reviewOrder(classifier, texts.map((text) => ({ text, lang: 'en' as const, channel: 'api' as const, complaint: false }))).map((i) => `api:r${i}`);
    expect(items.map((i) => i.id)).toEqual(expected);
    expect(items[0]?.reason).toBe('layers-disagree');
    // "zorbled": the keywords say no, the learned layer says yes — a disagreement, ahead of every agreement.
    const zorbled = items.findIndex((i) => i.id === 'api:r1');
    expect(items[zorbled]).toMatchObject({ reason: 'layers-disagree' });
    expect(items[zorbled]?.learnedScore).toBeGreaterThan(0.5);
    expect(items[zorbled]?.keywordScore).toBeLessThan(0.5);
    expect(items.slice(0, zorbled).every((i) => i.reason === 'layers-disagree')).toBe(true);
    expect(items.findIndex((i) => i.id === 'api:r0')).toBeGreaterThan(zorbled);
  });
});
