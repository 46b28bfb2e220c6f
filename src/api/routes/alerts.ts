import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { signAckConfirm, verifyAckConfirm, verifyAckToken } from '../../alerting/ack-token.js';
import { compileOncall, personName, whoIsOnCall } from '../../alerting/oncall.js';
import { silenceMatches, silenceProblems } from '../../alerting/silences.js';
import { parseSeriesName } from '../../alerting/series-name.js';
import type { Actor } from '../../domain/actor.js';
import { ALERT_STATES, type Alert, type Silence } from '../../domain/alert.js';
import { parseDuration } from '../../config/duration.js';
import type { AlertEventRecord, StoredAlert, StoredSilence } from '../../store/alert-store.js';
import { ackAlertView, renderAckPage, renderAckProblem, type AckPageState } from '../../dashboard/ack-page.js';
import { DASHBOARD_CSP } from '../../dashboard/html.js';
import { pickUiLang, translator } from '../../dashboard/i18n.js';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { HttpError, parseInput } from '../errors.js';
import { timeInput } from '../schemas.js';

const silenceBody = z
  .object({
    series: z.string().max(200).nullable().optional(),
    category: z.string().max(100).nullable().optional(),
    startsAt: timeInput.optional(),
    endsAt: timeInput.optional(),
    duration: z.string().max(20).optional(),
    comment: z.string().max(1000).default(''),
  })
  .strict();

const idParams = z.object({ id: z.string().min(1).max(300) });
const tokenParams = z.object({ token: z.string().min(1).max(600) });
/** The confirm page's form: the signed confirm token only (the ack token is in the URL). */
const ackForm = z.object({ confirm: z.string().max(200) }).strict();

/** Does a silence cover every series of an open alert (the rule `silencingIds` applies)? */
function silenceCovers(silence: Silence, alert: Alert): boolean {
  return alert.members.length > 0 && alert.members.every((m) => silenceMatches(silence, m.series));
}

/**
 * A cross-site POST is refused before anything else: browsers send `Sec-Fetch-Site` (and `Origin` on
 * form posts); a same-origin page or a typed URL (`none`) passes, another site does not. Clients that
 * send neither (curl) still need the signed confirm token from the page.
 */
function crossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    try {
      return new URL(origin).host !== request.host;
    } catch {
      return true;
    }
  }
  return origin === 'null';
}

