import type { Kysely } from 'kysely';
import { SYSTEM_ACTOR, type Actor, type ActorVia } from '../domain/actor.js';
import type { Alert, AlertState, Silence } from '../domain/alert.js';
import { OutboxStore, type OutboxEntry } from './outbox-store.js';
import type { Database } from './schema.js';

export interface StoredAlert extends Alert {
  /** The evidence last sent with a notification (null before the first). */
  readonly evidence: unknown;
}

/**
 * One entry of an alert's history. `by`/`via` say who did it and how (see `domain/actor.ts`); events
 * saved without them (the state machine's: firing, escalated, resolved…) are the system's.
 */
export interface AlertEventRecord {
  readonly alertId: string;
  readonly type: string;
  readonly at: number;
  readonly by?: string;
  readonly via?: ActorVia;
  readonly [key: string]: unknown;
}

/** A silence as stored: who created it and how, and who ended it early. */
export interface StoredSilence extends Silence {
  readonly createdVia?: ActorVia;
  readonly expiredBy?: string;
  readonly expiredVia?: ActorVia;
  readonly expiredAt?: number;
}

/** What an acknowledgement did: `acknowledged` is false when it was already acknowledged (or not firing). */
export interface AckOutcome {
  readonly acknowledged: boolean;
  readonly alert: StoredAlert | null;
}

const CLOSED = new Set<string>(['resolved', 'cancelled']);

/**
 * A hand over written meanwhile survives a tick's older copy: the person it was handed to stays the
 * owner (and their time as owner starts at the hand over) unless the tick escalated after it.
 */
function withHandOver(alert: Alert, at: number | null, to: string | null): Alert {
  if (at === null || to === null || CLOSED.has(alert.state)) return alert;
  const at_ = Number(at);
  if (alert.escalations.some((e) => e.at > at_)) return alert;
  if (alert.owner === to && (alert.ownerSince ?? 0) >= at_) return alert;
  return { ...alert, owner: to, ownerSince: Math.max(alert.ownerSince ?? 0, at_) };
}

/** What a hand over did: `changed` is false when the alert is not open or already owned by that person. */
export interface HandOverOutcome {
  readonly changed: boolean;
  readonly alert: StoredAlert | null;
}

function withActor(event: AlertEventRecord): AlertEventRecord {
  return event.by !== undefined && event.via !== undefined ? event : { ...event, by: event.by ?? SYSTEM_ACTOR.by, via: event.via ?? SYSTEM_ACTOR.via };
}

