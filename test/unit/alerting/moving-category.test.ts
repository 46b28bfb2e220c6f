/**
 * A rise of a complaint breakdown (the total, a channel, a language) belongs to the category whose series
 * moved with it: with category grouping its alert is that category's incident (the demo's "unmatched"
 * alerts were channel and language series opening incidents no category owned, while the category's own
 * detector was holding after an earlier alert).
 */
import { describe, expect, it } from 'vitest';
import { compileAlerting } from '../../../src/alerting/compile.js';
import type { CorrelationPoint } from '../../../src/alerting/correlation.js';
import { evaluate } from '../../../src/alerting/evaluate.js';
import { movingCategory } from '../../../src/alerting/moving-category.js';
import type { Observation } from '../../../src/alerting/observation.js';
import { parseSeriesName, seriesLabel } from '../../../src/alerting/series-name.js';
import { alertingConfigSchema } from '../../../src/config/alerting.js';
import type { Alert } from '../../../src/domain/alert.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 26, 14, 0);
const settings = { windowMs: 15 * MIN, limit: 3 };

/** Stored detector points from values, one a minute from T0: expected 2, band ±2 (so above 4 is out of band). */
function stored(values: readonly number[], expected = 2, half = 2): CorrelationPoint[] {
  return values.map((value, i) => ({ t: T0 + i * MIN, value, expected, lower: expected - half, upper: expected + half, alert: false, direction: null }));
}
const flat = (n: number, v = 2): number[] => Array.from({ length: n }, () => v);

describe('series names', () => {
  it('a language series is a breakdown, not a category', () => {
    expect(parseSeriesName('complaints.lang.en')).toEqual({ kind: 'language', category: null, channel: null, language: 'en' });
    expect(seriesLabel('complaints.lang.ru')).toBe('Complaints in Russian');
    expect(parseSeriesName('complaints.login').kind).toBe('category');
    expect(parseSeriesName('complaints.channel.email').kind).toBe('channel');
  });
  it('channels and languages in words; a configured label wins (other languages: test/unit/dashboard/series-labels.test.ts)', () => {
    const labels = { 'complaints.login': 'Sign-in trouble', traffic: 'Site visits' };
    expect(seriesLabel('complaints.login', labels)).toBe('Sign-in trouble');
    expect(seriesLabel('complaints.payment_failed')).toBe('Payment failed complaints');
    expect(seriesLabel('complaints.twitter')).toBe('Complaints via Twitter');
    expect(seriesLabel('complaints.channel.helpdesk')).toBe('Complaints via help desk');
    expect(seriesLabel('complaints.channel.fax')).toBe('Complaints via fax');
    expect(seriesLabel('traffic', labels)).toBe('Site visits');
  });
});

describe('movingCategory', () => {
  // Login complaints out of band from minute 20 (the detector holding: no alert flag), still out at 24.
  const login = stored([...flat(20), 9, 8, 10, 9, 11]);
  const slow = stored(flat(25));
  const channel = stored([...flat(23), 7, 8]);
  const points = new Map([
    ['complaints.login', login],
    ['complaints.slow', slow],
    ['complaints.channel.email', channel],
  ]);
  const t = T0 + 24 * MIN;

  it('names the category that moved with a channel, a language or the total', () => {
    expect(movingCategory('complaints.channel.email', t, points, settings)).toBe('login');
    expect(movingCategory('complaints.lang.en', t, points, settings)).toBe('login');
    expect(movingCategory('complaints', t, points, settings)).toBe('login');
  });

  it('names none when no category moved, for a category itself, and for other series', () => {
    const quiet = new Map([
      ['complaints.login', stored(flat(25))],
      ['complaints.channel.email', channel],
    ]);
    expect(movingCategory('complaints.channel.email', t, quiet, settings)).toBeNull();
    expect(movingCategory('complaints.slow', t, points, settings)).toBeNull();
    expect(movingCategory('errors.auth', t, points, settings)).toBeNull();
  });

  it('a category that fell, or whose move ended before, names nothing', () => {
    const fell = new Map([['complaints.login', stored([...flat(20), 0, 0, 0, 0, 0], 6, 3)], ['complaints.channel.email', channel]]);
    expect(movingCategory('complaints.channel.email', t, fell, settings)).toBeNull();
    const over = new Map([['complaints.login', stored([...flat(5), 9, 9, 9, ...flat(17)])], ['complaints.channel.email', channel]]);
    expect(movingCategory('complaints.channel.email', t, over, settings)).toBeNull();
  });
});