/** Ack links, the alert history with who did what (`{by, via}`), manual resolve, and silences. */
export function registerAlertRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const oncall = compileOncall(deps.config.alerting.oncall);
  const labels = deps.config.alerting.evidence.labels;

  /** Events on every open alert a silence covers (created or ended by a person). */
  const silenceEvents = async (silence: Silence, type: 'silence_created' | 'silence_expired', actor: Actor, now: number): Promise<void> => {
    const open = [...(await deps.store.alerts.list({ state: 'firing', limit: 500 })), ...(await deps.store.alerts.list({ state: 'pending', limit: 500 }))];
    const events: AlertEventRecord[] = open
      .filter((a) => silenceCovers(silence, a))
      .map((a) => ({ alertId: a.id, type, at: now, by: actor.by, via: actor.via, silence: silence.id, comment: silence.comment, endsAt: silence.endsAt }));
    await deps.store.alerts.recordEvents(events);
  };

  /** Alerts, newest first; `state=firing|pending|resolved|cancelled`. */
  app.get('/api/alerts', { preHandler: app.requireRole('viewer') }, async (request) => {
    const q = parseInput(
      z.object({ state: z.enum(ALERT_STATES).optional(), limit: z.coerce.number().int().min(1).max(500).default(100), before: z.coerce.number().int().optional() }).strict(),
      request.query,
      'query',
    );
    // The owner's and acknowledger's names from the on-call config, as the incident page shows them.
    const name = (id: string | null) => (id === null ? null : personName(oncall, id));
    return { items: (await deps.store.alerts.list(q)).map((a) => ({ ...a, ownerName: name(a.owner), acknowledgedByName: name(a.acknowledgedBy) })) };
  });

  /** One alert and its history: every event with `{type, at, by, via}`, oldest first. */
  app.get('/api/alerts/:id', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const alert = await deps.store.alerts.get(id);
    if (!alert) throw new HttpError(404, 'ERR_NOT_FOUND', `no alert ${id}`);
    return { ...alert, events: await deps.store.alerts.events(id) };
  });

  /**
   * Acknowledge: the owner takes it; escalation and repeats stop (resolved is still sent). Idempotent:
   * a second call answers 200 with the first acknowledgement (`acknowledged: false`).
   */
  app.post('/api/alerts/:id/ack', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const outcome = await deps.store.alerts.acknowledge(id, actorOf(request.principal), deps.clock.now());
    const alert = outcome.alert;
    if (!alert) throw new HttpError(404, 'ERR_NOT_FOUND', `no alert ${id}`);
    if (!outcome.acknowledged && alert.acknowledgedAt === null) {
      throw new HttpError(409, 'ERR_ALERT_STATE', `alert ${id} is ${alert.state}; only a firing alert can be acknowledged`);
    }
    const { evidence: _evidence, ...plain } = alert;
    void _evidence;
    return { ...plain, acknowledged: outcome.acknowledged };
  });

  /**
   * Resolve by hand (an incident that is over although the series has not settled yet): resolved now,
   * with a `resolved` event `{by, via, manual: true}`. A later anomaly opens a new alert.
   */
  app.post('/api/alerts/:id/resolve', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const alert = await deps.store.alerts.get(id);
    if (!alert) throw new HttpError(404, 'ERR_NOT_FOUND', `no alert ${id}`);
    if (!(await deps.store.alerts.resolve(id, actorOf(request.principal), deps.clock.now()))) {
      throw new HttpError(409, 'ERR_ALERT_STATE', `alert ${id} is ${alert.state}; only a pending or firing alert can be resolved`);
    }
    const { evidence: _evidence, ...plain } = (await deps.store.alerts.get(id)) as StoredAlert;
    void _evidence;
    return plain;
  });

  // --- The signed link in notifications: GET/HEAD show what it is, only the page's POST acknowledges.

  const htmlReply = (reply: FastifyReply, status: number, body: string): FastifyReply =>
    reply.status(status).type('text/html; charset=utf-8').header('Content-Security-Policy', DASHBOARD_CSP).header('Cache-Control', 'no-store').send(body);

  /** The alert a link names, or the page that says why there is none (in the reader's language). */
  const resolveLink = async (token: string, request: FastifyRequest, reply: FastifyReply): Promise<{ alert: StoredAlert; secret: string } | FastifyReply> => {
    const lang = pickUiLang(request);
    const t = translator(lang);
    const secret = deps.alerting?.ackSecret ?? null;
    if (secret === null) return htmlReply(reply, 404, renderAckProblem(t('Links are off'), t('This service does not accept acknowledgement links. Open the dashboard to acknowledge.'), lang));
    const check = verifyAckToken(token, secret, deps.clock.now());
    if (!check.ok) {
      const detail = check.reason === 'expired'
        ? t('The link cannot be used: it has expired. Open the dashboard to acknowledge.')
        : t('The link cannot be used: it is not a link this service signed. Open the dashboard to acknowledge.');
      return htmlReply(reply, 403, renderAckProblem(t('This acknowledgement link is not valid'), detail, lang));
    }
    const alert = await deps.store.alerts.get(check.alertId);
    if (!alert) return htmlReply(reply, 404, renderAckProblem(t('No such alert'), t('The alert this link names no longer exists.'), lang));
    return { alert, secret };
  };

  const view = (alert: StoredAlert, now: number) => {
    const { evidence, ...plain } = alert;
    return ackAlertView(plain, evidence, { name: (id) => personName(oncall, id), onCallNow: oncall.people.size > 0 ? whoIsOnCall(oncall, now).person : null }, labels);
  };

  const stateOf = (alert: StoredAlert): AckPageState | null =>
    alert.state !== 'firing' ? { kind: 'not_firing' } : alert.acknowledgedAt !== null ? { kind: 'already' } : null;

  /** The confirm page. Changes nothing (HEAD is the same route without a body). */
  app.get('/ack/:token', async (request, reply) => {
    const { token } = parseInput(tokenParams, request.params, 'params');
    const found = await resolveLink(token, request, reply);
    if (!('alert' in found)) return found;
    const now = deps.clock.now();
    const state = stateOf(found.alert) ?? { kind: 'confirm', confirm: signAckConfirm(token, now, found.secret) };
    return htmlReply(reply, 200, renderAckPage({ view: view(found.alert, now), state, path: `/ack/${encodeURIComponent(token)}`, now, lang: pickUiLang(request) }));
  });

  /**
   * The confirm page's button: acknowledges as the alert's owner (or the logged-in user, when the
   * browser has a dashboard session), `via: link`. Needs the page's signed confirm token and refuses
   * cross-site posts; a second POST shows who acknowledged it first.
   */
  app.post('/ack/:token', async (request, reply) => {
    const { token } = parseInput(tokenParams, request.params, 'params');
    const found = await resolveLink(token, request, reply);
    if (!('alert' in found)) return found;
    const now = deps.clock.now();
    const lang = pickUiLang(request);
    const t = translator(lang);
    const path = `/ack/${encodeURIComponent(token)}`;
    const retry = (notice: string, status: number): FastifyReply =>
      htmlReply(reply, status, renderAckPage({ view: view(found.alert, now), state: stateOf(found.alert) ?? { kind: 'confirm', confirm: signAckConfirm(token, now, found.secret), notice }, path, now, lang }));
    if (crossSite(request)) return retry(t('That request came from another site and was refused. Press the button on this page to acknowledge.'), 403);
    const form = ackForm.safeParse(request.body ?? {});
    const confirm = form.success ? verifyAckConfirm(form.data.confirm, token, found.secret, now) : ({ ok: false, reason: 'malformed' } as const);
    if (!confirm.ok) {
      return retry(confirm.reason === 'expired' ? t('This page was open too long. Press the button again to acknowledge.') : t('The form was not sent from this page. Press the button to acknowledge.'), 403);
    }
    // The owner's person id (notifications and pages show the person's name), or the logged-in user.
    const by = request.principal?.via === 'session' ? request.principal.name : (found.alert.owner ?? 'ack link');
    const outcome = await deps.store.alerts.acknowledge(found.alert.id, { by, via: 'link' }, now);
    const alert = outcome.alert ?? found.alert;
    const state: AckPageState = outcome.acknowledged ? { kind: 'acknowledged', via: 'link' } : (stateOf(alert) ?? { kind: 'already' });
    if (outcome.acknowledged) request.log.info({ alertId: alert.id, by: alert.acknowledgedBy }, 'alert acknowledged by link');
    return htmlReply(reply, 200, renderAckPage({ view: view(alert, now), state, path, now, lang }));
  });

  // --- Silences: who created or ended one (and how) is kept on the silence and in the covered alerts' history.

  app.get('/api/silences', { preHandler: app.requireRole('viewer') }, async (request) => {
    const q = parseInput(z.object({ all: z.enum(['true', 'false']).optional() }).strict(), request.query, 'query');
    return { items: await deps.store.alerts.silences(deps.clock.now(), q.all === 'true') };
  });

  /** A silence by series and/or category pattern and time range (`endsAt` or `duration`, default 1h). */
  app.post('/api/silences', { preHandler: app.requireRole('admin') }, async (request, reply) => {
    const body = parseInput(silenceBody, request.body, 'body');
    const now = deps.clock.now();
    const startsAt = body.startsAt ?? now;
    let endsAt = body.endsAt;
    if (endsAt === undefined) {
      const ms = parseDuration(body.duration ?? '1h');
      if (ms === null || ms <= 0) throw new HttpError(400, 'ERR_VALIDATION', `body.duration: "${body.duration}" is not a duration`, 'body.duration');
      endsAt = startsAt + ms;
    }
    const actor = actorOf(request.principal);
    const silence: StoredSilence = {
      id: randomUUID(),
      series: body.series ?? null,
      category: body.category ?? null,
      startsAt,
      endsAt,
      createdBy: actor.by,
      createdVia: actor.via,
      comment: body.comment,
    };
    const problems = silenceProblems(silence);
    if (problems.length > 0) throw new HttpError(400, 'ERR_VALIDATION', `body: ${problems.join('; ')}`, 'body');
    await deps.store.alerts.addSilence(silence);
    await silenceEvents(silence, 'silence_created', actor, now);
    return reply.status(201).send(silence);
  });

  /** Ends a silence now; the silence keeps `expiredBy/expiredVia/expiredAt`. */
  app.delete('/api/silences/:id', { preHandler: app.requireRole('admin') }, async (request) => {
    const { id } = parseInput(z.object({ id: z.string().min(1).max(100) }), request.params, 'params');
    const now = deps.clock.now();
    const actor = actorOf(request.principal);
    const before = await deps.store.alerts.expireSilence(id, now, actor);
    if (!before) throw new HttpError(404, 'ERR_NOT_FOUND', `no silence ${id}`);
    if (before.endsAt > now) await silenceEvents(before, 'silence_expired', actor, now);
    return { id, expired: true };
  });
}

