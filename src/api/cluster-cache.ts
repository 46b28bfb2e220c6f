/**
 * Near-duplicate clusterings remembered between requests. The dashboard refreshes Messages (grouped) and
 * the incident page every 15 s and asks for the same window each time; clustering it (MinHash over up
 * to 1,000 texts, `classify/near-duplicates.ts`) costs tens of milliseconds of CPU, reading it a few.
 * So the route still reads the window (labels and classifications shown are always the stored ones),
 * and clusters it again only when the window changed: a new message, one that left the filter
 * (relabelled, re-classified, pruned) or a text that changed (retention blanks it).
 *
 * Keyed by a fingerprint of the window itself — every id and text, in order — so a hit returns exactly
 * what clustering again would, whatever query produced the window (two views asking for the same
 * messages share an entry). At most `max` entries, the least recently used dropped first; an entry is
 * the clusters' index lists (a few KB for 1,000 messages).
 */
import { createHash } from 'node:crypto';
import { clusterNearDuplicates, type NearDuplicateCluster } from '../classify/near-duplicates.js';

export interface ClusterCacheOptions {
  /** Windows remembered (least recently used dropped first). */
  readonly max?: number;
  /** The clustering (default `clusterNearDuplicates` with its default options). */
  readonly cluster?: (items: readonly { readonly text: string }[]) => NearDuplicateCluster[];
}

export class ClusterCache {
  readonly #max: number;
  readonly #cluster: (items: readonly { readonly text: string }[]) => NearDuplicateCluster[];
  readonly #entries = new Map<string, readonly NearDuplicateCluster[]>();
  #hits = 0;
  #misses = 0;

  constructor(options: ClusterCacheOptions = {}) {
    this.#max = Math.max(1, options.max ?? 64);
    this.#cluster = options.cluster ?? ((items) => clusterNearDuplicates(items));
  }

  /** The clusters of `items` (newest first, as the routes read them): remembered, or computed and remembered. */
  clusters(items: readonly { readonly id: string; readonly text: string }[]): readonly NearDuplicateCluster[] {
    const key = fingerprint(items);
    const known = this.#entries.get(key);
    if (known !== undefined) {
      this.#hits += 1;
      // Most recently used last.
      this.#entries.delete(key);
      this.#entries.set(key, known);
      return known;
    }
    this.#misses += 1;
    const computed = this.#cluster(items);
    this.#entries.set(key, computed);
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
    return computed;
  }

  /** Requests answered from memory, clusterings computed, windows remembered. */
  stats(): { hits: number; misses: number; size: number } {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size };
  }
}

/** SHA-256 over every id and text in order, each with its length (no two windows share a fingerprint by concatenation). */
function fingerprint(items: readonly { readonly id: string; readonly text: string }[]): string {
  const hash = createHash('sha256');
  hash.update(String(items.length));
  for (const m of items) hash.update(`\n${m.id.length}:${m.id}${m.text.length}:`).update(m.text);
  return hash.digest('base64');
}