describe('category grouping with a breakdown first', () => {
  const runtime = compileAlerting(alertingConfigSchema.parse({ oncall: { timezone: 'UTC', people: [{ id: 'anna', name: 'Anna' }] } }));
  /** Evaluates minute by minute: `observed` series get an observation each minute (anomaly on their first out-of-band minute). */
  function drive(values: Readonly<Record<string, readonly number[]>>, observed: readonly string[], minutes: number): Alert[] {
    const points = new Map<string, CorrelationPoint[]>();
    let open: Alert[] = [];
    const all = new Map<string, Alert>();
    for (let i = 0; i < minutes; i++) {
      const t = T0 + i * MIN;
      const observations: Observation[] = [];
      for (const [key, vs] of Object.entries(values)) {
        const value = vs[i] ?? 2;
        const out = value > 4;
        const before = points.get(key)?.at(-1);
        const first = out && !(before !== undefined && (before.value ?? 0) > 4);
        points.set(key, [...(points.get(key) ?? []), { t, value, expected: 2, lower: 0, upper: 4, alert: first && observed.includes(key), direction: out ? 'up' : null }]);
        if (!observed.includes(key)) continue;
        const anomaly = { series: key, t, value, expected: 2, lower: 0, upper: 4, score: 0.9, direction: 'up' as const, reason: 'spike' as const };
        observations.push(first ? { series: key, t, status: 'anomaly', anomaly, value } : out ? { series: key, t, status: 'out', anomaly, value } : { series: key, t, status: 'in', value, expected: 2 });
      }
      const result = evaluate({ now: t, alerts: open, observations, silences: [], points }, runtime);
      for (const a of result.alerts) all.set(a.id, a);
      open = result.alerts.filter((a) => a.state === 'pending' || a.state === 'firing');
    }
    return [...all.values()];
  }

  it('a channel rising while its category is out of band (its detector holding) opens that category\'s incident', () => {
    // complaints.login moves from minute 10 but its detector says nothing (a hold after an earlier alert).
    const alerts = drive({ 'complaints.login': [...flat(10), ...flat(12, 9), ...flat(10)], 'complaints.channel.email': [...flat(12), ...flat(10, 7), ...flat(10)] }, ['complaints.channel.email'], 40);
    expect(alerts.map((a) => [a.groupKey, a.members.map((m) => m.series), a.state])).toEqual([['complaints.login', ['complaints.channel.email'], 'resolved']]);
  });

  it('a language series with no category moving opens the rule\'s incident, as the total does (never a "lang" category)', () => {
    const alerts = drive({ 'complaints.login': flat(30), 'complaints.lang.en': [...flat(12), ...flat(10, 7), ...flat(8)] }, ['complaints.lang.en'], 30);
    expect(alerts.map((a) => a.groupKey)).toEqual(['complaints']);
  });

  it('a channel joins the open incident of the category that moved, not the latest one of another category', () => {
    const alerts = drive(
      {
        // Slow complaints rise from minute 5 and stay up; a two-minute login burst at 12 opens the latest incident.
        'complaints.slow': [...flat(5), ...flat(20, 9), ...flat(10)],
        'complaints.login': [...flat(12), 9, 9, ...flat(21)],
        'complaints.channel.email': [...flat(16), ...flat(8, 7), ...flat(11)],
      },
      ['complaints.login', 'complaints.slow', 'complaints.channel.email'],
      35,
    );
    const byKey = new Map(alerts.map((a) => [a.groupKey, a.members.map((m) => m.series)]));
    expect(byKey.get('complaints.slow')).toEqual(['complaints.slow', 'complaints.channel.email']);
    expect(byKey.get('complaints.login')).toEqual(['complaints.login']);
  });
});
