/**
 * The incident page's API. An incident is the alert that pages for it (its id is that alert's id):
 * alerts that joined it (`attachedTo`, see correlation.ts `sameIncident` / `absorbedBy`) are part of
 * it, and asking for one of them answers with its incident (`requestedId` names what was asked for).
 *
 * `GET /api/incidents/:id` is everything the page shows: the headline sentence, owner and state, the
 * headline series with the band that fired and the onset, channels and languages, rising words, the
 * biggest clusters of near-duplicate complaints, the related series (correlation evidence and joined
 * alerts) with their stored detector points, the notes thread, the history, and the plain-text summary.
 * `POST /api/incidents/:id/notes` adds a note; `POST /api/incidents/:id/handover` gives it to another
 * person of the on-call config.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { alertOnset } from '../../alerting/correlation.js';
import { buildEvidence, dashboardLink, evidenceRequest, type Evidence } from '../../alerting/evidence.js';
import { incidentHeadline, incidentSummary, type IncidentSummaryInput } from '../../alerting/incident-summary.js';
import { compileOncall, personName } from '../../alerting/oncall.js';
import { primarySeries } from '../../alerting/primary-series.js';
import { parseSeriesName, seriesLabel, specificity } from '../../alerting/series-name.js';
import { translator, UI_LANGS } from '../../dashboard/i18n.js';
import type { Alert } from '../../domain/alert.js';
import type { StoredDetectorPoint } from '../../store/detector-point-store.js';
import type { StoredAlert } from '../../store/alert-store.js';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { HttpError, parseInput } from '../errors.js';
import type { ClusterCache } from '../cluster-cache.js';
import { clusterView } from './messages.js';

const HOUR = 3_600_000;
/** The incident's messages, clusters and counts cover at most its last day. */
export const INCIDENT_SPAN_MAX = 24 * HOUR;
/** The chart shows this much before the onset, and after the end. */
const CHART_BEFORE = 2 * HOUR;
const CHART_AFTER = 15 * 60_000;
/** Messages clustered for the page (newest first), clusters shown, related series drawn. */
export const INCIDENT_MESSAGES_MAX = 1000;
const CLUSTERS_SHOWN = 10;
const RELATED_MAX = 6;
export const NOTE_MAX_CHARS = 4000;

const idParams = z.object({ id: z.string().min(1).max(300) }).strict();
/** `?lang=ru`: the headline and the plain-text summary in the dashboard's language (English by default). */
const incidentQuery = z.object({ lang: z.enum(UI_LANGS).default('en') }).strict();
const noteBody = z
  .object({ text: z.string().max(NOTE_MAX_CHARS).transform((t) => t.trim()).refine((t) => t.length > 0, 'must not be empty') })
  .strict();
const handOverBody = z.object({ to: z.string().min(1).max(200) }).strict();

function chartPoint(p: StoredDetectorPoint) {
  return { t: p.t, value: p.value, expected: p.expected, lower: p.lower, upper: p.upper, alert: p.alert, score: p.score };
}

/** The incident an alert belongs to: itself, or the alert it joined (when that one is still stored). */
async function incidentOf(deps: ApiDeps, id: string): Promise<StoredAlert> {
  const alert = await deps.store.alerts.get(id);
  if (!alert) throw new HttpError(404, 'ERR_NOT_FOUND', `no incident ${id}`);
  if (alert.attachedTo) return (await deps.store.alerts.get(alert.attachedTo)) ?? alert;
  return alert;
}

