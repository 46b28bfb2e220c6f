import type { Kysely } from 'kysely';
import type { Alert } from '../domain/alert.js';
import type { AlertEventRecord, AlertStore } from './alert-store.js';
import type { DetectorPointStore, StoredDetectorPoint } from './detector-point-store.js';
import type { KvStore } from './kv-store.js';
import type { Checkpoint, LateStore } from './late-store.js';
import type { DetectInboxStore, InboxKey, InboxRow } from './detect-inbox-store.js';
import type { OutboxEntry, OutboxStore } from './outbox-store.js';
import type { Database } from './schema.js';

/** The kv key of the last committed tick: `{ at, judgedUntil }` (`/health` reads it). */
export const TICK_KEY = 'detect.tick';
/** The kv key of one series' detector state: how far it is judged (small, written every tick; workers/detect.ts). */
export const stateKey = (series: string): string => `detect.state.${series}`;
/** The kv key of one series' detector base: its full snapshot, written every few buckets (workers/detect.ts). */
export const baseKey = (series: string): string => `detect.base.${series}`;
/** The kv key of one series group's state (workers/detect-groups.ts): how far it has judged. */
export const groupKey = (group: number): string => `detect.group.${group}`;

export interface TickInfo {
  /** When the tick ran (ms). */
  readonly at: number;
  /** Start of the last judged bucket (null before the first bucket was judged). */
  readonly judgedUntil: number | null;
}

/** What the detector decided in one tick. */
export interface DetectorWrites {
  readonly states: ReadonlyArray<{ readonly key: string; readonly value: unknown }>;
  readonly points: readonly StoredDetectorPoint[];
  readonly checkpoints: readonly Checkpoint[];
  /** Checkpoints older than this are dropped (outside the late-data window). */
  readonly checkpointsBefore: number;
  /** Late marks this tick judged again (cleared unless rewritten meanwhile). */
  readonly lateHandled: ReadonlyArray<{ readonly key: string; readonly seq: number }>;
  readonly tick: TickInfo;
}

/** What alerting decided on it: alert changes, events, evidence and notification intents. */
export interface AlertingWrites {
  readonly alerts: readonly Alert[];
  readonly events: readonly AlertEventRecord[];
  readonly evidence: ReadonlyArray<{ readonly alertId: string; readonly evidence: unknown }>;
  readonly outbox: readonly OutboxEntry[];
}

export const NO_ALERTING: AlertingWrites = { alerts: [], events: [], evidence: [], outbox: [] };

export interface TickStores {
  readonly db: Kysely<Database>;
  readonly kv: KvStore;
  readonly detectorPoints: DetectorPointStore;
  readonly late: LateStore;
  readonly alerts: AlertStore;
  readonly outbox: OutboxStore;
  readonly inbox: DetectInboxStore;
}

/**
 * Commits one tick in ONE transaction: detector state per series, what the detector said, checkpoints,
 * handled late marks, the alerts it changed with their events and evidence, and the notification
 * intents (outbox). Either all of it is there after a crash, or none of it and the next tick decides again.
 */
export async function commitTick(stores: TickStores, detector: DetectorWrites, alerting: AlertingWrites): Promise<void> {
  const now = detector.tick.at;
  await stores.db.transaction().execute(async (trx) => {
    for (const s of detector.states) await stores.kv.set(s.key, s.value, now, trx);
    await stores.detectorPoints.write(detector.points, trx);
    await stores.late.saveCheckpoints(detector.checkpoints, trx);
    await stores.late.pruneCheckpoints(detector.checkpointsBefore, trx);
    await stores.late.clear(detector.lateHandled, trx);
    await stores.alerts.save(alerting.alerts, alerting.events, trx);
    for (const e of alerting.evidence) await stores.alerts.setEvidence(e.alertId, e.evidence, trx);
    await stores.outbox.add(alerting.outbox, now, trx);
    await stores.kv.set(TICK_KEY, detector.tick, now, trx);
  });
}

/** What one series group's job decided: its state (how far it judged, which late marks it saw) and its row for alerting. */
export interface GroupWrites {
  readonly group: number;
  readonly state: unknown;
  /** null: nothing for alerting (no series judged a new bucket). */
  readonly inbox: InboxRow | null;
}

/**
 * Commits one series group's part of a tick in ONE transaction: detector state per series, what the
 * detector said, checkpoints, the group's state and what it judged for alerting (the inbox row the
 * alerting step takes). Late marks are not cleared here: a reference series' mark concerns every group.
 */
export async function commitGroup(stores: TickStores, detector: Omit<DetectorWrites, 'tick' | 'lateHandled'>, group: GroupWrites, now: number): Promise<void> {
  await stores.db.transaction().execute(async (trx) => {
    await stores.kv.setMany(detector.states, now, trx);
    await stores.detectorPoints.write(detector.points, trx);
    await stores.late.saveCheckpoints(detector.checkpoints, trx);
    await stores.late.pruneCheckpoints(detector.checkpointsBefore, trx);
    if (group.inbox !== null) await stores.inbox.add(group.inbox, trx);
    await stores.kv.set(groupKey(group.group), group.state, now, trx);
  });
}

/**
 * Commits the alerting step of a partitioned tick in ONE transaction: the alerts it changed with their
 * events and evidence, the notification intents (outbox), the inbox rows it took, and the tick record.
 * The detector's side was committed by the group jobs, each with its inbox row: a decision is made from
 * a row exactly once, and its consequences commit with the row's removal.
 */
export async function commitAlerting(stores: TickStores, alerting: AlertingWrites, taken: readonly InboxKey[], tick: TickInfo): Promise<void> {
  await stores.db.transaction().execute(async (trx) => {
    await stores.alerts.save(alerting.alerts, alerting.events, trx);
    for (const e of alerting.evidence) await stores.alerts.setEvidence(e.alertId, e.evidence, trx);
    await stores.outbox.add(alerting.outbox, tick.at, trx);
    await stores.inbox.delete(taken, trx);
    await stores.kv.set(TICK_KEY, tick, tick.at, trx);
  });
}
