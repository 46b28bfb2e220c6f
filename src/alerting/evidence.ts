/**
 * Evidence for an alert, pure: the worker gathers the inputs (detector points of the headline series,
 * channel counts, term counts of the window and of a baseline period, candidate example messages) and
 * this turns them into what a person needs: how much, against what normal, since when, where from,
 * which words, examples with PII masked, and a dashboard link.
 */
import type { Alert } from '../domain/alert.js';
import type { Channel, Message } from '../domain/message.js';
import { maskPii } from './pii.js';
import { primarySeries } from './primary-series.js';
import type { CorrelatedSeries } from './correlation.js';
import { parseSeriesName, seriesLabel, specificity } from './series-name.js';

export interface EvidencePoint {
  readonly t: number;
  readonly value: number | null;
  readonly expected: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

export type TermCounts = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

export interface EvidenceInput {
  readonly alert: Pick<Alert, 'id' | 'startsAt'>;
  /** The headline series (see `primarySeries`). */
  readonly series: string;
  readonly now: number;
  readonly windowMs: number;
  /** Detector output for `series`; points outside [now - windowMs, now] are ignored. */
  readonly points: readonly EvidencePoint[];
  /** Complaints in the window per channel (of the headline category, or of all complaints). */
  readonly channelCounts: Readonly<Partial<Record<Channel | string, number>>>;
  /** Term (or phrase) counts in the window, and over the baseline period before it. */
  readonly terms: { readonly current: TermCounts; readonly baseline: TermCounts };
  /** Candidate examples, best first (e.g. highest classifier score in the window). */
  readonly examples: readonly Pick<Message, 'id' | 'channel' | 'text' | 'createdAt' | 'link'>[];
  readonly dashboardBaseUrl: string | null;
  readonly labels?: Readonly<Record<string, string>>;
  readonly maxExamples?: number;
  readonly maxTerms?: number;
  /** Other series that moved with it, best first (see correlation.ts `correlatedWith`). */
  readonly correlated?: readonly CorrelatedSeries[];
}

export interface RisingTerm {
  readonly term: string;
  readonly count: number;
  readonly baseline: number;
  /** Share in the window over (smoothed) share in the baseline; null when there is no baseline at all. */
  readonly ratio: number | null;
}

export interface Evidence {
  readonly series: string;
  /** The alert was opened by a bucket judged again after late data arrived. */
  readonly late?: boolean;
  readonly label: string;
  readonly window: { readonly from: number; readonly to: number; readonly minutes: number };
  /** Sum of the series over the window, and of the detector's expected values and band. */
  readonly count: number;
  readonly expected: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  /** count / expected (null without an expectation). */
  readonly ratio: number | null;
  readonly since: number;
  readonly channels: readonly { readonly channel: string; readonly count: number }[];
  readonly risingTerms: readonly RisingTerm[];
  readonly examples: readonly { readonly id: string; readonly channel: string; readonly at: string; readonly text: string; readonly link: string | null }[];
  readonly dashboardUrl: string | null;
  /**
   * Other watched series that moved in the same window against their own baseline, best first: "at the
   * same time `errors.auth` ×9 (started 3 min earlier), `logins` −40%". Absent in evidence stored before it existed.
   */
  readonly correlated?: readonly CorrelatedEvidence[];
}

/** One series that moved with the alert, with its display label. */
export interface CorrelatedEvidence extends CorrelatedSeries {
  readonly label: string;
}

const EXAMPLE_CHARS = 280;

function entries(counts: TermCounts): [string, number][] {
  return counts instanceof Map ? [...counts.entries()] : Object.entries(counts as Record<string, number>);
}

/**
 * Terms whose share of the window rose most against the baseline: add-one smoothed share ratio,
 * ranked by `count × ln(ratio)` (its contribution to the KL divergence); at least `minCount`
 * occurrences and a ratio of at least `minRatio`.
 *
 * @example risingTerms({password: 12, order: 5}, {password: 2, order: 50}) // [{term: 'password', ...}]
 */
export function risingTerms(
  current: TermCounts,
  baseline: TermCounts,
  options: { readonly limit?: number; readonly minCount?: number; readonly minRatio?: number } = {},
): RisingTerm[] {
  const limit = options.limit ?? 5;
  const minCount = options.minCount ?? 2;
  const minRatio = options.minRatio ?? 2;
  const cur = entries(current).filter(([, n]) => n > 0);
  const base = new Map(entries(baseline).filter(([, n]) => n > 0));
  const vocabulary = new Set([...cur.map(([t]) => t), ...base.keys()]).size;
  const curTotal = cur.reduce((s, [, n]) => s + n, 0);
  const baseTotal = [...base.values()].reduce((s, n) => s + n, 0);
  const scored: (RisingTerm & { score: number })[] = [];
  for (const [term, count] of cur) {
    if (count < minCount) continue;
    if (baseTotal === 0) {
      // Nothing to compare with: every term is new; rank by count.
      scored.push({ term, count, baseline: 0, ratio: null, score: count });
      continue;
    }
    const b = base.get(term) ?? 0;
    const ratio = (count + 1) / (curTotal + vocabulary) / ((b + 1) / (baseTotal + vocabulary));
    if (ratio < minRatio) continue;
    scored.push({ term, count, baseline: b, ratio: Math.round(ratio * 10) / 10, score: count * Math.log(ratio) });
  }
  scored.sort((a, b) => b.score - a.score || b.count - a.count || (a.term < b.term ? -1 : 1));
  return scored.slice(0, limit).map(({ score: _score, ...rest }) => rest);
}

/**
 * The incident page of the dashboard: `<base>/#/incidents/<id>` (the dashboard navigates by `#/…`; the
 * fragment survives the login redirect). The id is the alert's: an alert that joined another's incident
 * opens that incident's page. Links of the older forms (`<base>/#/alerts?id=<id>` opens the alert in the
 * Alerts view; `<base>/?series=…&alert=<id>` is rewritten to the incident page) still work.
 * @example dashboardLink('https://radar.example.com/', 'complaints-x1') // 'https://radar.example.com/#/incidents/complaints-x1'
 */
export function dashboardLink(base: string, alertId: string): string {
  return `${base.replace(/\/+$/, '')}/#/incidents/${encodeURIComponent(alertId)}`;
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

export function buildEvidence(input: EvidenceInput): Evidence {
  const from = input.now - input.windowMs;
  const inWindow = input.points.filter((p) => p.t > from && p.t <= input.now);
  let count = 0;
  let expected: number | null = null;
  let lower: number | null = null;
  let upper: number | null = null;
  for (const p of inWindow) {
    count += p.value ?? 0;
    if (p.expected !== null) expected = (expected ?? 0) + p.expected;
    if (p.lower !== null) lower = (lower ?? 0) + p.lower;
    if (p.upper !== null) upper = (upper ?? 0) + p.upper;
  }
  const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
  const ratio = expected !== null && expected > 0 ? Math.round((count / expected) * 10) / 10 : null;
  const channels = Object.entries(input.channelCounts)
    .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0)
    .map(([channel, n]) => ({ channel, count: n }))
    .sort((a, b) => b.count - a.count || (a.channel < b.channel ? -1 : 1));
  const seen = new Set<string>();
  const examples = [];
  for (const m of input.examples) {
    if (examples.length >= (input.maxExamples ?? 5)) break;
    const text = truncate(maskPii(m.text), EXAMPLE_CHARS);
    const key = text.toLowerCase();
    if (text === '' || seen.has(key)) continue;
    seen.add(key);
    examples.push({ id: m.id, channel: m.channel, at: m.createdAt, text, link: m.link });
  }
  return {
    series: input.series,
    label: seriesLabel(input.series, input.labels),
    window: { from, to: input.now, minutes: Math.round(input.windowMs / 60_000) },
    count: Math.round(count * 100) / 100,
    expected: round(expected),
    lower: round(lower),
    upper: round(upper),
    ratio,
    since: input.alert.startsAt,
    channels,
    risingTerms: risingTerms(input.terms.current, input.terms.baseline, { limit: input.maxTerms ?? 5 }),
    examples,
    dashboardUrl: input.dashboardBaseUrl === null ? null : dashboardLink(input.dashboardBaseUrl, input.alert.id),
    correlated: (input.correlated ?? []).map((c) => ({ ...c, label: seriesLabel(c.series, input.labels) })),
  };
}

/** What the worker should fetch to build an alert's evidence (then call `buildEvidence`). */
export interface EvidenceRequest {
  /** Headline series: detector points of it over `window`. */
  readonly series: string;
  /** Category of the headline series (`complaints.<category>`), null for the total, channels and metrics. */
  readonly category: string | null;
  /** Channel split, current term counts and example messages over this range ([from, to)). */
  readonly window: { readonly from: number; readonly to: number };
  /** Term counts of the same category over this range, for rising terms. */
  readonly baseline: { readonly from: number; readonly to: number };
  readonly examples: number;
  readonly risingTerms: number;
}

export function evidenceRequest(
  alert: Pick<Alert, 'members'>,
  settings: { readonly window: number; readonly baseline: number; readonly examples: number; readonly risingTerms: number },
  now: number,
): EvidenceRequest {
  const series = primarySeries(alert, specificity);
  const from = now - settings.window;
  return {
    series,
    category: parseSeriesName(series).category,
    window: { from, to: now },
    baseline: { from: from - settings.baseline, to: from },
    examples: settings.examples,
    risingTerms: settings.risingTerms,
  };
}
