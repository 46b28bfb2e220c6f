/**
 * The live classifier of one process. Model versions live in ONE place, the database
 * (`model_versions`): every process polls the active version's id (`classify.versionPoll`) and loads
 * the version when it changed; no process trains or reads the keyword file on its own account.
 *
 * - **Keyword file.** Every process watches the file, but a change is published as a new version once
 *   cluster-wide: under the `classifier-publish` lock, and only when the active version's keyword config
 *   differs from the file's. A process that starts on a file whose content no version came from yet
 *   publishes it; one that starts on a known content (e.g. after `radar classify activate` rolled back)
 *   leaves the active version alone. A broken edit publishes nothing and shows in logs and /health.
 * - **Retrain** (`classify.retrain`): under the same lock, at most once per period cluster-wide (the
 *   time of the last retrain is in the store), from the relabels and the active keyword config; a model
 *   that differs from the active one is published.
 * - **Roll-out**: what a change does to the series and the detector is `model-rollout.ts`.
 */
import { unwatchFile, watchFile } from 'node:fs';
import type { RedisClient } from '../src/queues/connection.js';
import type { Logger } from 'pino';
import { createClassifier, type Classifier } from '../src/classify/classifier.js';
import { compileKeywords } from '../src/classify/keyword-model.js';
import { isLearnedModel, trainLearned, type LearnedModel } from '../src/classify/learned-model.js';
import type { LabelledExample } from '../src/classify/labelled.js';
import { keywordExamples } from '../src/classify/keyword-examples.js';
import { keywordsHash, modelVersion } from '../src/classify/model-version.js';
import { keywordsFromJson, loadKeywords, type KeywordsConfig } from '../src/config/keywords.js';
import { describeError } from '../src/platform/errors.js';
import { withLock } from '../src/queues/lock.js';
import type { RedisKeys } from '../src/queues/keys.js';
import type { VersionOrigin } from '../src/store/model-version-store.js';
import type { Store } from '../src/store/store.js';
import type { ClassifierHolder } from './context.js';

/** Fewer relabels than this train nothing: the keyword model alone is better than a model of five examples. */
export const MIN_LABELS_TO_TRAIN = 20;
/** kv: when the learned layer was last retrained (ms), so N processes retrain once per period, not N times. */
export const RETRAINED_KV_KEY = 'classifier.retrainedAt';
const PUBLISH_LOCK = 'classifier-publish';
/** Where the learned layer was kept before model versions (read once, to carry it into the first version). */
const LEGACY_LEARNED_KV_KEY = 'classifier.learned';
const LOCK_LEASE_MS = 60_000;

/** Where versions live and the lock that makes one process publish. */
export interface VersionDeps {
  readonly store: Store;
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
}

/** A stored version compiled into a classifier (throws when the stored JSON is not a valid model). */
export function classifierOfVersion(record: { readonly id: string; readonly keywords: unknown; readonly learned: unknown }): Classifier {
  const keywords = compileKeywords(keywordsFromJson(record.keywords));
  if (record.learned !== null && !isLearnedModel(record.learned)) throw new TypeError(`model version ${record.id}: the stored learned layer is not one (kind complaint-radar/learned)`);
  return createClassifier({ keywords, learned: record.learned, version: record.id });
}

export class LiveClassifier implements ClassifierHolder {
  current: Classifier;
  lastError: string | null = null;
  loadedAt: number;
  private deps: VersionDeps | null = null;
  private watching = false;
  private timers: NodeJS.Timeout[] = [];

  /** Throws ConfigError when the keyword file is invalid: the service must not start on a broken file. */
  constructor(readonly file: string, private readonly log: Logger, private readonly now: () => number) {
    this.current = createClassifier({ keywords: compileKeywords(loadKeywords(file)) });
    this.loadedAt = now();
  }

  get categories(): readonly string[] {
    return this.current.keywords.config.categories.map((c) => c.name);
  }

  /** The version this process classifies with. */
  get version(): string {
    return this.current.version;
  }

  /**
   * Joins the one place: publishes the keyword file when no version was made from its content yet (or
   * nothing is active), then loads the active version.
   */
  async attach(deps: VersionDeps): Promise<void> {
    this.deps = deps;
    const config = this.current.keywords.config;
    const versions = deps.store.modelVersions;
    if ((await versions.activeId()) === null || !(await versions.hasKeywords(keywordsHash(config)))) await this.publishKeywords(config);
    await this.sync();
  }

  /** Polls the active version; loads it when it is not the one in use. Returns whether it switched. */
  async sync(): Promise<boolean> {
    const store = this.requireDeps().store;
    const id = await store.modelVersions.activeId();
    if (id === null || id === this.current.version) return false;
    const record = await store.modelVersions.get(id);
    if (!record) return false; // switched again meanwhile: the next poll loads it
    try {
      this.current = classifierOfVersion(record);
      this.lastError = null;
      this.loadedAt = this.now();
      this.log.info({ version: id, via: record.createdVia }, 'classifier model version loaded');
      return true;
    } catch (error) {
      this.lastError = `model version ${id}: ${describeError(error)}`;
      this.log.error({ version: id, err: this.lastError }, 'model version could not be loaded; keeping the previous one');
      return false;
    }
  }

