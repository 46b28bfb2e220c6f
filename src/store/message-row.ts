/**
 * A classified message and the `messages` row it is stored as: shared by the message store and the
 * PostgreSQL one-statement ingest (ingest-postgres.ts), which the store calls.
 */
import type { Classification } from '../domain/classification.js';
import type { Message } from '../domain/message.js';
import { COUNT_BUCKET_MS } from './migrations.js';
import type { MessagesTable } from './schema.js';

export interface ClassifiedMessage {
  readonly message: Message;
  readonly classification: Classification;
}

export function toRow(item: ClassifiedMessage, now: number): MessagesTable {
  const { message: m, classification: c } = item;
  return {
    id: m.id,
    channel: m.channel,
    source: m.source,
    author: m.author,
    text: m.text,
    lang: m.lang ?? c.lang,
    created_at: Date.parse(m.createdAt),
    ingested_at: now,
    link: m.link,
    meta: m.meta === undefined ? null : JSON.stringify(m.meta),
    complaint: c.complaint ? 1 : 0,
    score: c.score,
    category: c.complaint ? (c.categories[0]?.name ?? null) : null,
    classification: JSON.stringify(c),
    label_complaint: null,
    label_category: null,
    labelled_at: null,
    model_version: c.modelVersion ?? null,
  };
}

/**
 * A message that says which version of its text it holds (`meta.revisedAt`, an ISO time): a store
 * review edited by its author comes again with the same id and a newer `revisedAt`.
 */
export function revisionOf(message: Message): string | null {
  const at = message.meta?.revisedAt;
  return typeof at === 'string' && at !== '' ? at : null;
}

/** Items already stored (not in `inserted`) that carry a revision: what `reviseExisting` checks after an ingest. */
export function revisionCandidates(items: readonly ClassifiedMessage[], inserted: ReadonlySet<string>): ClassifiedMessage[] {
  return items.filter((i) => !inserted.has(i.message.id) && revisionOf(i.message) !== null);
}

/** What a stored complaint counts under in `complaint_counts`: its hour, channel, language and effective category. */
export interface ComplaintCountKey {
  readonly t: number;
  readonly channel: string;
  readonly lang: string;
  readonly category: string;
  /** The four as one string (a map key; a term's key extends it). */
  readonly id: string;
}

/** The count key of a stored row, or null when the row is no complaint (both databases count with it). */
export function complaintCountKey(row: Pick<MessagesTable, 'complaint' | 'created_at' | 'channel' | 'lang' | 'category'>): ComplaintCountKey | null {
  if (row.complaint !== 1) return null;
  const t = row.created_at - (row.created_at % COUNT_BUCKET_MS);
  const lang = row.lang ?? '';
  const category = row.category ?? '';
  return { t, channel: row.channel, lang, category, id: `${t}\u0000${row.channel}\u0000${lang}\u0000${category}` };
}

/**
 * Each distinct matched term of a classification once, in order of first match: what `complaint_terms` counts
 * per complaint. Written into `out` (emptied first), reused across a batch's messages: a complaint matches a
 * few terms, so a scan, and no array or set per message.
 */
export function distinctTerms(classification: Classification, out: string[]): string[] {
  out.length = 0;
  for (const match of classification.categories) {
    for (const term of match.terms) if (!out.includes(term)) out.push(term);
  }
  return out;
}