/** Alerts (one row per incident, the Alert as JSON), their event history, and silences. */
export class AlertStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** How many alerts are in `state` now (`radar_alerts_firing`, read at scrape time; the state column is indexed). */
  async countInState(state: AlertState): Promise<number> {
    const row = await this.db.selectFrom('alerts').select((eb) => eb.fn.countAll().as('n')).where('state', '=', state).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Pending and firing alerts (what the state machine continues from). */
  async open(): Promise<Alert[]> {
    const rows = await this.db.selectFrom('alerts').selectAll().where('state', 'in', ['pending', 'firing']).execute();
    return rows.map((r) => this.withAck(JSON.parse(r.doc) as Alert, r.acknowledged_at, r.acknowledged_by));
  }

  private withAck(alert: Alert, at: number | null, by: string | null): Alert {
    if (at === null || alert.acknowledgedAt !== null) return alert;
    return { ...alert, acknowledgedAt: Number(at), acknowledgedBy: by };
  }

  /**
   * Saves alerts from a tick. An acknowledgement written meanwhile (the ack column) survives: the
   * tick's copy may predate it.
   */
  async save(alerts: readonly Alert[], events: readonly AlertEventRecord[] = [], within?: Kysely<Database>): Promise<void> {
    if (alerts.length === 0 && events.length === 0) return;
    // Inside the caller's transaction (the detector tick's outbox) or one of its own.
    const run = (body: (trx: Kysely<Database>) => Promise<void>) => (within ? body(within) : this.db.transaction().execute(body));
    await run(async (trx) => {
      for (const a of alerts) {
        const existing = await trx
          .selectFrom('alerts')
          .select(['acknowledged_at', 'acknowledged_by', 'state', 'handed_over_at', 'handed_over_to'])
          .where('id', '=', a.id)
          .executeTakeFirst();
        // Resolved by a person meanwhile: a tick that loaded it while open must not reopen it.
        if (existing && CLOSED.has(existing.state) && !CLOSED.has(a.state)) continue;
        const alert = existing ? withHandOver(this.withAck(a, existing.acknowledged_at, existing.acknowledged_by), existing.handed_over_at, existing.handed_over_to) : a;
        const row = {
          state: alert.state,
          rule: alert.rule,
          group_key: alert.groupKey,
          owner: alert.owner,
          starts_at: alert.startsAt,
          updated_at: alert.updatedAt,
          acknowledged_at: alert.acknowledgedAt,
          acknowledged_by: alert.acknowledgedBy,
          doc: JSON.stringify(alert),
        };
        if (existing) await trx.updateTable('alerts').set(row).where('id', '=', alert.id).execute();
        else await trx.insertInto('alerts').values({ id: alert.id, evidence: null, ...row }).execute();
      }
      if (events.length > 0) {
        await trx
          .insertInto('alert_events')
          .values(events.map((e) => ({ alert_id: e.alertId, type: e.type, at: e.at, doc: JSON.stringify(withActor(e)) })))
          .execute();
      }
    });
  }

  async setEvidence(id: string, evidence: unknown, trx: Kysely<Database> = this.db): Promise<void> {
    await trx.updateTable('alerts').set({ evidence: JSON.stringify(evidence) }).where('id', '=', id).execute();
  }

  async get(id: string): Promise<StoredAlert | null> {
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    return { ...this.withAck(JSON.parse(row.doc) as Alert, row.acknowledged_at, row.acknowledged_by), evidence: row.evidence === null ? null : (JSON.parse(row.evidence) as unknown) };
  }

  async list(options: { state?: AlertState; limit?: number; before?: number } = {}): Promise<StoredAlert[]> {
    let query = this.db.selectFrom('alerts').selectAll().orderBy('starts_at', 'desc').limit(options.limit ?? 100);
    if (options.state) query = query.where('state', '=', options.state);
    if (options.before !== undefined) query = query.where('starts_at', '<', options.before);
    const rows = await query.execute();
    return rows.map((r) => ({ ...this.withAck(JSON.parse(r.doc) as Alert, r.acknowledged_at, r.acknowledged_by), evidence: r.evidence === null ? null : (JSON.parse(r.evidence) as unknown) }));
  }

  async events(alertId: string): Promise<AlertEventRecord[]> {
    const rows = await this.db.selectFrom('alert_events').select('doc').where('alert_id', '=', alertId).orderBy('at').orderBy('id').execute();
    return rows.map((r) => JSON.parse(r.doc) as AlertEventRecord);
  }

  /**
   * Acknowledges a firing alert once, in its own column (never overwritten by a tick), with an
   * `acknowledged` event naming who and how — in one transaction. Idempotent: when the alert is
   * already acknowledged (or not firing) nothing changes and `acknowledged` is false; `alert` is the
   * stored alert either way (who acknowledged it, and when).
   */
  async acknowledge(alertId: string, actor: Actor, now: number): Promise<AckOutcome> {
    const changed = await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('alerts').select(['doc', 'state', 'acknowledged_at']).where('id', '=', alertId).executeTakeFirst();
      if (!row || row.state !== 'firing' || row.acknowledged_at !== null) return false;
      const alert = { ...(JSON.parse(row.doc) as Alert), acknowledgedAt: now, acknowledgedBy: actor.by, updatedAt: now };
      const result = await trx
        .updateTable('alerts')
        .set({ acknowledged_at: now, acknowledged_by: actor.by, doc: JSON.stringify(alert), updated_at: now })
        .where('id', '=', alertId)
        .where('acknowledged_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      const event: AlertEventRecord = { alertId, type: 'acknowledged', at: now, by: actor.by, via: actor.via };
      await trx.insertInto('alert_events').values({ alert_id: alertId, type: event.type, at: now, doc: JSON.stringify(event) }).execute();
      return true;
    });
    return { acknowledged: changed, alert: await this.get(alertId) };
  }

  /**
   * A person closes an open alert by hand: resolved now, every member ended, a `resolved` event with
   * `{by, via, manual: true}`. A tick that loaded the alert while open does not reopen it (see `save`).
   * Returns false when the alert is not open.
   */
  async resolve(alertId: string, actor: Actor, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('alerts').select(['doc', 'state', 'acknowledged_at', 'acknowledged_by']).where('id', '=', alertId).executeTakeFirst();
      if (!row || CLOSED.has(row.state)) return false;
      const before = this.withAck(JSON.parse(row.doc) as Alert, row.acknowledged_at, row.acknowledged_by);
      const alert: Alert = {
        ...before,
        state: 'resolved',
        endedAt: now,
        updatedAt: now,
        members: before.members.map((m) => (m.state === 'ended' ? m : { ...m, state: 'ended' as const, endedAt: now })),
      };
      const result = await trx
        .updateTable('alerts')
        .set({ state: 'resolved', updated_at: now, doc: JSON.stringify(alert) })
        .where('id', '=', alertId)
        .where('state', 'in', ['pending', 'firing'])
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      const event: AlertEventRecord = { alertId, type: 'resolved', at: now, by: actor.by, via: actor.via, manual: true };
      await trx.insertInto('alert_events').values({ alert_id: alertId, type: event.type, at: now, doc: JSON.stringify(event) }).execute();
      return true;
    });
  }

  /**
   * A person hands an open alert over to another: `to` owns it from `now` (escalation, if it is not
   * acknowledged, counts from now), a `handed_over` event `{from, to, by, via}` — in one transaction,
   * with the hand over also in its own columns so a racing detector tick does not undo it (see `save`).
   * `pages` makes the notifications that tell the new owner (from the alert as handed over); they go to
   * the outbox in the same transaction, so a hand over never goes unpaged.
   */
  async handOver(alertId: string, to: string, actor: Actor, now: number, pages?: (alert: Alert) => readonly OutboxEntry[]): Promise<HandOverOutcome> {
    const changed = await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('alerts').select(['doc', 'state', 'acknowledged_at', 'acknowledged_by']).where('id', '=', alertId).executeTakeFirst();
      if (!row || CLOSED.has(row.state)) return false;
      const before = this.withAck(JSON.parse(row.doc) as Alert, row.acknowledged_at, row.acknowledged_by);
      if (before.owner === to) return false;
      const alert: Alert = { ...before, owner: to, ownerSince: now, updatedAt: now };
      const result = await trx
        .updateTable('alerts')
        .set({ owner: to, handed_over_at: now, handed_over_to: to, updated_at: now, doc: JSON.stringify(alert) })
        .where('id', '=', alertId)
        .where('state', 'in', ['pending', 'firing'])
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      const event: AlertEventRecord = { alertId, type: 'handed_over', at: now, by: actor.by, via: actor.via, from: before.owner, to };
      await trx.insertInto('alert_events').values({ alert_id: alertId, type: event.type, at: now, doc: JSON.stringify(event) }).execute();
      if (pages) await new OutboxStore(trx).add(pages(alert), now);
      return true;
    });
    return { changed, alert: await this.get(alertId) };
  }

  /**
   * Alerts that joined the incident `incidentId` (their `attachedTo`), started at or after `since` (an
   * alert joins an incident after it began): newest first, at most `limit`.
   */
  async attachedTo(incidentId: string, since: number, limit = 200): Promise<StoredAlert[]> {
    const rows = await this.db.selectFrom('alerts').selectAll().where('starts_at', '>=', since).orderBy('starts_at', 'desc').limit(limit * 5).execute();
    return rows
      .map((r) => ({ ...this.withAck(JSON.parse(r.doc) as Alert, r.acknowledged_at, r.acknowledged_by), evidence: r.evidence === null ? null : (JSON.parse(r.evidence) as unknown) }))
      .filter((a) => a.attachedTo === incidentId)
      .slice(0, limit);
  }

  /** Appends events to alerts' histories (silences created or ended by a person). */
  async recordEvents(events: readonly AlertEventRecord[]): Promise<void> {
    if (events.length === 0) return;
    await this.db
      .insertInto('alert_events')
      .values(events.map((e) => ({ alert_id: e.alertId, type: e.type, at: e.at, doc: JSON.stringify(withActor(e)) })))
      .execute();
  }

  async addSilence(silence: StoredSilence): Promise<void> {
    await this.db.insertInto('silences').values({ id: silence.id, starts_at: silence.startsAt, ends_at: silence.endsAt, doc: JSON.stringify(silence) }).execute();
  }

  /** Silences not yet over at `now` (active or future). */
  async silences(now: number, includeExpired = false): Promise<StoredSilence[]> {
    let query = this.db.selectFrom('silences').select('doc').orderBy('starts_at', 'desc');
    if (!includeExpired) query = query.where('ends_at', '>', now);
    return (await query.execute()).map((r) => JSON.parse(r.doc) as StoredSilence);
  }

  /**
   * Ends a silence now (kept for the record, with who ended it and how). Returns the silence as it
   * was before, or null when there is none.
   */
  async expireSilence(id: string, now: number, actor: Actor = SYSTEM_ACTOR): Promise<StoredSilence | null> {
    const row = await this.db.selectFrom('silences').select('doc').where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const before = JSON.parse(row.doc) as StoredSilence;
    const silence: StoredSilence = { ...before, endsAt: Math.min(now, before.endsAt), expiredBy: actor.by, expiredVia: actor.via, expiredAt: now };
    await this.db.updateTable('silences').set({ ends_at: silence.endsAt, doc: JSON.stringify(silence) }).where('id', '=', id).execute();
    return before;
  }
}
