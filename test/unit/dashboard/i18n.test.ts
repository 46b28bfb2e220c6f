/**
 * The dashboard's message catalogue: every string the views pass to `t` / `tp` (English, the key) has a
 * Russian translation with the same placeholders, plural entries carry Russian's forms, and the catalogue
 * holds nothing the code no longer asks for (beyond the names given to `t` at run time: views, states,
 * table headers).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT_FIELDS } from '../../../src/dashboard/html.js';
import { reportBodySchema } from '../../../src/dashboard/report.js';
import { pickUiLang, translator } from '../../../src/dashboard/i18n.js';
import { CHANNEL_NAMES, LANG_NAMES } from '../../../src/domain/message.js';

const STATIC = join(import.meta.dirname, '../../../src/dashboard/static');
const ru = JSON.parse(readFileSync(join(STATIC, 'i18n/ru.json'), 'utf8')) as Record<string, string | Record<string, string>>;

/** Keys given to `t` as a variable (view names, source and alert states, table headers). */
const DYNAMIC = [
  'Overview', 'Timeline', 'Messages', 'Review', 'Alerts', 'Sources', 'Incident',
  'ok', 'error', 'stopped', 'polling', 'blocked', 'pending', 'firing', 'resolved', 'cancelled', 'ended', 'acknowledged',
  'Source', 'State', 'Last poll', 'Lag', 'Last error', 'Rate limit', 'Fetched', 'Skipped', 'Dead-lettered',
  // channel and language names (`channelName`, `languageName`), alert severities (the ack page, the incident summary)
  ...Object.values(CHANNEL_NAMES), ...Object.values(LANG_NAMES), 'info', 'warning', 'critical',
];

/** The report form's labels, hints and the validation messages of its schema (given to `t` as values). */
const REPORT_STRINGS = [
  ...REPORT_FIELDS.flatMap((f) => [f.label, f.hint]),
  ...['doing', 'wrong', 'expected', 'contact'].flatMap((field) =>
    [reportBodySchema.safeParse({ wrong: 'ok ok', [field]: 'x'.repeat(5000) }), reportBodySchema.safeParse({ wrong: 'x' })]
      .flatMap((r) => (r.success ? [] : r.error.issues.map((i) => i.message))),
  ),
];

function sources(): string[] {
  const files = readdirSync(STATIC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js') && f !== 'i18n.js');
  const server = ['../html.ts', '../ack-page.ts', '../../api/routes/reports.ts', '../../api/routes/alerts.ts'];
  // Notifications are worded from the same catalogue (alerting.language).
  const notifications = [
    '../../alerting/notification.ts', '../../alerting/notification-words.ts', '../../notify/format.ts', '../../notify/slack.ts',
    '../../notify/email.ts', '../../notify/telegram.ts', '../../../workers/alerting.ts',
  ];
  // The incident page's headline and "copy summary" (GET /api/incidents/:id?lang=).
  const incident = ['../../alerting/incident-summary.ts'];
  return [...files, ...server, ...notifications, ...incident].map((f) => readFileSync(join(STATIC, f), 'utf8'));
}

function keysUsed(): { simple: Set<string>; plural: Set<string> } {
  const simple = new Set<string>();
  const plural = new Set<string>();
  for (const text of sources()) {
    for (const m of text.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)) simple.add((m[1] as string).replace(/\\'/g, "'"));
    for (const m of text.matchAll(/\bsaid\('\w+',\s*'((?:[^'\\]|\\.)*)'/g)) simple.add(m[1] as string); // report.js's strings, set by html.ts
    for (const m of text.matchAll(/\btp\([^{]*\{\s*one:\s*'((?:[^'\\]|\\.)*)',\s*other:\s*'((?:[^'\\]|\\.)*)'/g)) plural.add(m[2] as string);
  }
  return { simple, plural };
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dashboard i18n catalogue (ru)', () => {
  const { simple, plural } = keysUsed();

  it('finds the strings (a guard: the checks below must not pass on nothing)', () => {
    expect(simple.size).toBeGreaterThan(100);
    expect(plural.size).toBeGreaterThan(3);
  });

  it('translates every string the views use, with the same placeholders', () => {
    const missing = [...simple, ...DYNAMIC, ...REPORT_STRINGS].filter((k) => typeof ru[k] !== 'string');
    expect(missing).toEqual([]);
    for (const k of simple) expect(placeholders(ru[k] as string), k).toEqual(placeholders(k));
  });

  it('gives every count Russian plural forms (one, few, many)', () => {
    for (const k of plural) {
      const entry = ru[k];
      expect(typeof entry, k).toBe('object');
      const forms = entry as Record<string, string>;
      for (const form of ['one', 'few', 'many', 'other']) {
        expect(typeof forms[form], `${k}: ${form}`).toBe('string');
        // the same placeholders (a form may leave out the count itself, as English "one" often does)
        expect(placeholders(forms[form] as string).filter((p) => p !== 'n'), `${k}: ${form}`).toEqual(placeholders(k).filter((p) => p !== 'n'));
      }
    }
  });

  it('holds nothing the code no longer asks for', () => {
    const used = new Set([...simple, ...plural, ...DYNAMIC, ...REPORT_STRINGS]);
    expect(Object.keys(ru).filter((k) => !used.has(k))).toEqual([]);
  });
});

describe('server-rendered pages: language', () => {
  const req = (query: Record<string, string>, headers: Record<string, string>) => ({ query, headers });
  it('?lang= first, then the radar_lang cookie, then Accept-Language by weight, else English', () => {
    expect(pickUiLang(req({ lang: 'ru' }, { cookie: 'radar_lang=en', 'accept-language': 'en' }))).toBe('ru');
    expect(pickUiLang(req({}, { cookie: 'a=1; radar_lang=ru', 'accept-language': 'en' }))).toBe('ru');
    expect(pickUiLang(req({}, { 'accept-language': 'de-DE,de;q=0.9,ru;q=0.8,en;q=0.7' }))).toBe('ru');
    expect(pickUiLang(req({}, { 'accept-language': 'ru;q=0.1, en-GB' }))).toBe('en');
    expect(pickUiLang(req({ lang: 'xx' }, { 'accept-language': 'fr' }))).toBe('en');
  });
  it('translates and fills placeholders; unknown text stays as it is', () => {
    expect(translator('ru')('Report a problem')).toBe('Сообщить о проблеме');
    expect(translator('ru')('Too many reports from your network this hour. Please try again in {n} min.', { n: 7 })).toContain('через 7 мин');
    expect(translator('ru')('no such text')).toBe('no such text');
    expect(translator('en')('Report a problem')).toBe('Report a problem');
  });
});
