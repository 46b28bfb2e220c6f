import { describe, expect, it } from 'vitest';
import { isValidMessage, messageSchema } from '../../../src/queues/message-schema.js';

const base = {
  id: 'api:1',
  channel: 'email',
  source: 'support',
  author: null,
  text: 'Cannot log in since this morning',
  lang: null,
  createdAt: '2026-01-01T10:00:00.000Z',
  link: null,
};

const valid: Record<string, unknown>[] = [
  base,
  { ...base, author: 'a1b2', lang: 'ru', link: 'https://example.org/x', meta: { messageId: '<x@y>' } },
  { ...base, createdAt: '2026-01-01T10:00:00+03:00', link: 'HTTP://EXAMPLE.ORG' },
  { ...base, text: '', meta: {} },
];

const invalid: [string, unknown][] = [
  ['not an object', 'text'],
  ['null', null],
  ['an array', [base]],
  ['an unknown key', { ...base, extra: 1 }],
  ['a missing key', (({ link: _, ...rest }) => rest)(base)],
  ['empty id', { ...base, id: '' }],
  ['long id', { ...base, id: 'x'.repeat(513) }],
  ['unknown channel', { ...base, channel: 'fax' }],
  ['empty source', { ...base, source: '' }],
  ['author a number', { ...base, author: 7 }],
  ['long author', { ...base, author: 'a'.repeat(201) }],
  ['text null', { ...base, text: null }],
  ['long text', { ...base, text: 'a'.repeat(20_001) }],
  ['unknown lang', { ...base, lang: 'de' }],
  ['createdAt without zone', { ...base, createdAt: '2026-01-01T10:00:00' }],
  ['createdAt a number', { ...base, createdAt: 1_700_000_000_000 }],
  ['createdAt not a date', { ...base, createdAt: '2026-13-45T99:00:00Z' }],
  ['createdAt before 2000', { ...base, createdAt: '1999-12-31T23:59:59Z' }],
  ['ftp link', { ...base, link: 'ftp://example.org' }],
  ['long link', { ...base, link: `https://${'a'.repeat(2000)}` }],
  ['meta an array', { ...base, meta: [] }],
  ['meta null', { ...base, meta: null }],
  ['missing lang', { ...base, lang: undefined }],
];

describe('isValidMessage (the ingest worker fast path)', () => {
  it.each(valid.map((v, i) => [i, v] as const))('accepts valid message %i, as zod does', (_i, v) => {
    expect(messageSchema.safeParse(v).success).toBe(true);
    expect(isValidMessage(v)).toBe(true);
  });

  it.each(invalid)('refuses %s, as zod does', (_name, v) => {
    expect(messageSchema.safeParse(v).success).toBe(false);
    expect(isValidMessage(v)).toBe(false);
  });

  it('never accepts what zod refuses (seeded mutations of valid messages)', () => {
    let seed = 2026;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values: unknown[] = [null, undefined, '', 'x', 'en', 'ru', 'email', 'fax', 0, 1, true, [], {}, 'https://a', 'ftp://a', '2026-01-01T00:00:00Z', '1999-01-01T00:00:00Z', '2026-01-01', 'x'.repeat(513)];
    const keys = [...Object.keys(base), 'meta', 'other'];
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const m: Record<string, unknown> = { ...valid[Math.floor(random() * valid.length)] };
      for (let k = 0; k < 1 + Math.floor(random() * 2); k++) {
        const key = keys[Math.floor(random() * keys.length)] as string;
        if (random() < 0.1) delete m[key];
        else m[key] = values[Math.floor(random() * values.length)];
      }
      if (isValidMessage(m)) {
        accepted += 1;
        expect(messageSchema.safeParse(m).success, JSON.stringify(m)).toBe(true);
      }
    }
    // Both verdicts occur, so the check above is not vacuous.
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(4900);
  });
});
