/**
 * The live classifier: compiled from the keyword file, with the learned layer trained from support's
 * relabels. The keyword file is watched: an edit is picked up within seconds; a broken edit keeps the
 * previous model and shows the error in logs and /health.
 */
import { unwatchFile, watchFile } from 'node:fs';
import type { Logger } from 'pino';
import { createClassifier, type Classifier } from '../src/classify/classifier.js';
import { compileKeywords, type KeywordModel } from '../src/classify/keyword-model.js';
import { isLearnedModel, trainLearned, type LearnedModel } from '../src/classify/learned-model.js';
import type { LabelledExample } from '../src/classify/labelled.js';
import { keywordExamples } from '../src/classify/keyword-examples.js';
import { loadKeywords } from '../src/config/keywords.js';
import { describeError } from '../src/platform/errors.js';
import type { Store } from '../src/store/store.js';
import type { ClassifierHolder } from './context.js';

export const LEARNED_KV_KEY = 'classifier.learned';
/** Fewer relabels than this train nothing: the keyword model alone is better than a model of five examples. */
export const MIN_LABELS_TO_TRAIN = 20;

export class LiveClassifier implements ClassifierHolder {
  current: Classifier;
  lastError: string | null = null;
  loadedAt: number;
  private keywords: KeywordModel;
  private learned: LearnedModel | null = null;
  private watching = false;

  /** Throws ConfigError when the keyword file is invalid: the service must not start on a broken file. */
  constructor(readonly file: string, private readonly log: Logger, private readonly now: () => number) {
    this.keywords = compileKeywords(loadKeywords(file));
    this.current = createClassifier({ keywords: this.keywords });
    this.loadedAt = now();
  }

  /** Re-reads the keyword file; on error keeps the old model. Returns whether it loaded. */
  reload(): boolean {
    try {
      const keywords = compileKeywords(loadKeywords(this.file));
      this.keywords = keywords;
      this.current = createClassifier({ keywords, learned: this.learned });
      this.lastError = null;
      this.loadedAt = this.now();
      this.log.info({ file: this.file, categories: keywords.config.categories.length }, 'keyword config reloaded');
      return true;
    } catch (error) {
      this.lastError = describeError(error);
      this.log.error({ file: this.file, err: this.lastError }, 'keyword config reload failed; keeping the previous model');
      return false;
    }
  }

  get categories(): readonly string[] {
    return this.keywords.config.categories.map((c) => c.name);
  }

  useLearned(model: LearnedModel | null): void {
    this.learned = model;
    this.current = createClassifier({ keywords: this.keywords, learned: model });
  }

  /** Trains the learned layer from every relabelled message; stores it; returns the number of labels used. */
  async retrain(store: Store): Promise<number> {
    const examples: LabelledExample[] = [];
    for await (const m of store.messages.labelled()) {
      if (!m.label) continue;
      examples.push({ text: m.text, lang: m.lang, complaint: m.label.complaint, category: m.label.category });
    }
    if (examples.length < MIN_LABELS_TO_TRAIN) return 0;
    // Relabels first, then what the keyword file says of its own examples.
    const model = trainLearned([...examples, ...keywordExamples(this.keywords.config)], { keywords: this.keywords });
    this.useLearned(model);
    await store.kv.set(LEARNED_KV_KEY, model, this.now());
    this.log.info({ labels: examples.length }, 'learned layer retrained from relabels');
    return examples.length;
  }

  /** Loads the last trained model from the store, if any. */
  async restore(store: Store): Promise<void> {
    const saved = await store.kv.get<unknown>(LEARNED_KV_KEY);
    if (isLearnedModel(saved)) this.useLearned(saved);
  }

  watch(intervalMs = 2000): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(this.file, { interval: intervalMs }, (curr, prev) => {
      if (curr.mtimeMs !== prev.mtimeMs) this.reload();
    });
  }

  close(): void {
    if (this.watching) unwatchFile(this.file);
    this.watching = false;
  }
}
