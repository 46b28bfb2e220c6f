/**
 * Drives `evaluate` minute by minute from compact tracks: one character per minute per series.
 *   a  the detector fired (anomaly, up)      d  anomaly, down
 *   o  outside the band, no fresh detection  .  back in band      _  no observation
 */
import { alertingConfigSchema } from '../../../src/config/alerting.js';
import type { Alert, Silence } from '../../../src/domain/alert.js';
import type { Anomaly } from '../../../src/domain/anomaly.js';
import { compileAlerting } from '../../../src/alerting/compile.js';
import { acknowledge, evaluate, type NotificationIntent } from '../../../src/alerting/evaluate.js';
import type { Observation } from '../../../src/alerting/observation.js';

/** Thursday 2026-11-26 14:00 UTC. */
export const T0 = Date.UTC(2026, 10, 26, 14, 0);
export const MIN = 60_000;

export function anomaly(series: string, t: number, direction: 'up' | 'down' = 'up', score = 0.9): Anomaly {
  return { series, t, value: direction === 'up' ? 20 : 0, expected: 5, lower: 2, upper: 9, score, direction, reason: direction === 'up' ? 'spike' : 'drop' };
}

export interface RunOptions {
  readonly config?: unknown;
  readonly silences?: readonly Silence[];
  /** Minute → acknowledge every firing alert then, by this person. */
  readonly ackAt?: Readonly<Record<number, string>>;
  /** Extra minutes to run after the longest track. */
  readonly tail?: number;
}

export interface RunResult {
  /** "<minute> <event> [series|from>to]" */
  readonly events: string[];
  /** "<minute> <kind> <owner>" */
  readonly notifications: string[];
  readonly alerts: Map<string, Alert>;
}

export function run(tracks: Readonly<Record<string, string>>, options: RunOptions = {}): RunResult {
  const config = alertingConfigSchema.parse(options.config ?? {});
  const runtime = compileAlerting(config);
  const length = Math.max(...Object.values(tracks).map((t) => t.length)) + (options.tail ?? 0);
  let open: Alert[] = [];
  const alerts = new Map<string, Alert>();
  const events: string[] = [];
  const notifications: string[] = [];
  for (let i = 0; i < length; i++) {
    const t = T0 + i * MIN;
    const ack = options.ackAt?.[i];
    if (ack !== undefined) open = open.map((a) => acknowledge(a, ack, t));
    const observations: Observation[] = [];
    for (const [series, track] of Object.entries(tracks)) {
      const c = track[i] ?? '_';
      if (c === 'a' || c === 'd') observations.push({ series, t, status: 'anomaly', anomaly: anomaly(series, t, c === 'd' ? 'down' : 'up') });
      else if (c === 'o') observations.push({ series, t, status: 'out' });
      else if (c === '.') observations.push({ series, t, status: 'in' });
    }
    const result = evaluate({ now: t, alerts: open, observations, silences: options.silences ?? [] }, runtime);
    for (const e of result.events) {
      const detail = e.series ?? (e.type === 'escalated' ? `${e.from}>${e.to}` : e.type === 'firing' ? e.to : e.silences?.join(','));
      events.push(`${(e.at - T0) / MIN} ${e.type}${detail ? ` ${detail}` : ''}`);
    }
    for (const n of result.notifications) notifications.push(`${(n.at - T0) / MIN} ${n.kind} ${n.owner}`);
    for (const a of result.alerts) alerts.set(a.id, a);
    open = result.alerts.filter((a) => a.state === 'pending' || a.state === 'firing');
  }
  return { events, notifications, alerts };
}

/**
 * Like `run`, with values: one token per minute, separated by spaces, for one series.
 *   a<value>[/<expected>]  the detector fired (up; `d` down)    o<value>[/<expected>]  out of band
 *   .<value>[/<expected>]  in band (a re-learnt baseline)        _  no observation
 * Expected defaults to `expected`; an anomaly's band is expected ± 1.
 */
export interface PointsResult extends RunResult {
  /** Every notification intent as returned (key, kind, worse detail). */
  readonly intents: NotificationIntent[];
}

export function runPoints(series: string, points: string, options: RunOptions & { readonly expected?: number } = {}): PointsResult {
  const config = alertingConfigSchema.parse(options.config ?? {});
  const runtime = compileAlerting(config);
  const tokens = points.trim().split(/\s+/);
  const length = tokens.length + (options.tail ?? 0);
  let open: Alert[] = [];
  const alerts = new Map<string, Alert>();
  const events: string[] = [];
  const notifications: string[] = [];
  const intents: NotificationIntent[] = [];
  for (let i = 0; i < length; i++) {
    const t = T0 + i * MIN;
    const ack = options.ackAt?.[i];
    if (ack !== undefined) open = open.map((a) => acknowledge(a, ack, t));
    const observations: Observation[] = [];
    const token = tokens[i] ?? '_';
    const m = /^([ado.])(-?[\d.]+)(?:\/(-?[\d.]+))?$/.exec(token);
    if (m) {
      const [, c, v, e] = m;
      const value = Number(v);
      const expected = e === undefined ? (options.expected ?? 1) : Number(e);
      const direction = c === 'd' ? ('down' as const) : ('up' as const);
      const a: Anomaly = { series, t, value, expected, lower: expected - 1, upper: expected + 1, score: 0.9, direction, reason: direction === 'up' ? 'spike' : 'drop' };
      if (c === 'a' || c === 'd') observations.push({ series, t, status: 'anomaly', anomaly: a, value });
      else if (c === 'o') observations.push({ series, t, status: 'out', anomaly: a, value });
      else observations.push({ series, t, status: 'in', value, expected });
    } else if (token !== '_') throw new Error(`bad token ${token}`);
    const result = evaluate({ now: t, alerts: open, observations, silences: options.silences ?? [] }, runtime);
    for (const e of result.events) events.push(`${(e.at - T0) / MIN} ${e.type}${e.type === 'worse' ? ` ${e.paged?.value}>${e.peak?.value}` : ''}`);
    for (const n of result.notifications) notifications.push(`${(n.at - T0) / MIN} ${n.kind} ${n.owner}`);
    intents.push(...result.notifications);
    for (const a of result.alerts) alerts.set(a.id, a);
    open = result.alerts.filter((a) => a.state === 'pending' || a.state === 'firing');
  }
  return { events, notifications, alerts, intents };
}
