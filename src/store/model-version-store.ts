/**
 * Model versions in one place (migration 0017): the keyword config and the learned layer of each
 * version, as JSON, named by their hash (`modelVersion`), and which one is active. Every process polls
 * the active id (one indexed row) and loads a version only when it changed.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, ModelVersionsTable } from './schema.js';

export type VersionOrigin = 'keyword-file' | 'retrain' | 'cli';

export interface ModelVersionRecord {
  readonly id: string;
  readonly keywordsHash: string;
  /** The keyword config (with its cues) as stored: parse it with `keywordsFromJson`. */
  readonly keywords: unknown;
  /** The learned layer, or null for keywords alone. */
  readonly learned: unknown;
  readonly labels: number | null;
  readonly createdAt: number;
  readonly createdBy: string | null;
  readonly createdVia: VersionOrigin;
  readonly note: string | null;
  readonly active: boolean;
  readonly activatedAt: number | null;
  readonly activatedBy: string | null;
}

/** A version without its (large) JSON, for listings. */
export type ModelVersionSummary = Omit<ModelVersionRecord, 'keywords' | 'learned'> & { readonly learned: boolean };

export interface NewModelVersion {
  readonly id: string;
  readonly keywordsHash: string;
  readonly keywords: unknown;
  readonly learned: unknown;
  readonly labels: number | null;
  readonly createdBy: string | null;
  readonly createdVia: VersionOrigin;
  readonly note: string | null;
}

type SummaryColumns = Omit<Selectable<ModelVersionsTable>, 'keywords' | 'learned'>;

/** The fields a listing and a full record share, from the columns both read. */
function summaryFields(row: SummaryColumns): Omit<ModelVersionSummary, 'learned'> {
  return {
    id: row.id,
    keywordsHash: row.keywords_hash,
    labels: row.labels === null ? null : Number(row.labels),
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    createdVia: row.created_via as VersionOrigin,
    note: row.note,
    active: Number(row.active) === 1,
    activatedAt: row.activated_at === null ? null : Number(row.activated_at),
    activatedBy: row.activated_by,
  };
}

function fromRow(row: Selectable<ModelVersionsTable>): ModelVersionRecord {
  return {
    ...summaryFields(row),
    keywords: JSON.parse(row.keywords) as unknown,
    learned: row.learned === null ? null : (JSON.parse(row.learned) as unknown),
  };
}

export class ModelVersionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The active version's id (null before anything was published): the cheap poll. */
  async activeId(): Promise<string | null> {
    const row = await this.db.selectFrom('model_versions').select('id').where('active', '=', 1).executeTakeFirst();
    return row?.id ?? null;
  }

  async get(id: string): Promise<ModelVersionRecord | null> {
    const row = await this.db.selectFrom('model_versions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async active(): Promise<ModelVersionRecord | null> {
    const row = await this.db.selectFrom('model_versions').selectAll().where('active', '=', 1).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  /** Has any version been published from this keyword config? */
  async hasKeywords(keywordsHash: string): Promise<boolean> {
    const row = await this.db.selectFrom('model_versions').select('id').where('keywords_hash', '=', keywordsHash).executeTakeFirst();
    return row !== undefined;
  }

  /** Newest first, without the JSON. */
  async list(limit = 100): Promise<ModelVersionSummary[]> {
    const rows = await this.db
      .selectFrom('model_versions')
      .select(['id', 'keywords_hash', 'labels', 'created_at', 'created_by', 'created_via', 'note', 'active', 'activated_at', 'activated_by'])
      .select((eb) => eb.case().when('learned', 'is', null).then(0).else(1).end().as('has_learned'))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...summaryFields(r), learned: Number(r.has_learned) === 1 }));
  }

  /**
   * Stores a version (an id already stored is kept as it was: the same content is the same version) and
   * makes it the active one, in one transaction. Returns whether the active version changed.
   */
  async publish(version: NewModelVersion, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('model_versions')
        .values({
          id: version.id,
          keywords_hash: version.keywordsHash,
          keywords: JSON.stringify(version.keywords),
          learned: version.learned === null ? null : JSON.stringify(version.learned),
          labels: version.labels,
          created_at: now,
          created_by: version.createdBy,
          created_via: version.createdVia,
          note: version.note,
          active: 0,
          activated_at: null,
          activated_by: null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return activateIn(trx, version.id, version.createdBy, now);
    });
  }

  /** Makes a stored version the active one (rollback). Null when no such version; else whether it changed. */
  async activate(id: string, by: string | null, now: number): Promise<boolean | null> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('model_versions').select('id').where('id', '=', id).executeTakeFirst();
      if (!row) return null;
      return activateIn(trx, id, by, now);
    });
  }
}

async function activateIn(trx: Kysely<Database>, id: string, by: string | null, now: number): Promise<boolean> {
  const current = await trx.selectFrom('model_versions').select('id').where('active', '=', 1).execute();
  if (current.length === 1 && current[0]?.id === id) return false;
  await trx.updateTable('model_versions').set({ active: 0 }).where('active', '=', 1).execute();
  await trx.updateTable('model_versions').set({ active: 1, activated_at: now, activated_by: by }).where('id', '=', id).execute();
  return true;
}
