import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Dashboard sessions kept on the server. The signed cookie only names a session; a session is valid
 * while its row exists, has not ended and has not expired. Logout ends the row, so a copy of the
 * cookie (taken from a shared machine, a proxy log, a backup) stops working at once, on every process.
 */
export class SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Records a new session (and drops rows that expired before `now`, so the table stays small). */
  async create(session: { readonly id: string; readonly user: string; readonly createdAt: number; readonly expiresAt: number }): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<', session.createdAt).execute();
    await this.db
      .insertInto('sessions')
      .values({ id: session.id, user_name: session.user, created_at: session.createdAt, expires_at: session.expiresAt, ended_at: null })
      .execute();
  }

  /** Is the session `id` of `user` still open at `now`? */
  async isOpen(id: string, user: string, now: number): Promise<boolean> {
    const row = await this.db.selectFrom('sessions').select(['user_name', 'expires_at', 'ended_at']).where('id', '=', id).executeTakeFirst();
    return row !== undefined && row.user_name === user && row.ended_at === null && Number(row.expires_at) > now;
  }

  /** Ends a session (logout). Returns false when there was no open session with that id. */
  async end(id: string, now: number): Promise<boolean> {
    const result = await this.db.updateTable('sessions').set({ ended_at: now }).where('id', '=', id).where('ended_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Ends every open session of a user (e.g. after a password change). Returns how many ended. */
  async endAllOf(user: string, now: number): Promise<number> {
    const result = await this.db.updateTable('sessions').set({ ended_at: now }).where('user_name', '=', user).where('ended_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
