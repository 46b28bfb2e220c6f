/**
 * A model change never pages as a level shift, on real Redis and SQLite / PostgreSQL with a pinned
 * clock: a keyword edit that doubles one category's complaints is published as a new version, the next
 * detect tick re-classifies the recent window with it, re-counts the series and re-baselines the
 * detector of the series that changed — nothing pages for the step — while a real incident after it
 * still pages. Every stored message records the version that judged it.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../../src/domain/message.js';
import { ManualClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/log.js';
import type { ClassifiedMessage } from '../../../src/store/message-store.js';
import { createAlerting } from '../../../workers/alerting.js';
import { LiveClassifier } from '../../../workers/classifier.js';
import { runDetectTick } from '../../../workers/detect.js';
import { applyModelChange, SERIES_VERSION_KEY, type SeriesVersion } from '../../../workers/model-rollout.js';
import { admin, buildTestApp } from '../../helpers/api.js';
import { DAY, HOUR, MIN } from '../../helpers/detect-scenario.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';

const KEYWORDS = new URL('../../../config/keywords.yaml', import.meta.url).pathname;
const T0 = Date.UTC(2026, 2, 2, 0, 0);
const LOGIN = 'Skymail login broken again, can not sign in';
/** A complaint the shipped keywords give no category; the edited file makes it a login complaint. */
const ZORBLAX = 'Skymail: the zorblax keeps failing again';

/** Login complaints per minute at t: 1, 2 or 3 (mean 2); as many zorblax complaints. */
const perMinute = (t: number) => 1 + (Math.floor(t / MIN) % 3);

