import type { Generated } from 'kysely';

/** Table shapes. Timestamps are epoch milliseconds (bigint), booleans 0/1, JSON as text: one schema for SQLite and PostgreSQL. */
export interface MessagesTable {
  id: string;
  channel: string;
  source: string;
  author: string | null;
  text: string;
  lang: string | null;
  created_at: number;
  ingested_at: number;
  link: string | null;
  meta: string | null;
  /** Effective complaint flag (label when relabelled, else classifier). */
  complaint: number;
  score: number;
  /** Effective best category (the label when support relabelled it, else the classifier's): indexed for filters. */
  category: string | null;
  /** JSON: the classifier's full Classification at ingest. */
  classification: string;
  label_complaint: number | null;
  label_category: string | null;
  labelled_at: number | null;
}

export interface LabelsTable {
  id: Generated<number>;
  message_id: string;
  complaint: number;
  category: string | null;
  labelled_by: string | null;
  labelled_at: number;
}

export interface SeriesPointsTable {
  key: string;
  t: number;
  v: number;
}

export interface DeadLettersTable {
  id: Generated<number>;
  message_id: string | null;
  queue: string;
  source: string | null;
  payload: string;
  reason: string;
  attempts: number;
  failed_at: number;
}

export interface KvTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface Database {
  messages: MessagesTable;
  labels: LabelsTable;
  series_points: SeriesPointsTable;
  dead_letters: DeadLettersTable;
  kv: KvTable;
}
