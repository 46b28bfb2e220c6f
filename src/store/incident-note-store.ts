import type { Kysely } from 'kysely';
import type { Actor, ActorVia } from '../domain/actor.js';
import type { Database } from './schema.js';

/** One note of an incident's thread: who wrote it, how, when. The text is stored as written (escape on render). */
export interface IncidentNote {
  readonly id: number;
  readonly incidentId: string;
  readonly at: number;
  readonly by: string;
  readonly via: ActorVia;
  readonly text: string;
}

/** The incident page's notes thread (migration 0018), oldest first. */
export class IncidentNoteStore {
  constructor(private readonly db: Kysely<Database>) {}

  async add(incidentId: string, text: string, actor: Actor, now: number): Promise<IncidentNote> {
    const row = await this.db
      .insertInto('incident_notes')
      .values({ incident_id: incidentId, at: now, author: actor.by, via: actor.via, text })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), incidentId, at: now, by: actor.by, via: actor.via, text };
  }

  /** The notes of an incident, oldest first (at most `limit`, the newest of them). */
  async list(incidentId: string, limit = 500): Promise<IncidentNote[]> {
    const rows = await this.db.selectFrom('incident_notes').selectAll().where('incident_id', '=', incidentId).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.reverse().map((r) => ({ id: Number(r.id), incidentId: r.incident_id, at: Number(r.at), by: r.author, via: r.via as ActorVia, text: r.text }));
  }
}