function messagesOf(from: number, to: number, extraLogin = 0): Message[] {
  const out: Message[] = [];
  for (let t = from; t < to; t += MIN) {
    const n = perMinute(t);
    const texts = [...Array.from({ length: n + extraLogin }, () => LOGIN), ...Array.from({ length: n }, () => ZORBLAX)];
    texts.forEach((text, i) => out.push({ id: `api:m-${t}-${i}`, channel: 'api', source: 'test', author: null, text, lang: 'en', createdAt: new Date(t + i * 100).toISOString(), link: null }));
  }
  return out;
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`model version roll-out (${db})`, () => {
    let service: TestService | undefined;
    let live: LiveClassifier | undefined;
    let dir: string | undefined;
    afterEach(async () => {
      live?.close();
      await service?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
      service = undefined;
      live = undefined;
      dir = undefined;
    });

    it('a keyword change that doubles a category does not page; an incident after it still does', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      dir = mkdtempSync(join(tmpdir(), 'radar-rollout-'));
      const file = join(dir, 'keywords.yaml');
      copyFileSync(KEYWORDS, file);
      const start = T0 + 2 * DAY;
      const clock = new ManualClock(start);
      live = new LiveClassifier(file, silentLogger, () => clock.now());
      service = await createTestService({ db, clock, classifier: live });
      const { ctx } = service;
      const classifier = live;
      await classifier.attach({ store: ctx.store, redis: ctx.redis, keys: ctx.keys });
      const v1 = classifier.version;

      const ingest = async (messages: readonly Message[]) => {
        for (let i = 0; i < messages.length; i += 2000) {
          const items: ClassifiedMessage[] = messages.slice(i, i + 2000).map((m) => ({ message: m, classification: classifier.current.classify(m.text, m.lang, m.channel) }));
          await ctx.store.ingest(items, clock.now(), MIN);
        }
      };
      const traffic = async (from: number, to: number) => {
        const points: Array<{ t: number; v: number }> = [];
        for (let x = from; x < to; x += MIN) points.push({ t: x, v: 1000 });
        await ctx.store.series.set('traffic', points);
      };
      const alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
      // What the detect worker does under its lock: roll a model change out, then judge.
      const tick = async (now: number) => {
        clock.set(now);
        const rollout = await applyModelChange(ctx, now);
        await alerting.onTick(await runDetectTick(ctx, now));
        return rollout;
      };
      const firing = async () => (await ctx.store.alerts.list()).filter((a) => a.firingAt !== null);
      /** Messages and traffic for [from, to), then a tick every 5 minutes. */
      const run = async (from: number, to: number, extraLogin = 0) => {
        const rollouts = [];
        for (let x = from; x < to; x += 5 * MIN) {
          await ingest(messagesOf(x, x + 5 * MIN, extraLogin));
          await traffic(x, x + 5 * MIN);
          rollouts.push(await tick(x + 5 * MIN + MIN));
        }
        return rollouts.filter((r) => r !== null);
      };

      // Two days of history under v1, then an hour of live ticks: nothing pages.
      await ingest(messagesOf(T0, start));
      await traffic(T0, start);
      expect(await run(start, start + HOUR)).toEqual([]);
      expect(await firing()).toHaveLength(0);
      expect((await ctx.store.kv.get<SeriesVersion>(SERIES_VERSION_KEY))?.version).toBe(v1);
      const loginBefore = await ctx.store.series.total('complaints.login', T0, start);

      // The keyword file gains a term: zorblax complaints become login complaints (login doubles).
      const edited = readFileSync(file, 'utf8').replace(/(\n {2}- name: login\n[^\n]*\n {4}terms:\n {6}en:\n)/, '$1        - zorblax\n');
      expect(edited).not.toBe(readFileSync(file, 'utf8'));
      writeFileSync(file, edited);
      expect(await classifier.reload()).toBe(true);
      const v2 = classifier.version;
      expect(v2).not.toBe(v1);
      expect(classifier.current.classify(ZORBLAX, 'en', 'api').categories[0]?.name).toBe('login');
      expect((await ctx.store.modelVersions.list()).map((v) => [v.id, v.active, v.createdVia])).toEqual([
        [v2, true, 'keyword-file'],
        [v1, false, 'keyword-file'],
      ]);

      // Two hours under v2: the first tick rolls the change out; nothing pages for the doubled level.
      const after = start + HOUR;
      const rollouts = await run(after, after + 2 * HOUR);
      expect(rollouts).toHaveLength(1);
      expect(rollouts[0]).toMatchObject({ from: v1, version: v2 });
      expect(rollouts[0]?.series).toContain('complaints.login');
      expect(rollouts[0]?.series).not.toContain('complaints');
      expect(await firing()).toHaveLength(0);
      // The history was re-counted with v2, and every stored message records v2.
      expect(await ctx.store.series.total('complaints.login', T0, start)).toBe(2 * loginBefore);
      expect(await ctx.store.series.total('complaints', T0, start)).toBe(2 * loginBefore);
      const versions = new Map<string, number>();
      for await (const m of ctx.store.messages.iterate({ from: T0 })) versions.set(m.classification.modelVersion ?? '?', (versions.get(m.classification.modelVersion ?? '?') ?? 0) + 1);
      expect([...versions.keys()]).toEqual([v2]);
      // The API's message view says which version judged it.
      const app = await buildTestApp(ctx);
      try {
        const res = await app.inject({ url: `/api/messages/${encodeURIComponent(`api:m-${T0}-0`)}`, headers: admin });
        expect(res.statusCode).toBe(200);
        expect(res.json().classification.modelVersion).toBe(v2);
      } finally {
        await app.close();
      }
      const judged = await ctx.store.detectorPoints.read('complaints.login', after + HOUR, after + 2 * HOUR);
      expect(judged.length).toBeGreaterThan(30);
      expect(judged.every((p) => !p.alert)).toBe(true);

      // A real incident after the change: 20 more login complaints a minute for 15 minutes pages.
      const incident = after + 2 * HOUR;
      await run(incident, incident + 15 * MIN, 20);
      const alerts = await firing();
      expect(alerts.length).toBeGreaterThanOrEqual(1);
      expect(alerts.some((a) => JSON.stringify(a).includes('complaints.login'))).toBe(true);
    }, 240_000);
  });
}
