import { describe, expect, it } from 'vitest';
import { messageSchema } from '../../../src/queues/message-schema.js';
import { createDemoGenerator } from '../../../src/sources/demo/index.js';
import { SOCIAL_CHANNELS, SOCIAL_SHARES } from '../../../src/sources/demo/social.js';
import { BASE, DAY, HOUR, MINUTE, MONDAY_MSK, demo, minutes, truth } from './harness.js';

const T = MONDAY_MSK + 12 * HOUR; // Monday noon, Moscow

describe('determinism: the output depends only on (seed, t)', () => {
  it('the same call gives the same minute, from the same or a fresh generator, in any order', () => {
    const a = demo();
    const first = a.minute(T);
    a.minute(T + 5 * DAY); // something else in between
    expect(a.minute(T)).toEqual(first);
    expect(demo().minute(T)).toEqual(first);
    expect(first.messages.length).toBeGreaterThan(0);
  });

  it('backfill order and live order agree', () => {
    const ts = minutes(T, 30 * MINUTE);
    const forward = ts.map((t) => demo().minute(t));
    const g = demo();
    const backward = [...ts].reverse().map((t) => g.minute(t)).reverse();
    expect(backward).toEqual(forward);
  });

  it.each([
    ['seed', { seed: 43 }],
    ['seed 0', { seed: 0 }],
  ])('a different %s gives different messages', (_name, overrides) => {
    const a = demo().minute(T).messages.map((m) => m.text);
    const b = demo(overrides).minute(T).messages.map((m) => m.text);
    expect(b).not.toEqual(a);
  });

  it('different minutes differ', () => {
    expect(demo().minute(T + MINUTE).messages.map((m) => m.text)).not.toEqual(demo().minute(T).messages.map((m) => m.text));
  });
});

describe('messages', () => {
  const g = demo();
  const all = minutes(T, 3 * HOUR).flatMap((t) => g.minute(t).messages);

  it('every message passes messageSchema', () => {
    for (const m of all) expect(() => messageSchema.parse(m)).not.toThrow();
  });

  it('ids are demo:<seed>:<t>:<n>, unique, numbered in createdAt order', () => {
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
    for (const t of minutes(T, 10 * MINUTE)) {
      const ms = g.minute(t).messages;
      ms.forEach((m, n) => expect(m.id).toBe(`demo:42:${t}:${n}`));
      const times = ms.map((m) => Date.parse(m.createdAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      for (const x of times) expect(x >= t && x < t + MINUTE).toBe(true);
    }
  });

  it('source is demo; channels the social networks / email / beta_form; authors hashed-looking', () => {
    for (const m of all) {
      expect(m.source).toBe('demo');
      expect([...SOCIAL_CHANNELS, 'email', 'beta_form']).toContain(m.channel);
      expect(m.author).toMatch(/^h:[0-9a-f]{24}$/);
    }
  });

  it('public posts link to the post on their network, mail and form reports have no link', () => {
    const links: Record<string, RegExp> = {
      twitter: /^https:\/\/x\.com\/[A-Za-z0-9_]{1,15}\/status\/\d{18,19}$/,
      vk: /^https:\/\/vk\.com\/wall\d+_\d+$/,
      telegram: /^https:\/\/t\.me\/skymail_support\/\d+$/,
      reddit: /^https:\/\/www\.reddit\.com\/r\/skymail\/comments\/[0-9a-z]{7}\/$/,
      mastodon: /^https:\/\/mastodon\.social\/@[A-Za-z0-9_]+\/\d+$/,
      bluesky: /^https:\/\/bsky\.app\/profile\/[a-z0-9_]+\.bsky\.social\/post\/3l[0-9a-v]{9}$/,
    };
    for (const m of all) {
      const pattern = links[m.channel];
      if (pattern) expect(m.link).toMatch(pattern);
      else expect(m.link).toBeNull();
    }
  });

  it('e-mails are "Subject\\n\\nbody" (subject also in meta); form reports have the three questions', () => {
    for (const m of all) {
      if (m.channel === 'email') {
        const subject = m.meta?.subject as string;
        expect(m.text.startsWith(`${subject}\n\n`)).toBe(true);
        expect(m.text.length).toBeGreaterThan(subject.length + 10);
      }
      if (m.channel === 'beta_form') expect(m.text).toMatch(/^What were you doing: .+\nWhat went wrong: .+\nHow should it have worked: .+$/);
    }
  });

  it('lang is set for some and null for others; mixed-language messages are null', () => {
    const langs = new Set(all.map((m) => m.lang));
    expect(langs).toEqual(new Set(['ru', 'en', null]));
    for (const m of all) {
      if (truth(m).mixed) expect(m.lang).toBeNull();
      if (m.lang !== null) expect(m.lang).toBe(truth(m).lang);
    }
  });

  it('mixes channels (~55 social / 35 mail / 10 form; social X 40, VK 20, Telegram 15, Reddit 10, Mastodon 8, Bluesky 7), languages (~55/45) and chatter (~1.5× complaints) outside incidents', () => {
    const quiet = demo({ incidentEveryMs: 30 * 365 * DAY });
    const ms = minutes(MONDAY_MSK, 2 * DAY, 3 * MINUTE).flatMap((t) => quiet.minute(t).messages);
    const share = (pred: (m: (typeof ms)[number]) => boolean) => ms.filter(pred).length / ms.length;
    const social = share((m) => (SOCIAL_CHANNELS as readonly string[]).includes(m.channel));
    expect(social).toBeCloseTo(0.55, 1);
    for (const channel of SOCIAL_CHANNELS) expect(share((m) => m.channel === channel) / social).toBeCloseTo(SOCIAL_SHARES[channel], 1);
    expect(share((m) => m.channel === 'email')).toBeCloseTo(0.35, 1);
    expect(share((m) => m.channel === 'beta_form')).toBeCloseTo(0.1, 1);
    expect(share((m) => truth(m).lang === 'ru')).toBeCloseTo(0.55, 1);
    const complaints = share((m) => truth(m).complaint);
    expect((1 - complaints) / complaints).toBeGreaterThan(1.2);
    expect((1 - complaints) / complaints).toBeLessThan(1.8);
  });

  it('complaints cover every category, chatter every kind', () => {
    expect(new Set(all.filter((m) => truth(m).complaint).map((m) => truth(m).category))).toEqual(new Set(g.categories));
    expect(new Set(all.filter((m) => !truth(m).complaint).map((m) => truth(m).kind)).size).toBe(9);
  });
});

describe('bad arguments', () => {
  it.each([
    ['t not a bucket start', () => demo().minute(T + 1)],
    ['t not an integer', () => demo().minute(Number.NaN)],
    ['stepMs 0', () => createDemoGenerator({ ...BASE, stepMs: 0 })],
    ['negative traffic', () => createDemoGenerator({ ...BASE, peakTrafficPerMinute: -1 })],
    ['seed not an integer', () => createDemoGenerator({ ...BASE, seed: 1.5 })],
  ])('%s throws a RangeError', (_name, call) => {
    expect(call).toThrow(RangeError);
  });
});
