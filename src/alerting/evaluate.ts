/**
 * The alert state machine, pure: open alerts + this tick's observations + silences + `now` in,
 * updated alerts + events + notification intents out. The worker loads open alerts from the store,
 * calls `evaluate` each tick, saves every returned alert and enqueues one job per (intent, notifier).
 *
 * Per series (a member of an alert):
 *   inactive → pending   on an `anomaly` observation (direction and score allowed by the rule)
 *   pending  → firing    once it has been anomalous (or out of band) at a point `for` after its first
 *                        anomaly, and is not back in band
 *   pending/firing → ended  after `resolveHold` back in band (or with no observation for that long);
 *                        shorter dips keep the episode alive (flap protection)
 * Per alert (an incident: every member of one group key at the same time):
 *   pending → firing when a member fires (owner = who is on call); → cancelled if all end first;
 *   firing → resolved when every member has ended.
 * While firing and not silenced: first notification (`firing`), then `escalated` when unacknowledged
 * for `escalation.after`, `worse` when a firing series moved `worseFactor` times further from normal
 * than when it was last paged (even if acknowledged; at most every `groupInterval`), `updated` when more
 * series fired (at most every `groupInterval`), `repeat` every `repeatInterval` while unacknowledged;
 * `resolved` if `firing` was sent. Before its first page an alert checks whether it is another signal of
 * an incident already firing (another rule's alert, or another series' under `group: series`, whose onset is
 * within the correlation window and which names it in its correlation evidence as it names that one, see
 * correlation.ts `sameIncident`; or, for a complaint alert, an incident whose series is still out of its
 * band at the alert's onset and which the alert's evidence names, however long ago it began: `absorbedBy`):
 * then it joins that incident (`attached` / `correlated` events), takes its owner and
 * pages nobody; when the incident resolves, the alerts that joined it close with it. Every member tracks
 * its peak (`worst`) from every observation, and every page but `resolved` records it as `worstPaged`
 * (see worse.ts).
 */
import type { Alert, AlertMember, AlertPeak, NotificationKind, Silence } from '../domain/alert.js';
import type { Anomaly } from '../domain/anomaly.js';
import type { Observation, ObservationStatus } from './observation.js';
import { absorbedBy, sameIncident, type CorrelationSettings, type PointsBySeries } from './correlation.js';
import { movingCategory } from './moving-category.js';
import { primarySeries as headline } from './primary-series.js';
import { escalationChain, whoIsOnCall, type CompiledOncall } from './oncall.js';
import { alertIdFor, groupKeyFor, ruleFor, type CompiledRule } from './rules.js';
import { parseSeriesName, specificity } from './series-name.js';
import { silencingIds } from './silences.js';
import { newAlert, newMember } from './new-alert.js';
import { further, memberDirection, peakOf, worseMember, type WorseDetail } from './worse.js';
export { primarySeries } from './primary-series.js';

export interface AlertingRuntime {
  readonly rules: readonly CompiledRule[];
  readonly oncall: CompiledOncall;
  /** Lead/lag window and evidence size of correlation; absent: alerts never join each other's incident. */
  readonly correlation?: CorrelationSettings;
}

export interface EvaluateInput {
  readonly now: number;
  /** Open alerts (pending or firing) as last saved; closed ones are ignored. */
  readonly alerts: readonly Alert[];
  /** This tick's observations (may span several timestamps when catching up; processed in time order). */
  readonly observations: readonly Observation[];
  /** Silences (inactive ones are ignored). */
  readonly silences: readonly Silence[];
  /**
   * What the detector stored for every watched series over the last hour or so (and this tick's points):
   * an alert about to page first checks whether it is another signal of an incident already firing.
   */
  readonly points?: PointsBySeries;
}

export type AlertEventType =
  | 'pending'
  | 'series_added'
  | 'firing'
  | 'escalated'
  | 'worse'
  | 'silenced'
  | 'unsilenced'
  | 'resolved'
  | 'cancelled'
  /** On the alert that joined another's incident instead of paging (`related`: that alert). */
  | 'attached'
  /** On the incident's alert: another alert (`related`, headlined by `series`) joined it. */
  | 'correlated';

