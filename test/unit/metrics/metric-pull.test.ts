/** The pure parts of metric pulls: name templates, pull ranges, Graphite bucketing, cursors, and the config's error messages. */
import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue, parseConfigText } from '../../../src/config/load.js';
import { serviceConfigSchema } from '../../../src/config/service.js';
import { keySafe, parseNameTemplate, renderName, type TemplatePart } from '../../../src/series/name-template.js';
import { seriesKeyProblem } from '../../../src/series/series-key.js';
import { bucketDatapoints } from '../../../src/sources/graphite/render.js';
import { metricWatermark, parseQueryCursor } from '../../../src/sources/metric-pull/cursor.js';
import { compileEntries, nameSeries } from '../../../src/sources/metric-pull/poll-handler.js';
import { lastCompleteBucket, pullRange, splitRange } from '../../../src/sources/metric-pull/pull-range.js';

const M = 60_000;
const parts = (template: string): TemplatePart[] => {
  const parsed = parseNameTemplate(template);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.parts;
};

describe('series name templates', () => {
  it.each([
    ['errors.{service}', { service: 'auth' }, [], 'errors.auth'],
    ['errors.{service}.{code}', { service: 'auth', code: '503' }, [], 'errors.auth.503'],
    ['http.{handler}', { handler: '/api/v1/login' }, [], 'http._api_v1_login'],
    ['logins.{1}', {}, ['app', 'web1', 'logins'], 'logins.web1'],
    ['traffic', {}, [], 'traffic'],
  ])('%s with %j → %s', (template, labels, nodes, key) => {
    expect(renderName(parts(template), labels, nodes)).toEqual({ key });
  });

  it.each([
    ['errors.{service', 'series name template has a "{" without its "}"'],
    ['errors.}', 'series name template has a "}" without its "{"'],
    ['errors.{ser vice}', 'series name template placeholder "{ser vice}" must be a label name or a path node number'],
    ['errors/{service}', 'series name template may hold only letters, digits, _ . : - outside {placeholders}'],
    ['complaints.{service}', 'series name template names a series that is computed by the service (complaints…, messages…) and cannot be written from outside'],
  ])('%s is refused: %s', (template, problem) => {
    const parsed = parseNameTemplate(template);
    expect('problem' in parsed ? `series name template ${parsed.problem}` : null).toBe(problem);
  });

  it('a missing label, a computed series or a too long name gives no key', () => {
    expect(renderName(parts('errors.{service}'), {})).toEqual({ problem: 'has no label "service"' });
    expect(renderName(parts('{job}'), { job: 'complaints' })).toEqual({ problem: '"complaints" is computed by the service (complaints…, messages…) and cannot be written from outside' });
    expect('problem' in renderName(parts('x.{v}'), { v: 'a'.repeat(300) })).toBe(true);
    expect(keySafe('a b/c"d')).toBe('a_b_c_d');
    expect(seriesKeyProblem('errors.auth')).toBeNull();
  });

  it('caps the series of one query in name order and reports the unnamed and the colliding', () => {
    const pulled = ['mail', 'auth', 'web', undefined, 'auth'].map((service) => ({ labels: (service === undefined ? {} : { service }) as Record<string, string>, nodes: [], points: [{ t: 0, v: 1 }] }));
    const { kept, overCap, unnamed } = nameSeries({ parts: parts('errors.{service}'), maxSeries: 2 }, pulled);
    expect([...kept.keys()]).toEqual(['errors.auth', 'errors.mail']);
    expect(overCap).toEqual(['errors.web']);
    expect(unnamed).toEqual(['{} has no label "service"', '{service="auth"} has the same name as another series ("errors.auth"); add a placeholder that tells them apart']);
  });
});

