/**
 * What a model change does to the series and the detector, so that it never pages as a level shift.
 *
 * The detect tick (under its cluster-wide lock and every series group's lock, before any group judges;
 * see detect-groups.ts) compares the active model version with the one the series were counted under. When they differ:
 * 1. **Re-classify the recent window** (`classify.recountWindow`, default the detector's two weeks of
 *    warm-up history) with the active version, in batches, oldest first. Each batch stores the new
 *    classifications (a relabel keeps support's verdict as the effective one) and adds the difference
 *    of the counts (new minus old, per series and bucket) in one transaction: series stay exact while
 *    ingest goes on counting new messages beside it.
 * 2. **Re-baseline the detector** of every series whose counts changed: its saved state and checkpoints
 *    are dropped, so the tick that follows learns it again from the corrected history, as on a fresh
 *    start. The corrected history has no step at the change, so nothing pages for it; a real incident
 *    after it is judged against the corrected normal and pages as before.
 * Messages whose text retention has blanked cannot be judged again and keep their old classification.
 * Why re-count and not only restart the detector: a restart alone would learn a normal that is half
 * old model and half new for as long as the window, and the charts would still show the step.
 */
import type { Classification } from '../src/domain/classification.js';
import type { Lease } from '../src/queues/lock.js';
import { countIncrements } from '../src/series/counts.js';
import type { StoredMessage } from '../src/store/message-store.js';
import { baseKey, stateKey } from '../src/store/tick-store.js';
import { classifierOfVersion } from './classifier.js';
import type { ServiceContext } from './context.js';

/** kv: the model version the stored series were counted under, and what the last roll-out did. */
export const SERIES_VERSION_KEY = 'classify.seriesVersion';
const BATCH = 1000;

export interface SeriesVersion {
  readonly version: string;
  readonly at: number;
  /** Messages classified again, of which changed their complaint or categories. */
  readonly reclassified: number;
  readonly changed: number;
  /** Series whose counts changed (their detector learns again). */
  readonly series: readonly string[];
}

export interface RolloutResult extends SeriesVersion {
  readonly from: string | null;
}

const sameCounts = (a: Classification, b: Classification): boolean =>
  a.complaint === b.complaint && (!a.complaint || (a.categories.length === b.categories.length && a.categories.every((c, i) => c.name === b.categories[i]?.name)));

/** Does the active model version differ from the one the series were counted under (or was none recorded)? */
export async function modelChangePending(ctx: ServiceContext): Promise<boolean> {
  const activeId = await ctx.store.modelVersions.activeId();
  if (activeId === null) return false;
  return (await ctx.store.kv.get<SeriesVersion>(SERIES_VERSION_KEY))?.version !== activeId;
}

/**
 * Brings the series and the detector in line with the active model version; null when they already
 * are (or nothing is active). The first call on a store records the active version without re-counting.
 * Stops (returns null, nothing more written) when `lease` is lost; the next tick starts over.
 */
export async function applyModelChange(ctx: ServiceContext, now: number, lease?: Lease): Promise<RolloutResult | null> {
  const { store } = ctx;
  const activeId = await store.modelVersions.activeId();
  if (activeId === null) return null;
  const seen = await store.kv.get<SeriesVersion>(SERIES_VERSION_KEY);
  if (seen === null) {
    await store.kv.set(SERIES_VERSION_KEY, { version: activeId, at: now, reclassified: 0, changed: 0, series: [] } satisfies SeriesVersion, now);
    return null;
  }
  if (seen.version === activeId) return null;
  const record = await store.modelVersions.get(activeId);
  if (record === null) return null;
  const classifier = classifierOfVersion(record);
  const log = ctx.log.child({ module: 'model-rollout' });
  log.info({ from: seen.version, to: activeId }, 'model version changed: re-classifying the recent window');

  const step = ctx.config.series.step;
  const from = now - ctx.config.classify.recountWindow;
  const touched = new Set<string>();
  let reclassified = 0;
  let changed = 0;
  let after: [number, string] | null = null;
  for (;;) {
    if (lease?.lost) return null;
    const batch: StoredMessage[] = await store.messages.batchInWindow(from, now + ctx.config.ingest.maxFutureSkew, after, BATCH);
    if (batch.length === 0) break;
    const last = batch[batch.length - 1] as StoredMessage;
    after = [Date.parse(last.createdAt), last.id];
    const updates: Array<{ id: string; classification: Classification }> = [];
    const deltas = new Map<string, { key: string; t: number; v: number }>();
    const add = (key: string, t: number, v: number) => {
      const id = `${key}\u0000${t}`;
      const d = deltas.get(id);
      if (d) d.v += v;
      else deltas.set(id, { key, t, v });
    };
    for (const m of batch) {
      if (m.redactedAt !== undefined || m.classification.modelVersion === activeId) continue;
      const next = classifier.classify(m.text, m.lang, m.channel);
      updates.push({ id: m.id, classification: next });
      reclassified++;
      if (sameCounts(m.classification, next)) continue;
      changed++;
      for (const inc of countIncrements([{ message: m, classification: m.classification }], step)) add(inc.key, inc.t, -inc.v);
      for (const inc of countIncrements([{ message: m, classification: next }], step)) add(inc.key, inc.t, inc.v);
    }
    const nonZero = [...deltas.values()].filter((d) => d.v !== 0);
    if (updates.length > 0) {
      if (lease?.lost) return null;
      await store.db.transaction().execute(async (trx) => {
        await store.messages.reclassify(updates, trx);
        await store.series.add(nonZero, trx);
      });
      for (const d of nonZero) touched.add(d.key);
    }
    if (batch.length < BATCH) break;
  }
  const series = [...touched].sort();
  if (lease?.lost) return null;
  const result: SeriesVersion = { version: activeId, at: now, reclassified, changed, series };
  await store.db.transaction().execute(async (trx) => {
    // Re-baseline: the next tick learns these series again from the corrected history.
    await store.kv.delete(series.map(stateKey), trx);
    await store.kv.delete(series.map(baseKey), trx);
    await store.late.dropCheckpoints(series, trx);
    await store.kv.set(SERIES_VERSION_KEY, result, now, trx);
  });
  log.info({ version: activeId, reclassified, changed, series: series.length }, 'model version rolled out to the series');
  return { ...result, from: seen.version };
}
