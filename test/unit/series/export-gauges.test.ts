import { CHANNELS } from '../../../src/domain/message.js';
import { describe, expect, it } from 'vitest';
import { lastCompleteBucket } from '../../../src/api/scrape-metrics.js';
import { categoryLabel, EXPORT_LANGUAGES, exportedSeriesKeys, exportGauges, languageLabel } from '../../../src/series/export-gauges.js';

const MIN = 60_000;

describe('export labels (bounded sets)', () => {
  it.each([
    ['en', 'en'],
    ['ru', 'ru'],
    [null, 'other'],
    [undefined, 'other'],
    ['de', 'other'],
    ['', 'other'],
  ])('language %j → %s', (lang, label) => {
    expect(languageLabel(lang)).toBe(label);
  });

  it('the language label has exactly en, ru, other', () => {
    expect([...EXPORT_LANGUAGES]).toEqual(['en', 'ru', 'other']);
  });

  it.each([
    ['login', 'login'],
    ['retired', 'other'],
    ['<script>', 'other'],
  ])('category %s → %s (config: login, slow)', (name, label) => {
    expect(categoryLabel(name, ['login', 'slow'])).toBe(label);
  });

  it('reads a fixed list of keys: total, config categories, every channel, en and ru, the reference', () => {
    expect(exportedSeriesKeys(['login', 'slow'], 'traffic')).toEqual([
      'complaints',
      'complaints.login',
      'complaints.slow',
      ...CHANNELS.map((c) => `complaints.channel.${c}`),
      'complaints.lang.en',
      'complaints.lang.ru',
      'traffic',
    ]);
  });
});

describe('exportGauges', () => {
  it('counts and rates per label, zeros included, `other` language the rest of the total', () => {
    const values = new Map([
      ['complaints', 4],
      ['complaints.login', 3],
      ['complaints.channel.email', 4],
      ['complaints.lang.en', 1],
      ['complaints.lang.ru', 2],
      ['complaints.retired', 9],
      ['traffic', 2000],
    ]);
    const g = exportGauges(values, ['login', 'slow'], 'traffic');
    expect(g.total).toEqual({ labels: {}, count: 4, rate: 2000 });
    expect(g.reference).toBe(2000);
    expect(g.byCategory).toEqual([
      { labels: { category: 'login' }, count: 3, rate: 1500 },
      { labels: { category: 'slow' }, count: 0, rate: 0 },
    ]);
    expect(g.byChannel.map((s) => [s.labels.channel, s.count])).toEqual(CHANNELS.map((c) => [c, c === 'email' ? 4 : 0]));
    expect(g.byLanguage).toEqual([
      { labels: { language: 'en' }, count: 1, rate: 500 },
      { labels: { language: 'ru' }, count: 2, rate: 1000 },
      { labels: { language: 'other' }, count: 1, rate: 500 },
    ]);
  });

  it('no rate without a reference value, or with a zero one', () => {
    for (const values of [new Map([['complaints', 2]]), new Map([['complaints', 2], ['traffic', 0]])]) {
      const g = exportGauges(values, ['login'], 'traffic');
      expect(g.total.rate).toBeNull();
      expect(g.byCategory[0]?.rate).toBeNull();
      expect(g.total.count).toBe(2);
    }
    expect(exportGauges(new Map(), [], 'traffic').reference).toBeNull();
  });

  it('an empty bucket is all zeros, never negative', () => {
    const g = exportGauges(new Map([['complaints.lang.en', 1]]), ['login'], 'traffic');
    expect(g.total.count).toBe(0);
    expect(g.byLanguage.find((s) => s.labels.language === 'other')?.count).toBe(0);
  });
});

describe('lastCompleteBucket', () => {
  const T = Date.UTC(2026, 0, 1, 10, 0);
  it('is the last bucket the detector judged when it has ticked', () => {
    expect(lastCompleteBucket({ at: T + 5 * MIN, judgedUntil: T }, T + 5 * MIN, MIN, MIN)).toBe(T);
  });
  it('before any tick (or with no bucket judged yet): the newest bucket closed at least `settle` ago', () => {
    // 10:05:30 − 1 min settle = 10:04:30: the 10:03 bucket closed at 10:04 (+1 min = 10:05 ≤ now); 10:04 has not settled.
    expect(lastCompleteBucket(null, T + 5.5 * MIN, MIN, MIN)).toBe(T + 3 * MIN);
    expect(lastCompleteBucket({ at: T, judgedUntil: null }, T + 5 * MIN, MIN, MIN)).toBe(T + 3 * MIN);
  });
});
