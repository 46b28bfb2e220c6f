/** Alert rules compiled from config: which rule a series falls under and which incident it joins. */
import type { AlertRuleConfig } from '../config/alerting.js';
import type { Direction } from '../domain/anomaly.js';
import type { Severity } from '../domain/alert.js';
import { globToRegExp, matchesAny } from './glob.js';
import { parseSeriesName } from './series-name.js';

export interface CompiledRule {
  readonly name: string;
  readonly patterns: readonly RegExp[];
  readonly directions: ReadonlySet<Direction>;
  readonly minScore: number;
  readonly forMs: number;
  readonly resolveHoldMs: number;
  readonly repeatIntervalMs: number;
  readonly groupIntervalMs: number;
  /** Page again (`worse`) at this multiple of the deviation last paged; 0: never. */
  readonly worseFactor: number;
  readonly group: 'rule' | 'series' | 'category';
  readonly severity: Severity;
}

export function compileRules(rules: readonly AlertRuleConfig[]): CompiledRule[] {
  return rules.map((r) => ({
    name: r.name,
    patterns: r.match.map(globToRegExp),
    directions: new Set(r.directions),
    minScore: r.minScore,
    forMs: r.for,
    resolveHoldMs: r.resolveHold,
    repeatIntervalMs: r.repeatInterval,
    groupIntervalMs: r.groupInterval,
    worseFactor: r.worseFactor,
    group: r.group,
    severity: r.severity,
  }));
}

/** The first rule whose patterns match `series`, or null (the series never alerts). */
export function ruleFor(rules: readonly CompiledRule[], series: string): CompiledRule | null {
  return rules.find((r) => matchesAny(r.patterns, series)) ?? null;
}

/**
 * Series that share a group key and are anomalous at the same time are one incident. (With
 * `category` grouping this is the key a series would open; see `evaluate` for how it joins.)
 */
export function groupKeyFor(rule: CompiledRule, series: string): string {
  if (rule.group === 'rule') return rule.name;
  if (rule.group === 'series') return `${rule.name}.${series}`;
  const category = parseSeriesName(series).category;
  return category === null ? rule.name : `${rule.name}.${category}`;
}

/** Deterministic alert id: same incident start, same id (safe to retry a tick). */
export function alertIdFor(groupKey: string, startsAt: number): string {
  return `${groupKey.replace(/[^A-Za-z0-9._-]/g, '_')}-${startsAt.toString(36)}`;
}