export interface AlertEvent {
  readonly type: AlertEventType;
  readonly alertId: string;
  readonly at: number;
  readonly series?: string;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly silences?: readonly string[];
  /** `worse`: the series' peak now and the peak last paged. */
  readonly peak?: AlertPeak;
  readonly paged?: AlertPeak;
  /** `attached` / `correlated`: the other alert. */
  readonly related?: string;
}

/** "Send this kind of notification about this alert"; the worker adds evidence and fans out per notifier. */
export interface NotificationIntent {
  /** Deterministic and unique per alert: `<alert id>-<kind>-<n>`; use `${key}.${notifier}` as job id. */
  readonly key: string;
  readonly alertId: string;
  readonly kind: NotificationKind;
  readonly at: number;
  /** Person id the notification is addressed to (the owner at that moment). */
  readonly owner: string | null;
  /** `worse` only: which series got worse, its peak now and the one last paged. */
  readonly worse?: WorseDetail;
  /** `handed_over` only: who handed the incident over (a person's id, or a token's name). */
  readonly by?: string;
}

export interface EvaluateResult {
  /** Every input alert (updated) and every new alert, including those that closed this tick. */
  readonly alerts: readonly Alert[];
  readonly events: readonly AlertEvent[];
  readonly notifications: readonly NotificationIntent[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type WorkMember = Mutable<AlertMember>;
type WorkAlert = Omit<Mutable<Alert>, 'members' | 'escalations'> & {
  members: WorkMember[];
  escalations: Alert['escalations'][number][];
};

const isOpen = (a: Pick<Alert, 'state'>): boolean => a.state === 'pending' || a.state === 'firing';

function clone(alert: Alert): WorkAlert {
  // Alerts saved before peaks were tracked have no `worst`/`worstPaged`: start them empty.
  return { ...alert, members: alert.members.map((m) => ({ ...m, worst: m.worst ?? null, worstPaged: m.worstPaged ?? null })), escalations: [...alert.escalations] };
}

function higher(a: Anomaly | null, b: Anomaly): Anomaly {
  return a === null || b.score > a.score || (b.score === a.score && Math.abs(b.value - b.expected) > Math.abs(a.value - a.expected)) ? b : a;
}

/** Runs the state machine for one tick (or a catch-up batch). Pure. */
export function evaluate(input: EvaluateInput, runtime: AlertingRuntime): EvaluateResult {
  const work = input.alerts.filter(isOpen).map(clone);
  const events: AlertEvent[] = [];
  const notifications: NotificationIntent[] = [];
  const ruleByName = new Map(runtime.rules.map((r) => [r.name, r]));

  const ruleOf = (alert: WorkAlert): CompiledRule | null => ruleByName.get(alert.rule) ?? null;

  const notify = (alert: WorkAlert, kind: NotificationKind, t: number, worse?: WorseDetail): void => {
    notifications.push({ key: `${alert.id}-${kind}-${alert.notifications}`, alertId: alert.id, kind, at: t, owner: alert.owner, ...(worse ? { worse } : {}) });
    // What this page showed is what the next `worse` is measured against.
    if (kind !== 'resolved') for (const m of alert.members) m.worstPaged = m.worst;
    alert.notifications += 1;
    alert.lastNotifiedAt = t;
    alert.changedSinceNotified = false;
    alert.updatedAt = t;
  };

  const correlation = runtime.correlation;
  /** Two alerts may be one incident unless the rule keeps them apart (one incident per category or per rule). */
  const mayJoin = (a: WorkAlert, b: WorkAlert): boolean => a.rule !== b.rule || ruleByName.get(a.rule)?.group === 'series';
  /** The firing incident this alert is another signal of (see `sameIncident`), if any: the earliest. */
  const incidentFor = (alert: WorkAlert, t: number): WorkAlert | null => {
    if (correlation === undefined || input.points === undefined) return null;
    const points = input.points;
    const candidates = work
      .filter((b) => b !== alert && b.state === 'firing' && (b.attachedTo ?? null) === null && mayJoin(alert, b))
      // A cheap first cut; `sameIncident` compares the onsets where the series really left their bands.
      .filter((b) => Math.abs(b.startsAt - alert.startsAt) <= 2 * correlation.windowMs)
      .sort((x, y) => x.startsAt - y.startsAt || (x.id < y.id ? -1 : 1));
    const within = candidates.find((b) => sameIncident(alert, b, points, t, correlation));
    if (within !== undefined) return within;
    // An incident still under way absorbs its later signals, however long ago it began (see `absorbedBy`);
    // never one that holds an alert this one may not join (another category of a category-grouped rule).
    const underWay = work
      .filter((b) => b !== alert && b.state === 'firing' && (b.attachedTo ?? null) === null && mayJoin(alert, b) && b.startsAt <= alert.startsAt)
      .map((b) => [b, ...work.filter((c) => c.attachedTo === b.id && isOpen(c))])
      .filter((group) => group.every((c) => mayJoin(alert, c)))
      .sort((x, y) => (x[0] as WorkAlert).startsAt - (y[0] as WorkAlert).startsAt || ((x[0] as WorkAlert).id < (y[0] as WorkAlert).id ? -1 : 1));
    return underWay.find((group) => absorbedBy(alert, group, points, t, correlation))?.[0] ?? null;
  };
  /** The incident is over: the alerts that joined it close with it (they paged nobody; a new anomaly opens a new alert). */
  const closeJoined = (alert: WorkAlert, t: number): void => {
    for (const c of work) {
      if (c.attachedTo !== alert.id || !isOpen(c)) continue;
      for (const m of c.members) if (m.state !== 'ended') Object.assign(m, { state: 'ended', endedAt: t });
      c.state = c.state === 'pending' ? 'cancelled' : 'resolved';
      c.endedAt = t;
      c.updatedAt = t;
      events.push({ type: c.state, alertId: c.id, at: t, related: alert.id });
    }
  };

  const effectiveStatus = (obs: Observation, rule: CompiledRule): ObservationStatus => {
    if (obs.status === 'in' || obs.anomaly === undefined) return obs.status;
    if (!rule.directions.has(obs.anomaly.direction)) return 'in';
    if (obs.status === 'anomaly' && obs.anomaly.score < rule.minScore) return 'out';
    return obs.status;
  };

  const apply = (obs: Observation, t: number): void => {
    const rule = ruleFor(runtime.rules, obs.series);
    if (rule === null) return;
    const status = effectiveStatus(obs, rule);
    const alert = work.find((a) => isOpen(a) && a.members.some((m) => m.series === obs.series));
    const member = alert?.members.find((m) => m.series === obs.series);
    if (alert && member) {
      if (member.state === 'ended') {
        if (status !== 'anomaly') return;
        const onset = obs.anomaly ?? null;
        Object.assign(member, {
          state: 'pending',
          since: t,
          firingSince: null,
          lastAnomalousAt: t,
          inBandSince: null,
          endedAt: null,
          anomalies: member.anomalies + 1,
          onset,
          latest: obs.anomaly ?? member.latest,
          peak: obs.anomaly ? higher(member.peak, obs.anomaly) : member.peak,
          // A new episode: its own peak, not yet paged.
          worst: peakOf(obs, onset),
          worstPaged: null,
        });
        alert.updatedAt = t;
        return;
      }
      const onset = member.onset;
      const worst = further(member.worst, peakOf(obs, onset), memberDirection(member));
      if (worst !== member.worst) {
        member.worst = worst;
        alert.updatedAt = t;
      }
      const beyondOnset =
        status === 'in' && obs.value !== undefined && onset !== null && (onset.direction === 'up' ? obs.value > onset.upper : obs.value < onset.lower);
      if (status === 'in' && !beyondOnset) {
        if (member.inBandSince === null) {
          member.inBandSince = t;
          alert.updatedAt = t;
        }
        return;
      }
      member.lastAnomalousAt = Math.max(member.lastAnomalousAt, t);
      member.inBandSince = null;
      member.anomalies += 1;
      if (obs.anomaly) {
        member.latest = obs.anomaly;
        member.peak = higher(member.peak, obs.anomaly);
      }
      alert.updatedAt = t;
      return;
    }
    if (status !== 'anomaly') return;
    const anomaly = obs.anomaly ?? null;
    const fresh: WorkMember = newMember({ series: obs.series, state: 'pending', since: t, onset: anomaly, latest: anomaly, peak: anomaly, worst: peakOf(obs, anomaly) });
    const moving = (series: string): string | null =>
      correlation === undefined || input.points === undefined ? null : movingCategory(series, t, input.points, correlation);
    const { groupKey, target } = placement(rule, obs.series, work.filter((a) => isOpen(a) && a.rule === rule.name), moving);
    if (target) {
      if (target.groupKey !== groupKey) target.groupKey = groupKey;
      target.members.push(fresh);
      target.updatedAt = t;
      events.push({ type: 'series_added', alertId: target.id, at: t, series: obs.series });
      return;
    }
    const created: WorkAlert = clone(
      newAlert({ id: alertIdFor(groupKey, t), rule: rule.name, groupKey, severity: rule.severity, state: 'pending', members: [fresh], startsAt: t }),
    );
    work.push(created);
    events.push({ type: 'pending', alertId: created.id, at: t, series: obs.series });
  };

  const tick = (t: number): void => {
    for (const alert of work) {
      if (!isOpen(alert)) continue;
      const rule = ruleOf(alert);
      const forMs = rule?.forMs ?? 0;
      const holdMs = rule?.resolveHoldMs ?? 0;
      for (const m of alert.members) {
        if (m.state === 'ended') continue;
        const quietSince = m.inBandSince ?? (t - m.lastAnomalousAt > holdMs ? m.lastAnomalousAt : null);
        if (quietSince !== null && t - quietSince >= holdMs) {
          m.state = 'ended';
          m.endedAt = t;
          alert.updatedAt = t;
        } else if (m.state === 'pending' && m.inBandSince === null && m.lastAnomalousAt - m.since >= forMs) {
          m.state = 'firing';
          m.firingSince = t;
          alert.updatedAt = t;
          // News only when the series was not yet part of the last notification.
          // (With category grouping, the total and channel series joining add no news.)
          const news = rule?.group !== 'category' || parseSeriesName(m.series).category !== null;
          if (news && alert.state === 'firing' && alert.notifiedFiring && m.since > (alert.lastNotifiedAt ?? Number.NEGATIVE_INFINITY)) {
            alert.changedSinceNotified = true;
          }
        }
      }

      if (alert.members.every((m) => m.state === 'ended')) {
        alert.endedAt = t;
        alert.updatedAt = t;
        closeJoined(alert, t);
        if (alert.state === 'pending') {
          alert.state = 'cancelled';
          events.push({ type: 'cancelled', alertId: alert.id, at: t });
        } else {
          alert.state = 'resolved';
          events.push({ type: 'resolved', alertId: alert.id, at: t });
          const muted = silencingIds(input.silences, alert.members.map((m) => m.series), t);
          alert.silencedBy = muted;
          if (alert.notifiedFiring && muted.length === 0 && alert.owner !== null) notify(alert, 'resolved', t);
        }
        continue;
      }

      if (alert.state === 'pending') {
        if (!alert.members.some((m) => m.state === 'firing')) continue;
        alert.state = 'firing';
        alert.firingAt = t;
        alert.owner = whoIsOnCall(runtime.oncall, t).person;
        alert.ownerSince = t;
        alert.updatedAt = t;
        events.push({ type: 'firing', alertId: alert.id, at: t, to: alert.owner });
      }
      // Joined another incident: that alert pages, this one records.
      if ((alert.attachedTo ?? null) !== null) continue;

      const active = alert.members.filter((m) => m.state !== 'ended').map((m) => m.series);
      const muted = silencingIds(input.silences, active, t);
      if (muted.join(',') !== alert.silencedBy.join(',')) {
        events.push({ type: muted.length > 0 ? 'silenced' : 'unsilenced', alertId: alert.id, at: t, silences: muted });
        alert.silencedBy = muted;
        alert.updatedAt = t;
      }
      if (muted.length > 0) continue;

      const acked = alert.acknowledgedAt !== null;
      const last = alert.lastNotifiedAt ?? Number.NEGATIVE_INFINITY;
      if (!alert.notifiedFiring) {
        const incident = incidentFor(alert, t);
        if (incident !== null) {
          alert.attachedTo = incident.id;
          alert.owner = incident.owner;
          alert.ownerSince = t;
          alert.updatedAt = t;
          events.push({ type: 'attached', alertId: alert.id, at: t, related: incident.id, to: incident.owner });
          events.push({ type: 'correlated', alertId: incident.id, at: t, related: alert.id, series: headline(alert, specificity) });
          incident.updatedAt = t;
          continue;
        }
        if (!acked) {
          // The owner is whoever is on call when the alert is first sent (it may have been silenced until now).
          const owner = whoIsOnCall(runtime.oncall, t).person;
          if (owner !== alert.owner && alert.escalations.length === 0) alert.owner = owner;
          alert.ownerSince = t;
        }
        alert.notifiedFiring = true;
        notify(alert, 'firing', t);
        continue;
      }
      const afterMs = runtime.oncall.escalation.afterMs;
      if (!acked && afterMs > 0 && alert.owner !== null && alert.ownerSince !== null && t - alert.ownerSince >= afterMs) {
        const original = alert.escalations[0]?.from ?? alert.owner;
        const chain = escalationChain(runtime.oncall, original);
        const next = chain[alert.escalations.length];
        if (next !== undefined) {
          alert.escalations.push({ at: t, from: alert.owner, to: next, level: alert.escalations.length + 1 });
          events.push({ type: 'escalated', alertId: alert.id, at: t, from: alert.owner, to: next });
          alert.owner = next;
          alert.ownerSince = t;
          notify(alert, 'escalated', t);
          continue;
        }
      }
      const worse = rule !== null && t - last >= rule.groupIntervalMs ? worseMember(alert.members, rule.worseFactor) : null;
      if (worse !== null) {
        events.push({ type: 'worse', alertId: alert.id, at: t, series: worse.series, peak: worse.peak, paged: worse.paged });
        notify(alert, 'worse', t, worse);
        continue;
      }
      if (alert.changedSinceNotified && t - last >= (rule?.groupIntervalMs ?? 0)) {
        notify(alert, 'updated', t);
        continue;
      }
      if (!acked && rule !== null && rule.repeatIntervalMs > 0 && t - last >= rule.repeatIntervalMs) notify(alert, 'repeat', t);
    }
  };

  const ordered = [...input.observations].sort((a, b) => a.t - b.t || (a.series < b.series ? -1 : a.series > b.series ? 1 : 0));
  let i = 0;
  while (i < ordered.length) {
    const t = ordered[i]?.t ?? input.now;
    if (t > input.now) break;
    while (i < ordered.length && ordered[i]?.t === t) {
      const obs = ordered[i];
      if (obs) apply(obs, t);
      i++;
    }
    tick(t);
  }
  tick(input.now);

  return { alerts: work.map(freeze), events, notifications };
}

/**
 * Which open alert a newly anomalous series joins, and the alert's group key afterwards.
 * `rule`: one incident per rule; `series`: one per series; `category`: one per complaint category
 * (`complaints.<category>`). A series without a category (the total, a channel, a language) belongs to
 * the category whose series moved with it (`moving`, see moving-category.ts): it joins that category's
 * open incident, or opens it. When no category moved it joins the most recent open incident of the
 * rule — an incident it opened first takes the category of the first category series that joins it.
 */
function placement(
  rule: CompiledRule,
  series: string,
  open: readonly WorkAlert[],
  moving: (series: string) => string | null,
): { groupKey: string; target: WorkAlert | undefined } {
  if (rule.group !== 'category') {
    const groupKey = groupKeyFor(rule, series);
    return { groupKey, target: open.find((a) => a.groupKey === groupKey) };
  }
  const category = parseSeriesName(series).category;
  if (category !== null) {
    const groupKey = `${rule.name}.${category}`;
    const target = open.find((a) => a.groupKey === groupKey) ?? open.find((a) => a.groupKey === rule.name);
    return { groupKey, target };
  }
  const moved = moving(series);
  if (moved !== null) {
    const groupKey = `${rule.name}.${moved}`;
    return { groupKey, target: open.find((a) => a.groupKey === groupKey) ?? open.find((a) => a.groupKey === rule.name) };
  }
  const latest = [...open].sort((a, b) => b.startsAt - a.startsAt)[0];
  return latest ? { groupKey: latest.groupKey, target: latest } : { groupKey: rule.name, target: undefined };
}

function freeze(alert: WorkAlert): Alert {
  return { ...alert, members: alert.members.map((m) => ({ ...m })), escalations: [...alert.escalations] };
}

/**
 * Acknowledge a firing alert: stops escalation and repeats (resolved is still sent). Returns the alert
 * unchanged when it is not firing or already acknowledged.
 */
export function acknowledge(alert: Alert, by: string, now: number): Alert {
  if (alert.state !== 'firing' || alert.acknowledgedAt !== null) return alert;
  return { ...alert, acknowledgedAt: now, acknowledgedBy: by, updatedAt: now };
}
