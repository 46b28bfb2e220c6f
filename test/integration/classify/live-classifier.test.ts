/**
 * The live classifier in the service: model versions in one place. The keyword file is published as the
 * first version; an edit is published once as a new version and every process loads it from the store;
 * a broken edit keeps the previous model and shows in /health; relabels train the learned layer once,
 * published as a version the other processes load; `activate` rolls back.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../../src/domain/message.js';
import { compileKeywords, trainLearned } from '../../../src/classify/index.js';
import { loadKeywords } from '../../../src/config/keywords.js';
import { silentLogger } from '../../../src/platform/log.js';
import { LiveClassifier, MIN_LABELS_TO_TRAIN } from '../../../workers/classifier.js';
import { buildTestApp } from '../../helpers/api.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

const KEYWORDS = new URL('../../../config/keywords.yaml', import.meta.url).pathname;

describe('live classifier', () => {
  let dir: string;
  let file: string;
  let live: LiveClassifier;
  /** A second process on the same store and keyword file. */
  let other: LiveClassifier;
  let service: TestService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'radar-kw-'));
    file = join(dir, 'keywords.yaml');
    copyFileSync(KEYWORDS, file);
    live = new LiveClassifier(file, silentLogger, () => Date.now());
    service = await createTestService({ classifier: live });
    const deps = { store: service.ctx.store, redis: service.ctx.redis, keys: service.ctx.keys };
    await live.start(deps, { pollMs: 50, retrainMs: 3_600_000, watchMs: 50 });
    other = new LiveClassifier(file, silentLogger, () => Date.now());
    await other.start(deps, { pollMs: 50, retrainMs: 3_600_000, watchMs: 50 });
  });
  afterAll(async () => {
    live.close();
    other.close();
    await service.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the keyword file once as the first version; a second process loads it', async () => {
    const versions = await service.ctx.store.modelVersions.list();
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ id: live.version, active: true, createdVia: 'keyword-file', learned: false });
    expect(other.version).toBe(live.version);
  });

  it('picks up an edited keyword file while running: one new version, loaded by every process', async () => {
    const text = 'the zorblax widget is flapping';
    expect(live.current.classify(text).complaint).toBe(false);
    const first = live.version;
    const yaml = readFileSync(file, 'utf8').replace(/\ngate:\n(\s+)description: ([^\n]*)\n(\s+)terms:\n(\s+)en:\n/, (m) => `${m}      - zorblax widget is flapping\n`);
    expect(yaml).toContain('zorblax');
    writeFileSync(file, yaml);
    await waitFor(() => live.current.classify(text).score > 0.4 && other.current.classify(text).score > 0.4, 20_000, 'reload');
    expect(live.lastError).toBeNull();
    expect(other.version).toBe(live.version);
    // Both processes watch the file; the edit is published once.
    const versions = await service.ctx.store.modelVersions.list();
    expect(versions.map((v) => [v.id, v.active])).toEqual([
      [live.version, true],
      [first, false],
    ]);
    expect(live.current.classify(text).modelVersion).toBe(live.version);
  });

  it('a broken edit keeps the previous model and shows the error in /health', async () => {
    const before = live.current;
    writeFileSync(file, 'version: 1\ncategories: [{ name: 42 }]\nbogus: true\n');
    await waitFor(() => live.lastError !== null, 20_000, 'reload error');
    expect(live.current).toBe(before);
    expect(live.lastError).toMatch(/keywords\.yaml/);
    const app = await buildTestApp(service.ctx);
    const health = await app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json().checks.classifier).toBe('error');
    expect(health.json().checks.classifierError).toMatch(/keywords\.yaml:\d+/);
    expect(health.json().classifierVersion).toBe(live.version);
    await app.close();
    copyFileSync(KEYWORDS, file);
    await waitFor(() => live.lastError === null, 20_000, 'recovered');
    // The file is back to the first content: that version is active again (no new one).
    const versions = await service.ctx.store.modelVersions.list();
    expect(versions).toHaveLength(2);
    await waitFor(() => versions.at(-1)?.id === live.version && other.version === live.version, 20_000, 'first version active again');
  });

  it('relabels train the learned layer, stored and restored', async () => {
    const { store } = service.ctx;
    expect(await live.retrain({ force: true })).toBe(0); // too few labels: keywords alone
    const messages: Message[] = Array.from({ length: MIN_LABELS_TO_TRAIN + 10 }, (_, i) => ({
      id: `api:label-${i}`,
      channel: 'email',
      source: 'test',
      author: null,
      text: i % 2 === 0 ? `the quarterly blorp report for team ${i} is missing again` : `thanks for the quarterly newsletter number ${i}`,
      lang: 'en',
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      link: null,
    }));
    await store.messages.insertNew(messages.map((m) => ({ message: m, classification: live.current.classify(m.text, m.lang) })), Date.now());
    for (const [i, m] of messages.entries()) await store.messages.label(m.id, i % 2 === 0, i % 2 === 0 ? 'delivery' : null, 'anna', Date.now());
    const keywordsOnly = live.version;
    // The timer of either process within the period retrains nothing more: once cluster-wide.
    expect(await live.retrain({ force: true })).toBe(messages.length);
    expect(await other.retrain({ minIntervalMs: 3_600_000 })).toBe(0);
    expect(live.current.learned).not.toBeNull();
    const versions = await store.modelVersions.list();
    expect(versions.filter((v) => v.createdVia === 'retrain')).toHaveLength(1);
    expect(versions[0]).toMatchObject({ id: live.version, active: true, createdVia: 'retrain', learned: true, labels: messages.length });
    // Another process loads it from the store (it trained nothing itself).
    await waitFor(() => other.version === live.version, 20_000, 'other process loads the retrained version');
    expect(other.current.learned).not.toBeNull();
    // A fresh process starting on the same file loads the active version: nothing new is published.
    const fresh = new LiveClassifier(file, silentLogger, () => Date.now());
    expect(fresh.current.learned).toBeNull();
    await fresh.attach({ store, redis: service.ctx.redis, keys: service.ctx.keys });
    expect(fresh.version).toBe(live.version);
    expect(fresh.current.learned).not.toBeNull();
    // Rollback: activate the keywords-only version; every process follows.
    expect(await store.modelVersions.activate(keywordsOnly, 'test', Date.now())).toBe(true);
    await waitFor(() => live.version === keywordsOnly && other.version === keywordsOnly, 20_000, 'rolled back');
    expect(await fresh.sync()).toBe(true);
    expect(fresh.current.learned).toBeNull();
    expect(await store.modelVersions.list()).toHaveLength(versions.length);
    fresh.close();
  });

  it('a store from before model versions: its stored learned layer goes into the first version', async () => {
    const legacy = await createTestService();
    const proc = new LiveClassifier(file, silentLogger, () => Date.now());
    try {
      const keywords = compileKeywords(loadKeywords(file));
      const examples = Array.from({ length: 40 }, (_, i) => ({ text: i % 2 === 0 ? `the blorp report ${i} is missing again` : `thanks for newsletter ${i}`, complaint: i % 2 === 0, category: null }));
      await legacy.ctx.store.kv.set('classifier.learned', trainLearned(examples, { keywords }), Date.now());
      await proc.attach({ store: legacy.ctx.store, redis: legacy.ctx.redis, keys: legacy.ctx.keys });
      expect(proc.current.learned).not.toBeNull();
      expect(await legacy.ctx.store.modelVersions.list()).toMatchObject([{ id: proc.version, active: true, learned: true }]);
    } finally {
      proc.close();
      await legacy.cleanup();
    }
  });
});
