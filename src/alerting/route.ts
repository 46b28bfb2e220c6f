/** "Who would be paged for this series now?" — the answer behind `radar alerts test-route <series>`. */
import type { Silence } from '../domain/alert.js';
import type { AlertingRuntime } from './evaluate.js';
import { escalationChain, personName, whoIsOnCall } from './oncall.js';
import { groupKeyFor, ruleFor } from './rules.js';
import { silencingIds } from './silences.js';
import { formatLocal } from './time-zone.js';

export interface RouteAnswer {
  readonly series: string;
  readonly rule: string | null;
  readonly groupKey: string | null;
  readonly forMs: number | null;
  readonly owner: string | null;
  readonly ownerName: string | null;
  readonly why: string | null;
  readonly escalation: readonly { readonly afterMs: number; readonly person: string; readonly name: string }[];
  readonly silencedBy: readonly string[];
}

export function routeSeries(series: string, runtime: AlertingRuntime, silences: readonly Silence[], now: number): RouteAnswer {
  const rule = ruleFor(runtime.rules, series);
  if (rule === null) {
    return { series, rule: null, groupKey: null, forMs: null, owner: null, ownerName: null, why: null, escalation: [], silencedBy: [] };
  }
  const oncall = whoIsOnCall(runtime.oncall, now);
  const after = runtime.oncall.escalation.afterMs;
  const chain = after > 0 ? escalationChain(runtime.oncall, oncall.person) : [];
  return {
    series,
    rule: rule.name,
    groupKey: groupKeyFor(rule, series),
    forMs: rule.forMs,
    owner: oncall.person,
    ownerName: personName(runtime.oncall, oncall.person),
    why: oncall.why + (oncall.reason ? ` (${oncall.reason})` : ''),
    escalation: chain.map((person, i) => ({ afterMs: after * (i + 1), person, name: personName(runtime.oncall, person) })),
    silencedBy: silencingIds(silences, [series], now),
  };
}

/** Plain-text rendering for the CLI. */
export function formatRoute(answer: RouteAnswer, timezone: string, now: number): string {
  if (answer.rule === null) return `${answer.series}: no rule matches; it never alerts\n`;
  const lines = [
    `series:     ${answer.series}`,
    `rule:       ${answer.rule} (group ${answer.groupKey}, fires after ${Math.round((answer.forMs ?? 0) / 1000)} s)`,
    `at:         ${formatLocal(now, timezone)} ${timezone}`,
    `owner:      ${answer.ownerName} [${answer.owner}] via ${answer.why}`,
  ];
  for (const step of answer.escalation) {
    lines.push(`escalates:  to ${step.name} [${step.person}] after ${Math.round(step.afterMs / 60_000)} min unacknowledged`);
  }
  if (answer.silencedBy.length > 0) lines.push(`silenced:   yes, by ${answer.silencedBy.join(', ')} (recorded, not sent)`);
  return `${lines.join('\n')}\n`;
}