describe('pull ranges', () => {
  const opts = { step: M, delay: M, backfill: 14 * 86_400_000 };
  it('starts at the backfill on the first poll and after the cursor later, up to the last complete bucket', () => {
    const now = Date.UTC(2026, 11, 7, 12, 30, 20);
    expect(lastCompleteBucket(now, M, M)).toBe(Date.UTC(2026, 11, 7, 12, 28));
    expect(pullRange(null, now, opts)).toEqual({ from: Date.UTC(2026, 10, 23, 12, 30), to: Date.UTC(2026, 11, 7, 12, 28), skipped: 0 });
    expect(pullRange(Date.UTC(2026, 11, 7, 12, 20), now, opts)).toEqual({ from: Date.UTC(2026, 11, 7, 12, 21), to: Date.UTC(2026, 11, 7, 12, 28), skipped: 0 });
    expect(pullRange(Date.UTC(2026, 11, 7, 12, 28), now, opts).to).toBeLessThan(pullRange(Date.UTC(2026, 11, 7, 12, 28), now, opts).from);
    expect(pullRange(Date.UTC(2026, 10, 23, 12, 0), now, opts)).toMatchObject({ from: Date.UTC(2026, 10, 23, 12, 30), skipped: 29 });
  });

  it('splits into requests of at most maxPoints buckets, covering every bucket once', () => {
    const pieces = splitRange(0, 20_159 * M, M, 11_000);
    expect(pieces).toEqual([
      { from: 0, to: 10_999 * M },
      { from: 11_000 * M, to: 20_159 * M },
    ]);
    expect(splitRange(5 * M, 5 * M, M, 2)).toEqual([{ from: 5 * M, to: 5 * M }]);
    expect(splitRange(0, 4 * M, M, 2)).toEqual([{ from: 0, to: M }, { from: 2 * M, to: 3 * M }, { from: 4 * M, to: 4 * M }]);
  });

  it('a metric watermark is the end of the oldest entry\'s last pulled bucket, null until all have pulled', () => {
    const steps = new Map([['a', M], ['b', 5 * M]]);
    const at = (ms: number) => ({ last: new Date(ms).toISOString(), series: 1, overCap: 0 });
    expect(metricWatermark({ queries: { a: at(10 * M) } }, steps)).toBeNull();
    expect(metricWatermark({ queries: { a: at(10 * M), b: null } }, steps)).toBeNull();
    expect(metricWatermark({ queries: { a: at(10 * M), b: at(0) } }, steps)).toBe(5 * M);
    expect(parseQueryCursor('garbage')).toBeNull();
  });
});

describe('graphite datapoints', () => {
  it('land in the bucket their time falls in, aggregated, nulls left out', () => {
    const dp: Array<[number | null, number]> = [[1, 0], [2, 10], [null, 20], [5, 60], [Number.NaN, 120]];
    expect(bucketDatapoints(dp, M, 'sum')).toEqual([{ t: 0, v: 3 }, { t: M, v: 5 }]);
    expect(bucketDatapoints(dp, M, 'avg')).toEqual([{ t: 0, v: 1.5 }, { t: M, v: 5 }]);
    expect(bucketDatapoints(dp, M, 'last')).toEqual([{ t: 0, v: 2 }, { t: M, v: 5 }]);
  });
});

describe('metric source config', () => {
  function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
    try {
      parseConfigText(text, 'radar.yaml', serviceConfigSchema, env);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.issues.map(formatIssue);
      throw error;
    }
  }

  it('takes secrets from the environment only, and names what is wrong', () => {
    expect(problems('sources:\n  prometheus:\n    - name: p\n      url: http://prom:9090\n      bearerToken: ${PROM_TOKEN}\n      series: [{ name: "errors.{service}", query: up }]\n', { PROM_TOKEN: 'x' })).toEqual([]);
    expect(problems('sources:\n  prometheus:\n    - name: p\n      url: http://prom:9090\n      bearerToken: literal\n      series: [{ name: up, query: up }]\n')).toEqual([
      'radar.yaml:5: sources.prometheus[0].bearerToken: a secret written in the file: set it in the environment and write ${PROMETHEUS_TOKEN} here',
    ]);
    expect(
      problems('sources:\n  graphite:\n    - name: g\n      url: http://g\n      basicAuth: { user: radar, password: "${GP}" }\n      bearerToken: ${GT}\n      series: [{ name: "complaints.{1}", target: a.b }]\n', { GP: 'p', GT: 't' }),
    ).toEqual([
      'radar.yaml:5: sources.graphite[0].basicAuth: use bearerToken or basicAuth, not both',
      'radar.yaml:7: sources.graphite[0].series[0].name: series name template names a series that is computed by the service (complaints…, messages…) and cannot be written from outside',
    ]);
    expect(problems('sources:\n  prometheus:\n    - name: demo\n      url: http://x\n      series: [{ name: up, query: up }]\n')).toEqual([
      'radar.yaml:3: sources.prometheus[0].name: source name "demo" is already used',
    ]);
    expect(problems('sources:\n  imap: []\n  prometheus:\n    - name: p\n      url: ftp://x\n      series: []\n')).toEqual([
      'radar.yaml:5: sources.prometheus[0].url: must be an http:// or https:// URL',
      'radar.yaml:6: sources.prometheus[0].series: Array must contain at least 1 element(s)',
    ]);
  });

  it('a step that is not a whole multiple of series.step is refused when the handler is built', () => {
    expect(() => compileEntries('prometheus', 0, [{ name: 'x', step: 90_000, maxSeries: 1 }], M)).toThrow('sources.prometheus[0].series[0].step: must be a whole multiple of series.step (60000 ms), not 90000 ms');
    expect(compileEntries('prometheus', 0, [{ name: 'x', maxSeries: 1 }, { name: 'y', step: 5 * M, maxSeries: 1 }], M).map((e) => e.step)).toEqual([M, 5 * M]);
  });
});
