import { describe, expect, it } from 'vitest';
import type { Classification } from '../../../src/domain/classification.js';
import type { Channel, Message } from '../../../src/domain/message.js';
import { countIncrements } from '../../../src/series/counts.js';

const msg = (i: number, channel: Channel, at: string): Message => ({ id: `api:${i}`, channel, source: 's', author: null, text: 't', lang: null, createdAt: at, link: null });
const complaint = (category: string): Classification => ({ complaint: true, score: 0.9, categories: [{ name: category, score: 0.9, terms: [] }], lang: 'en' });
const none: Classification = { complaint: false, score: 0.1, categories: [], lang: 'ru' };

describe('countIncrements', () => {
  it('adds one per message to each of its series, merged per key and bucket, in order of first appearance', () => {
    const items = [
      { message: msg(1, 'email', '2026-01-01T00:00:10Z'), classification: complaint('login') },
      { message: msg(2, 'twitter', '2026-01-01T00:01:10Z'), classification: none },
      { message: msg(3, 'email', '2026-01-01T00:00:50Z'), classification: complaint('login') },
      { message: msg(4, 'email', '2026-01-01T00:01:20Z'), classification: complaint('spam') },
      { message: msg(5, 'email', 'not a date'), classification: complaint('spam') },
    ];
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const t1 = t0 + 60_000;
    expect(countIncrements(items, 60_000)).toEqual([
      { key: 'messages', t: t0, v: 2 },
      { key: 'messages.channel.email', t: t0, v: 2 },
      { key: 'complaints', t: t0, v: 2 },
      { key: 'complaints.channel.email', t: t0, v: 2 },
      { key: 'complaints.lang.en', t: t0, v: 2 },
      { key: 'complaints.login', t: t0, v: 2 },
      { key: 'messages', t: t1, v: 2 },
      { key: 'messages.channel.twitter', t: t1, v: 1 },
      { key: 'messages.channel.email', t: t1, v: 1 },
      { key: 'complaints', t: t1, v: 1 },
      { key: 'complaints.channel.email', t: t1, v: 1 },
      { key: 'complaints.lang.en', t: t1, v: 1 },
      { key: 'complaints.spam', t: t1, v: 1 },
    ]);
  });
});
