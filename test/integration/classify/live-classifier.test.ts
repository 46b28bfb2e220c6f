/**
 * The live classifier in the service: an edited keyword file is picked up; a broken edit keeps the
 * previous model and shows in /health; relabels train the learned layer, which is stored and restored.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../../src/domain/message.js';
import { silentLogger } from '../../../src/platform/log.js';
import { LEARNED_KV_KEY, LiveClassifier, MIN_LABELS_TO_TRAIN } from '../../../workers/classifier.js';
import { buildTestApp } from '../../helpers/api.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';

const KEYWORDS = new URL('../../../config/keywords.yaml', import.meta.url).pathname;

describe('live classifier', () => {
  let dir: string;
  let file: string;
  let live: LiveClassifier;
  let service: TestService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'radar-kw-'));
    file = join(dir, 'keywords.yaml');
    copyFileSync(KEYWORDS, file);
    live = new LiveClassifier(file, silentLogger, () => Date.now());
    service = await createTestService({ classifier: live });
  });
  afterAll(async () => {
    live.close();
    await service.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('picks up an edited keyword file while running', async () => {
    const text = 'the zorblax widget is flapping';
    expect(live.current.classify(text).complaint).toBe(false);
    live.watch(50);
    const yaml = readFileSync(file, 'utf8').replace(/\ngate:\n(\s+)description: ([^\n]*)\n(\s+)terms:\n(\s+)en:\n/, (m) => `${m}      - zorblax widget is flapping\n`);
    expect(yaml).toContain('zorblax');
    writeFileSync(file, yaml);
    await waitFor(() => live.current.classify(text).score > 0.4, 20_000, 'reload');
    expect(live.lastError).toBeNull();
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
    await app.close();
    copyFileSync(KEYWORDS, file);
    await waitFor(() => live.lastError === null, 20_000, 'recovered');
  });

  it('relabels train the learned layer, stored and restored', async () => {
    const { store } = service.ctx;
    expect(await live.retrain(store)).toBe(0); // too few labels: keywords alone
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
    expect(await live.retrain(store)).toBe(messages.length);
    expect(live.current.learned).not.toBeNull();
    expect(await store.kv.get(LEARNED_KV_KEY)).toMatchObject({ kind: 'complaint-radar/learned' });
    const fresh = new LiveClassifier(file, silentLogger, () => Date.now());
    expect(fresh.current.learned).toBeNull();
    await fresh.restore(store);
    expect(fresh.current.learned).not.toBeNull();
    fresh.close();
  });
});
