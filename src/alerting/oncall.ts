/**
 * On-call: exactly one owner at any instant (override > schedule slot > rotation), and the
 * escalation chain after them. Pure: `now` is an argument; time zones via Intl.
 */
import type { OncallConfig, PersonConfig } from '../config/alerting.js';
import { dayNumber, localParts, parseLocalDateTime, parseTimeOfDay } from './time-zone.js';

export type Person = PersonConfig;

const DAY_INDEX: Readonly<Record<string, number>> = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 };

export interface CompiledOncall {
  readonly timezone: string;
  readonly people: ReadonlyMap<string, Person>;
  readonly rotation: {
    readonly people: readonly string[];
    readonly startDay: number;
    readonly handoverMinute: number;
    readonly shiftDays: number;
  };
  readonly schedule: readonly { person: string; days: ReadonlySet<number>; from: number; to: number }[];
  readonly overrides: readonly { person: string; from: number; to: number; reason: string | null }[];
  readonly escalation: { readonly afterMs: number; readonly chain: readonly string[]; readonly maxSteps: number | null };
}

export function compileOncall(config: OncallConfig): CompiledOncall {
  const tz = config.timezone;
  const [y, m, d] = config.rotation.start.split('-').map(Number);
  return {
    timezone: tz,
    people: new Map(config.people.map((p) => [p.id, p])),
    rotation: {
      people: config.rotation.people ?? config.people.map((p) => p.id),
      startDay: dayNumber(y ?? 2026, m ?? 1, d ?? 1),
      handoverMinute: parseTimeOfDay(config.rotation.handover),
      shiftDays: config.rotation.shiftDays,
    },
    schedule: config.schedule.map((s) => ({
      person: s.person,
      days: new Set(s.days.map((day) => DAY_INDEX[day] ?? 0)),
      from: parseTimeOfDay(s.from),
      to: parseTimeOfDay(s.to),
    })),
    overrides: config.overrides.map((o) => ({
      person: o.person,
      from: parseLocalDateTime(o.from, tz) ?? Number.NaN,
      to: parseLocalDateTime(o.to, tz) ?? Number.NaN,
      reason: o.reason ?? null,
    })),
    escalation: {
      afterMs: config.escalation.after,
      chain: config.escalation.to,
      maxSteps: config.escalation.maxSteps ?? null,
    },
  };
}

export interface OnCallAnswer {
  readonly person: string;
  readonly why: 'override' | 'schedule' | 'rotation';
  readonly reason: string | null;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** Who is on call at `now`, and why. Always exactly one person. */
export function whoIsOnCall(oncall: CompiledOncall, now: number): OnCallAnswer {
  for (let i = oncall.overrides.length - 1; i >= 0; i--) {
    const o = oncall.overrides[i];
    if (o && now >= o.from && now < o.to) return { person: o.person, why: 'override', reason: o.reason };
  }
  const p = localParts(now, oncall.timezone);
  const minute = p.hour * 60 + p.minute;
  for (let i = oncall.schedule.length - 1; i >= 0; i--) {
    const s = oncall.schedule[i];
    if (!s) continue;
    if (s.from <= s.to) {
      if (s.days.has(p.weekday) && minute >= s.from && minute < s.to) return { person: s.person, why: 'schedule', reason: null };
    } else {
      // Overnight slot: from `from` on a listed day until `to` on the next day.
      if (s.days.has(p.weekday) && minute >= s.from) return { person: s.person, why: 'schedule', reason: null };
      if (s.days.has(mod(p.weekday - 1, 7)) && minute < s.to) return { person: s.person, why: 'schedule', reason: null };
    }
  }
  const r = oncall.rotation;
  const shiftDay = dayNumber(p.year, p.month, p.day) - (minute < r.handoverMinute ? 1 : 0);
  const index = mod(Math.floor((shiftDay - r.startDay) / r.shiftDays), r.people.length);
  return { person: r.people[index] ?? r.people[0] ?? '', why: 'rotation', reason: null };
}

/** The people an alert owned by `owner` escalates to, in order (the owner excluded). */
export function escalationChain(oncall: CompiledOncall, owner: string): string[] {
  let chain: string[];
  if (oncall.escalation.chain.length > 0) {
    chain = oncall.escalation.chain.filter((id) => id !== owner);
  } else {
    const order = oncall.rotation.people;
    const at = order.indexOf(owner);
    chain = [];
    // An owner outside the rotation (an override) escalates to the rotation from its start.
    const first = at < 0 ? 0 : 1;
    for (let i = first; i < order.length; i++) {
      const id = order[mod((at < 0 ? 0 : at) + i, order.length)];
      if (id !== undefined && id !== owner && !chain.includes(id)) chain.push(id);
    }
  }
  const max = oncall.escalation.maxSteps;
  return max === null ? chain : chain.slice(0, max);
}

export function personName(oncall: CompiledOncall, id: string | null): string {
  if (id === null) return 'nobody';
  return oncall.people.get(id)?.name ?? id;
}