  /** Re-reads the keyword file and publishes it as a new version (attached) or uses it here (tools). Returns whether it loaded. */
  async reload(): Promise<boolean> {
    let config: KeywordsConfig;
    try {
      config = loadKeywords(this.file);
    } catch (error) {
      this.lastError = describeError(error);
      this.log.error({ file: this.file, err: this.lastError }, 'keyword config reload failed; keeping the previous model');
      return false;
    }
    this.lastError = null;
    if (this.deps === null) {
      this.current = createClassifier({ keywords: compileKeywords(config), learned: this.current.learned });
      this.loadedAt = this.now();
      return true;
    }
    await this.publishKeywords(config);
    await this.sync();
    return true;
  }

  /**
   * Publishes `config` with the active learned layer as the new active version, once cluster-wide: under
   * the lock, nothing happens when the active version already has this keyword config. Returns the new
   * version's id, or null when nothing was published.
   */
  async publishKeywords(config: KeywordsConfig): Promise<string | null> {
    compileKeywords(config); // a config that does not compile is never published
    const hash = keywordsHash(config);
    return this.underLock(async () => {
      const { store } = this.requireDeps();
      const active = await store.modelVersions.active();
      if (active !== null && active.keywordsHash === hash) return null;
      let learned = active !== null && isLearnedModel(active.learned) ? active.learned : null;
      if (active === null) {
        // A store from before versions existed: its last learned layer (kv) goes into the first version.
        const legacy = await store.kv.get<unknown>(LEGACY_LEARNED_KV_KEY);
        if (isLearnedModel(legacy)) learned = legacy;
      }
      return this.publish(config, learned, active?.labels ?? null, 'keyword-file', this.file);
    });
  }

  /**
   * Trains the learned layer from every relabel and the active keyword config and publishes it when it
   * differs from the active version. `force: false` (the timer) skips when any process retrained within
   * the last `minIntervalMs`. Returns the number of relabels used (0: too few, or skipped).
   */
  async retrain(options: { force?: boolean; minIntervalMs?: number } = {}): Promise<number> {
    const result = await this.underLock(async () => {
      const { store } = this.requireDeps();
      const last = await store.kv.get<number>(RETRAINED_KV_KEY);
      if (!options.force && last !== null && this.now() - last < (options.minIntervalMs ?? 0)) return 0;
      await store.kv.set(RETRAINED_KV_KEY, this.now(), this.now());
      const examples: LabelledExample[] = [];
      for await (const m of store.messages.labelled()) {
        if (!m.label) continue;
        examples.push({ text: m.text, lang: m.lang, complaint: m.label.complaint, category: m.label.category });
      }
      if (examples.length < MIN_LABELS_TO_TRAIN) return 0;
      const active = await store.modelVersions.active();
      const config = active !== null ? keywordsFromJson(active.keywords) : this.current.keywords.config;
      const keywords = compileKeywords(config);
      // Relabels first, then what the keyword file says of its own examples.
      const model = trainLearned([...examples, ...keywordExamples(config)], { keywords });
      const id = await this.publish(config, model, examples.length, 'retrain', null);
      this.log.info({ labels: examples.length, version: id }, 'learned layer retrained from relabels');
      return examples.length;
    });
    await this.sync();
    return result ?? 0;
  }

  private async publish(config: KeywordsConfig, learned: LearnedModel | null, labels: number | null, via: VersionOrigin, note: string | null): Promise<string | null> {
    const { store } = this.requireDeps();
    const id = modelVersion(config, learned);
    const changed = await store.modelVersions.publish(
      { id, keywordsHash: keywordsHash(config), keywords: config, learned, labels: learned === null ? null : labels, createdBy: `process ${process.pid}`, createdVia: via, note },
      this.now(),
    );
    if (changed) this.log.info({ version: id, via }, 'model version published');
    return changed ? id : null;
  }

  /** Runs `fn` under the cluster-wide publish lock, waiting (bounded) for another holder to finish. */
  private async underLock<T>(fn: () => Promise<T>): Promise<T | null> {
    const { redis, keys } = this.requireDeps();
    for (let attempt = 0; attempt < 40; attempt++) {
      const run = await withLock(redis, keys.lock(PUBLISH_LOCK), { leaseMs: LOCK_LEASE_MS }, fn);
      if (run.acquired) return run.value;
      await new Promise((r) => setTimeout(r, 250));
    }
    this.log.warn('model version lock busy; giving up this time');
    return null;
  }

  private requireDeps(): VersionDeps {
    if (this.deps === null) throw new Error('the live classifier is not attached to the store (call attach first)');
    return this.deps;
  }

  /**
   * The whole loop of a service process: attach, watch the keyword file, poll the active version every
   * `pollMs`, and retrain every `retrainMs` (once cluster-wide).
   */
  async start(deps: VersionDeps, options: { pollMs: number; retrainMs: number; watchMs?: number }): Promise<void> {
    await this.attach(deps);
    this.watch(options.watchMs);
    const poll = setInterval(() => {
      this.sync().catch((e: unknown) => this.log.warn({ err: describeError(e) }, 'model version poll failed'));
    }, options.pollMs);
    const retrain = setInterval(() => {
      this.retrain({ minIntervalMs: options.retrainMs / 2 }).catch((e: unknown) => this.log.error({ err: describeError(e) }, 'retrain failed'));
    }, options.retrainMs);
    poll.unref();
    retrain.unref();
    this.timers.push(poll, retrain);
  }

  watch(intervalMs = 2000): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(this.file, { interval: intervalMs }, (curr, prev) => {
      if (curr.mtimeMs !== prev.mtimeMs) this.reload().catch((e: unknown) => this.log.error({ err: describeError(e) }, 'keyword config publish failed'));
    });
  }

  close(): void {
    if (this.watching) unwatchFile(this.file);
    this.watching = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
