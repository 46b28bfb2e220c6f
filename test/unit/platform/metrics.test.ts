/**
 * Metric names follow the Prometheus conventions, and the README's metric table lists exactly the
 * metrics the service defines.
 */
import { readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterTally, createMetrics, setCounterTotal } from '../../../src/platform/metrics.js';

type Kind = 'counter' | 'gauge' | 'histogram';

/** The service's own metrics: the fields of `createMetrics()`, with their names and kinds. */
function definitions(): Array<{ field: string; name: string; kind: Kind }> {
  const out: Array<{ field: string; name: string; kind: Kind }> = [];
  for (const [field, metric] of Object.entries(createMetrics())) {
    const name = (metric as { name?: unknown }).name;
    if (typeof name !== 'string') continue;
    const kind: Kind | null = metric instanceof Counter ? 'counter' : metric instanceof Gauge ? 'gauge' : metric instanceof Histogram ? 'histogram' : null;
    if (kind === null) throw new Error(`${field}: unknown metric type`);
    out.push({ field, name, kind });
  }
  return out;
}

describe('metric definitions', () => {
  const defs = definitions();

  it('finds the definitions (the check below checks something)', () => {
    expect(defs.length).toBeGreaterThanOrEqual(19);
    expect(defs.filter((d) => d.kind === 'counter').length).toBeGreaterThanOrEqual(10);
    expect(defs.filter((d) => d.kind === 'gauge').length).toBeGreaterThanOrEqual(7);
  });

  it.each(defs)('$field ($name) is a well-formed $kind name', ({ name, kind }) => {
    expect(name).toMatch(/^radar_[a-z][a-z0-9_]*[a-z0-9]$/);
    if (kind === 'counter') expect(name).toMatch(/_total$/);
    else expect(name).not.toMatch(/_total$/);
    // Units are base units spelled out: seconds, not ms.
    expect(name).not.toMatch(/_(ms|milliseconds|minutes)(_|$)/);
  });

  it('the process metrics follow the same rules (prom-client\'s `_total` gauges are removed)', async () => {
    const { registry } = createMetrics();
    for (const metric of await registry.getMetricsAsJSON()) {
      expect(metric.name.startsWith('radar_')).toBe(true);
      if (String(metric.type) === 'counter') expect(metric.name).toMatch(/_total$/);
      if (String(metric.type) === 'gauge') expect(metric.name).not.toMatch(/_total$/);
    }
  });

  it('a counter read from the store at scrape time shows the stored total, per label set', async () => {
    const metrics = createMetrics();
    setCounterTotal(metrics.sourceFetched, { source: 'inbox' }, 5);
    setCounterTotal(metrics.sourceFetched, { source: 'inbox' }, 12);
    setCounterTotal(metrics.sourceFetched, { source: 'x' }, 0);
    const text = await metrics.registry.getSingleMetricAsString('radar_source_fetched_total');
    expect(text).toContain('# TYPE radar_source_fetched_total counter');
    expect(text).toContain('radar_source_fetched_total{source="inbox"} 12');
    expect(text).toContain('radar_source_fetched_total{source="x"} 0');
  });

  it('a tally adds each label set once, with its count, and starts over', async () => {
    const metrics = createMetrics();
    const tally = new CounterTally(['category', 'channel', 'language'] as const);
    for (const [category, channel] of [['login', 'email'], ['login', 'email'], ['spam', 'email'], ['login', 'twitter']] as const) tally.add(category, channel, 'en');
    tally.addTo(metrics.complaints);
    tally.add('login', 'email', 'en');
    tally.addTo(metrics.complaints);
    tally.addTo(metrics.complaints);
    const text = await metrics.registry.getSingleMetricAsString('radar_complaints_total');
    expect(text).toContain('radar_complaints_total{category="login",channel="email",language="en"} 3');
    expect(text).toContain('radar_complaints_total{category="spam",channel="email",language="en"} 1');
    expect(text).toContain('radar_complaints_total{category="login",channel="twitter",language="en"} 1');
    expect(text.split('\n').filter((l) => l.startsWith('radar_complaints_total{'))).toHaveLength(3);
  });

  it("the README's metric table lists every metric, with its type, and nothing else", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = /\n## Metrics\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
    const rows = [...section.matchAll(/^\| `(radar_[a-z0-9_]+)(?:\{[^}]*\})?` \| (counter|gauge|histogram) \|/gm)].map((m) => ({ name: m[1], kind: m[2] }));
    const byName = (a: { name?: string }, b: { name?: string }) => String(a.name).localeCompare(String(b.name));
    expect(rows.sort(byName)).toEqual(defs.map((d) => ({ name: d.name, kind: d.kind })).sort(byName));
  });
});
