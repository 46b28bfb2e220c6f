import type { Generated } from 'kysely';

/** Table shapes. Timestamps are epoch milliseconds (bigint), booleans 0/1, JSON as text: one schema for SQLite and PostgreSQL. */
/** Complaints per hour, channel, language ('' for none) and effective category ('' for none) (migration 0021). */
export interface ComplaintCountsTable {
  /** Start of the hour (epoch ms). */
  t: number;
  channel: string;
  lang: string;
  category: string;
  n: number;
}

/** Complaints per hour, channel, language, effective category and matched term: the summary's top terms (migration 0027). */
export interface ComplaintTermsTable {
  /** Start of the hour (epoch ms). */
  t: number;
  channel: string;
  lang: string;
  category: string;
  term: string;
  n: number;
}

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
  /** When retention blanked text, author, link and meta (migration 0012); null while the text is kept. */
  redacted_at?: number | null;
  /** The model version that judged the message (migration 0017; also inside `classification`). */
  model_version?: string | null;
}

/** One model version (migration 0017): keyword config and learned layer as JSON, named by their hash. */
export interface ModelVersionsTable {
  id: string;
  /** Hash of the keyword config alone (a keyword file is published once per content). */
  keywords_hash: string;
  keywords: string;
  learned: string | null;
  /** Relabels the learned layer was trained on (null without one). */
  labels: number | null;
  created_at: number;
  created_by: string | null;
  /** keyword-file | retrain | cli */
  created_via: string;
  note: string | null;
  /** 1 for the version every process uses. */
  active: number;
  activated_at: number | null;
  activated_by: string | null;
}

export interface LabelsTable {
  id: Generated<number>;
  message_id: string;
  complaint: number;
  category: string | null;
  labelled_by: string | null;
  labelled_at: number;
  /** How the relabel was made: `dashboard` | `api` (null for rows from before migration 0008). */
  labelled_via: string | null;
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

/** Where one source stands (migration 0007): status, counters, rate limit. Timestamps in epoch ms. */
export interface SourceStatesTable {
  name: string;
  kind: string;
  /** idle | ok | error | stopped */
  state: string;
  last_poll_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  fetched: number;
  skipped: number;
  dead_lettered: number;
  /** JSON RateLimitInfo. */
  rate_limit: string | null;
  created_at: number;
  updated_at: number;
  /** While stopped: the fingerprint of the config entry that was rejected (see sources/config-fingerprint.ts). */
  stop_fingerprint: string | null;
  /** The last operator retry: when, who, and how (an actor `via`). */
  retried_at: number | null;
  retried_by: string | null;
  retried_via: string | null;
}

/** A poller's cursor by name (a source, or `<source>|<mailbox>`); JSON value. */
export interface SourceCursorsTable {
  name: string;
  value: string;
  updated_at: number;
}

export interface AlertsTable {
  id: string;
  state: string;
  rule: string;
  group_key: string;
  owner: string | null;
  starts_at: number;
  updated_at: number;
  /** Kept outside `doc` too, so an acknowledgement that races a detector tick is never lost. */
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  /** The last hand over (migration 0018): who took the alert over and when; null before any. */
  handed_over_at: number | null;
  handed_over_to: string | null;
  /** JSON: the Alert. */
  doc: string;
  /** JSON: the latest Evidence sent with a notification. */
  evidence: string | null;
}

export interface SilencesTable {
  id: string;
  starts_at: number;
  ends_at: number;
  doc: string;
}

/** The incident page's notes (migration 0018), per incident (the id of the alert that pages for it). */
export interface IncidentNotesTable {
  id: Generated<number>;
  incident_id: string;
  at: number;
  author: string;
  via: string;
  text: string;
}

export interface AlertEventsTable {
  id: Generated<number>;
  alert_id: string;
  type: string;
  at: number;
  doc: string;
}

/** Server-side dashboard sessions (migration 0008): the cookie carries the id; logout sets `ended_at`. */
export interface SessionsTable {
  id: string;
  user_name: string;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
}

/** What the detector said about one bucket of one series (booleans 0/1). */
export interface DetectorPointsTable {
  series_key: string;
  t: number;
  value: number | null;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  score: number;
  direction: string | null;
  reason: string | null;
  alert: number;
  /** The series had too little history to know its normal: shown, never paged. */
  learning: number;
  /** Judged again because data arrived after the bucket had been judged. */
  late: number;
  /** Rolling (about 30 points) correlation with the reference series; null without one (migration 0016). */
  correlation: number | null;
  /** The long correlation with the reference ("do the two usually move together?"); null without one. */
  usual_correlation: number | null;
}

/** Notification intents written with the tick that decided them; a relay enqueues and marks them sent. */
export interface OutboxTable {
  id: Generated<number>;
  /** Deterministic: `<intent key>.<notifier>` (also the BullMQ job id, `:` replaced). */
  key: string;
  alert_id: string;
  notifier: string;
  /** JSON: the notify job payload (notification with its evidence, notifier). */
  payload: string;
  created_at: number;
  sent_at: number | null;
}

/** Hourly snapshots of a series' detector state, for re-judging late data. */
export interface DetectorCheckpointsTable {
  series_key: string;
  /** The last bucket the state has seen. */
  t: number;
  state: string;
}

/** The earliest bucket per series that received data after it had been judged. */
export interface LateBucketsTable {
  series_key: string;
  t: number;
  /** Bumped by every write, so a tick clears only the mark it handled. */
  seq: number;
}

/** What one series group judged for alerting in one tick (migration 0022), until the alerting step takes it. */
export interface DetectInboxTable {
  grp: number;
  /** The tick's end (exclusive): buckets before it were judged. */
  tick: number;
  /** When the tick ran (ms). */
  at: number;
  /** JSON: the group's SeriesTick[] (workers/detect.ts). */
  payload: string;
}

export interface Database {
  alerts: AlertsTable;
  silences: SilencesTable;
  alert_events: AlertEventsTable;
  incident_notes: IncidentNotesTable;
  messages: MessagesTable;
  complaint_counts: ComplaintCountsTable;
  complaint_terms: ComplaintTermsTable;
  labels: LabelsTable;
  series_points: SeriesPointsTable;
  dead_letters: DeadLettersTable;
  kv: KvTable;
  source_states: SourceStatesTable;
  source_cursors: SourceCursorsTable;
  detector_points: DetectorPointsTable;
  outbox: OutboxTable;
  detector_checkpoints: DetectorCheckpointsTable;
  late_buckets: LateBucketsTable;
  sessions: SessionsTable;
  model_versions: ModelVersionsTable;
  detect_inbox: DetectInboxTable;
}