export function registerIncidentRoutes(app: FastifyInstance, deps: ApiDeps, clusterCache: ClusterCache): void {
  const alerting = deps.config.alerting;
  const oncall = compileOncall(alerting.oncall);
  const labels = alerting.evidence.labels;
  const step = deps.config.series.step;
  const base = alerting.dashboardUrl ?? deps.config.server.publicUrl ?? null;

  app.get('/api/incidents/:id', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { id: requestedId } = parseInput(idParams, request.params, 'params');
    const { lang } = parseInput(incidentQuery, request.query, 'query');
    const root = await incidentOf(deps, requestedId);
    const now = deps.clock.now();
    const joined = await deps.store.alerts.attachedTo(root.id, root.startsAt - alerting.evidence.correlationWindow - INCIDENT_SPAN_MAX);
    const alerts: Alert[] = [root, ...joined];
    const series = evidenceRequest(root, alerting.evidence, now).series;
    // The complaints of the incident: its headline category, else the first category an alert of it names.
    const category = [series, ...joined.map((a) => primarySeries(a, specificity))].map((s) => parseSeriesName(s).category).find((c) => c !== null) ?? null;
    const end = root.endedAt ?? now;
    const chartFrom = Math.max(root.startsAt - CHART_BEFORE - 2 * alerting.evidence.correlationWindow, end - INCIDENT_SPAN_MAX - CHART_BEFORE);
    const chartTo = Math.min(end + CHART_AFTER, now + step);
    const points = await deps.store.detectorPoints.read(series, chartFrom, chartTo);
    const { onset } = alertOnset(root, new Map([[series, points]]), alerting.evidence.correlationWindow);
    const from = Math.max(Math.min(onset, root.startsAt), end - INCIDENT_SPAN_MAX);
    const filter = { complaint: true, ...(category !== null ? { category } : {}) };
    // Channels, languages, words and messages over the minutes the count covers: the count sums the
    // judged buckets, so while the incident is open they end with the newest judged one (the page said
    // "36 since the onset" beside channels summing to 48, the minutes not judged yet included).
    const judged = points.filter((p) => p.value !== null).at(-1);
    const to = root.endedAt === null && judged !== undefined ? Math.min(end + 1, judged.t + step) : end + 1;
    const window = { ...filter, from, to };
    const [channels, langs, current, baseline, messages] = await Promise.all([
      deps.store.messages.countBy('channel', window),
      deps.store.messages.countBy('lang', window),
      deps.store.messages.termCounts(window),
      deps.store.messages.termCounts({ ...filter, from: from - alerting.evidence.baseline, to: from }, 20_000),
      deps.store.messages.list(window, INCIDENT_MESSAGES_MAX),
    ]);
    const stored = (root.evidence ?? null) as Partial<Evidence> | null;
    // The same evidence a notification carries, over the whole incident (onset → end) instead of the last window.
    const evidence = buildEvidence({
      alert: root,
      series,
      now: end,
      // (from, end]: the bucket that starts at the onset counts.
      windowMs: Math.max(step, end - from + 1),
      points: points.map((p) => ({ t: p.t, value: p.value, expected: p.expected, lower: p.lower, upper: p.upper })),
      channelCounts: Object.fromEntries([...channels].map(([k, v]) => [k ?? 'unknown', v])),
      terms: { current, baseline },
      examples: [],
      dashboardBaseUrl: base,
      labels,
      maxTerms: alerting.evidence.risingTerms,
      correlated: Array.isArray(stored?.correlated) ? stored.correlated : [],
    });
    const clusters = clusterCache.clusters(messages.items).slice(0, CLUSTERS_SHOWN).map((c) => clusterView(messages.items, c));

    // Related series: what moved with it (the evidence sent) and the series of the alerts that joined it.
    const related = new Map<string, { series: string; label: string; why: 'correlated' | 'joined'; alertId: string | null; size: string | null; leadMs: number | null }>();
    for (const a of joined) {
      for (const m of a.members) if (m.series !== series && !related.has(m.series)) related.set(m.series, { series: m.series, label: seriesLabel(m.series, labels), why: 'joined', alertId: a.id, size: null, leadMs: null });
    }
    for (const c of evidence.correlated ?? []) {
      const known = related.get(c.series);
      if (c.series !== series) related.set(c.series, { series: c.series, label: c.label, why: known?.why ?? 'correlated', alertId: known?.alertId ?? null, size: c.size, leadMs: c.leadMs });
    }
    const relatedList = [...related.values()].slice(0, RELATED_MAX);
    const relatedPoints = await deps.store.detectorPoints.readMany(relatedList.map((r) => r.series), chartFrom, chartTo);

    const member = root.members.find((m) => m.series === series) ?? root.members[0];
    const direction = member?.onset?.direction ?? member?.peak?.direction ?? 'up';
    const [notes, events] = await Promise.all([deps.store.incidentNotes.list(root.id), deps.store.alerts.events(root.id)]);
    // The page's language: every phrase, series label and channel worded by the dashboard's catalogue (one source for both).
    const t = translator(lang);
    const summaryInput: IncidentSummaryInput = {
      state: root.state,
      severity: root.severity,
      label: lang === 'en' ? evidence.label : seriesLabel(series, labels, t),
      direction,
      onset,
      endedAt: root.endedAt,
      count: evidence.count,
      expected: evidence.expected,
      now,
      timezone: oncall.timezone,
      owner: root.owner === null ? null : personName(oncall, root.owner),
      acknowledgedBy: root.acknowledgedBy === null ? null : personName(oncall, root.acknowledgedBy),
      acknowledgedAt: root.acknowledgedAt,
      channels: evidence.channels,
      clusters: clusters.map((c) => ({ count: c.count, text: c.representative.text })),
      correlated: evidence.correlated ?? [],
      link: base === null ? null : dashboardLink(base, root.id),
      language: { lang, t },
    };
    const { evidence: _sent, ...alert } = root;
    void _sent;
    return {
      id: root.id,
      requestedId,
      headline: incidentHeadline(summaryInput),
      summaryText: incidentSummary(summaryInput),
      alert,
      owner: root.owner === null ? null : { id: root.owner, name: personName(oncall, root.owner) },
      acknowledgedBy: root.acknowledgedBy === null ? null : { id: root.acknowledgedBy, name: personName(oncall, root.acknowledgedBy) },
      people: [...oncall.people.values()].map((p) => ({ id: p.id, name: p.name })),
      timezone: oncall.timezone,
      window: { from, to: to - 1 },
      series: {
        key: series,
        label: evidence.label,
        direction,
        onset,
        /** The band the series left at the onset: the normal the alert waits for it to return to. */
        band: member?.onset ? { expected: member.onset.expected, lower: member.onset.lower, upper: member.onset.upper, t: member.onset.t } : null,
        points: points.map(chartPoint),
      },
      size: { count: evidence.count, expected: evidence.expected, lower: evidence.lower, upper: evidence.upper, ratio: evidence.ratio },
      category,
      channels: evidence.channels,
      languages: [...langs].map(([lang, count]) => ({ lang: lang ?? 'unknown', count })).sort((a, b) => b.count - a.count || (a.lang < b.lang ? -1 : 1)),
      risingTerms: evidence.risingTerms,
      clusters,
      messages: { scanned: messages.items.length, complete: messages.nextCursor === null },
      related: relatedList.map((r) => ({ ...r, points: (relatedPoints.get(r.series) ?? []).map(chartPoint) })),
      alerts: alerts.map((a) => ({ id: a.id, state: a.state, series: a.members.map((m) => m.series), startsAt: a.startsAt, attachedTo: a.attachedTo ?? null })),
      notes,
      events,
    };
  });

  /** A note in the incident's thread, by the logged-in user or the token's name; 201 with the note. */
  app.post('/api/incidents/:id/notes', { preHandler: app.requireRole('viewer') }, async (request, reply) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const { text } = parseInput(noteBody, request.body, 'body');
    const incident = await incidentOf(deps, id);
    const note = await deps.store.incidentNotes.add(incident.id, text, actorOf(request.principal), deps.clock.now());
    return reply.status(201).send(note);
  });

  /**
   * Hand an open incident over to another person of the on-call config (`{to: <person id>}`): they own
   * it from now, with a `handed_over` event `{from, to, by, via}`, and are paged (`[HANDED OVER]`, through
   * the outbox, by every notifier). The same person again → 200 with
   * `handedOver: false`; a closed incident → 409.
   */
  app.post('/api/incidents/:id/handover', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const { to } = parseInput(handOverBody, request.body, 'body');
    if (!oncall.people.has(to)) {
      const known = [...oncall.people.keys()];
      throw new HttpError(400, 'ERR_VALIDATION', `body.to: "${to}" is not a person of alerting.oncall.people${known.length > 0 ? ` (${known.join(', ')})` : ' (none configured)'}`, 'body.to');
    }
    const incident = await incidentOf(deps, id);
    const actor = actorOf(request.principal);
    const now = deps.clock.now();
    const pager = deps.alerting?.handOver;
    // What the new owner is shown is gathered before the hand over's transaction (which stays short).
    let evidence: Evidence | null = null;
    if (pager) {
      try {
        evidence = await pager.evidence(incident, now);
      } catch (error) {
        deps.log.warn({ alertId: incident.id, err: error }, 'evidence could not be gathered; paging without it');
      }
    }
    const outcome = await deps.store.alerts.handOver(incident.id, to, actor, now, pager && ((alert) => pager.handOverPages(alert, evidence, actor.by, now)));
    const alert = outcome.alert;
    if (!alert) throw new HttpError(404, 'ERR_NOT_FOUND', `no incident ${id}`);
    if (!outcome.changed && alert.owner !== to) throw new HttpError(409, 'ERR_ALERT_STATE', `incident ${incident.id} is ${alert.state}; only a pending or firing one can be handed over`);
    return { id: alert.id, owner: alert.owner, ownerSince: alert.ownerSince, handedOver: outcome.changed };
  });
}
