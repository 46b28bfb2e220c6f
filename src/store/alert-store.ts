import type { Kysely } from 'kysely';
import type { Alert, AlertState, Silence } from '../domain/alert.js';
import type { Database } from './schema.js';

export interface StoredAlert extends Alert {
  /** The evidence last sent with a notification (null before the first). */
  readonly evidence: unknown;
}

export interface AlertEventRecord {
  readonly alertId: string;
  readonly type: string;
  readonly at: number;
  readonly [key: string]: unknown;
}

/** Alerts (one row per incident, the Alert as JSON), their event history, and silences. */
export class AlertStore {
  constructor(private readonly db: Kysely<Database>) {}

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
  async save(alerts: readonly Alert[], events: readonly AlertEventRecord[] = []): Promise<void> {
    if (alerts.length === 0 && events.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const a of alerts) {
        const existing = await trx.selectFrom('alerts').select(['acknowledged_at', 'acknowledged_by']).where('id', '=', a.id).executeTakeFirst();
        const alert = existing ? this.withAck(a, existing.acknowledged_at, existing.acknowledged_by) : a;
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
          .values(events.map((e) => ({ alert_id: e.alertId, type: e.type, at: e.at, doc: JSON.stringify(e) })))
          .execute();
      }
    });
  }

  async setEvidence(id: string, evidence: unknown): Promise<void> {
    await this.db.updateTable('alerts').set({ evidence: JSON.stringify(evidence) }).where('id', '=', id).execute();
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

  /** Records an acknowledgement in its own column (never overwritten by a tick). */
  async acknowledge(alert: Alert): Promise<void> {
    await this.db
      .updateTable('alerts')
      .set({ acknowledged_at: alert.acknowledgedAt, acknowledged_by: alert.acknowledgedBy, doc: JSON.stringify(alert), updated_at: alert.updatedAt })
      .where('id', '=', alert.id)
      .execute();
  }

  async addSilence(silence: Silence): Promise<void> {
    await this.db.insertInto('silences').values({ id: silence.id, starts_at: silence.startsAt, ends_at: silence.endsAt, doc: JSON.stringify(silence) }).execute();
  }

  /** Silences not yet over at `now` (active or future). */
  async silences(now: number, includeExpired = false): Promise<Silence[]> {
    let query = this.db.selectFrom('silences').select('doc').orderBy('starts_at', 'desc');
    if (!includeExpired) query = query.where('ends_at', '>', now);
    return (await query.execute()).map((r) => JSON.parse(r.doc) as Silence);
  }

  /** Ends a silence now (kept for the record). Returns false when there is none. */
  async expireSilence(id: string, now: number): Promise<boolean> {
    const row = await this.db.selectFrom('silences').select('doc').where('id', '=', id).executeTakeFirst();
    if (!row) return false;
    const silence = { ...(JSON.parse(row.doc) as Silence), endsAt: Math.min(now, (JSON.parse(row.doc) as Silence).endsAt) };
    await this.db.updateTable('silences').set({ ends_at: silence.endsAt, doc: JSON.stringify(silence) }).where('id', '=', id).execute();
    return true;
  }
}