/** One relabelled message: its id, when it was written, its category before and after (null: not a complaint). */
export interface RelabelChange {
  readonly messageId: string;
  readonly createdAt: number;
  readonly from: string | null;
  readonly to: string | null;
}

/**
 * A relabel of a message inside an open alert's window also goes into that alert's history (a
 * `relabelled` event with `{message, from, to, by, via}`): the alert's evidence may have counted it.
 * An alert is concerned when one of its series is the message's category before or after the relabel
 * and the message was written after the alert's evidence window began. Many changes (a cluster
 * relabelled at once) read the open alerts once.
 */
export async function recordRelabelOnAlerts(
  deps: Pick<ApiDeps, 'store' | 'config'>,
  changes: RelabelChange | readonly RelabelChange[],
  actor: Actor,
  now: number,
): Promise<number> {
  const list = Array.isArray(changes) ? (changes as readonly RelabelChange[]) : [changes as RelabelChange];
  const relevant = list.filter((c) => c.from !== null || c.to !== null);
  if (relevant.length === 0) return 0;
  const window = deps.config.alerting.evidence.window;
  const open = [...(await deps.store.alerts.list({ state: 'firing', limit: 500 })), ...(await deps.store.alerts.list({ state: 'pending', limit: 500 }))];
  const events: AlertEventRecord[] = [];
  for (const change of relevant) {
    const categories = new Set([change.from, change.to].filter((c): c is string => c !== null));
    for (const a of open) {
      if (change.createdAt >= a.startsAt - window && a.members.some((m) => categories.has(parseSeriesName(m.series).category ?? ''))) {
        events.push({ alertId: a.id, type: 'relabelled', at: now, by: actor.by, via: actor.via, message: change.messageId, from: change.from, to: change.to });
      }
    }
  }
  await deps.store.alerts.recordEvents(events);
  return events.length;
}
