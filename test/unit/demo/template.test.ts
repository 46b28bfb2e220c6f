import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/sources/demo/prng.js';
import { addTypo, countVariants, expand, joinOpener, tidy } from '../../../src/sources/demo/template.js';

/** Every distinct expansion of a template over many draws. */
const outcomes = (source: string, slots: Record<string, string[]> = {}) => {
  const rand = mulberry32(1);
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) seen.add(expand(source, slots, rand));
  return [...seen].sort();
};

describe('template language', () => {
  it.each([
    ['plain text', 'Hello there.', ['Hello there.']],
    ['alternatives', '[a|b|c]', ['a', 'b', 'c']],
    ['optional part, spaces tidied', 'It is [very |]slow.', ['It is slow.', 'It is very slow.']],
    ['empty alternative before punctuation', 'Slow[ today|].', ['Slow today.', 'Slow.']],
    ['nested', '[x[1|2]|y]', ['x1', 'x2', 'y']],
    ['slot', 'On {b}.', ['On Chrome.', 'On Firefox 120.']],
  ])('%s: %s', (_name, source, expected) => {
    expect(outcomes(source, { b: ['Chrome', 'Firefox [120]'] })).toEqual(expected);
  });

  it.each([
    ['[a|b', /unclosed \[/],
    ['a]', /stray \]/],
    ['{slot', /unclosed \{/],
    ['a|b', /stray \|/],
    ['{nope}', /unknown slot \{nope\}/],
  ])('%s is rejected', (source, error) => {
    expect(() => expand(source, {}, mulberry32(1))).toThrow(error);
  });

  it.each([
    ['[a|b] [c|d|e]', 6],
    ['[a|[b|c]]', 3],
    ['x {slot}', 1],
  ])('countVariants(%s) = %s', (source, n) => {
    expect(countVariants(source)).toBe(n);
  });

  it.each([
    ['a  b , c', 'a b, c'],
    ['Slow ,.', 'Slow.'],
    ['Sent a .docx file', 'Sent a .docx file'],
    ['x \n y', 'x\ny'],
  ])('tidy(%j) = %j', (input, expected) => {
    expect(tidy(input)).toBe(expected);
  });

  it.each([
    ['Guys,', 'The app crashes.', 'Guys, the app crashes.'],
    ['Guys,', "I can't log in.", "Guys, I can't log in."],
    ['Ребят,', 'Почта тормозит.', 'Ребят, почта тормозит.'],
    ['Not again.', 'The app crashes.', 'Not again. The app crashes.'],
    ['@skymail_help', 'The app crashes.', '@skymail_help The app crashes.'],
  ])('joinOpener(%j, %j)', (opener, sentence, expected) => {
    expect(joinOpener(opener, sentence)).toBe(expected);
  });

  it('addTypo changes one longer word by one edit', () => {
    const rand = mulberry32(7);
    for (let i = 0; i < 50; i++) {
      const text = 'The attachment never arrives at all';
      const typo = addTypo(text, rand);
      const a = text.split(' ');
      const b = typo.split(' ');
      const changed = a.filter((w, j) => w !== b[j]);
      expect(changed.length).toBeLessThanOrEqual(1);
      for (const w of changed) expect(w.length).toBeGreaterThanOrEqual(5);
    }
  });
});
