/**
 * The PostgreSQL ingest statement's arrays are sent as literals it builds itself (`arrayLiteral`): each
 * must mean to the server what the pg driver's own literal of the same JS array means.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { arrayLiteral } from '../../../src/store/ingest-postgres.js';

const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue: (v: unknown) => string };

/** An element of a literal read back as PostgreSQL reads it: NULL, a quoted string unescaped, or a bare word. */
function parseLiteral(literal: string): Array<string | null> {
  expect(literal.startsWith('{') && literal.endsWith('}')).toBe(true);
  const out: Array<string | null> = [];
  let i = 1;
  while (i < literal.length - 1) {
    if (literal[i] === '"') {
      let value = '';
      for (i++; literal[i] !== '"'; i++) value += literal[i] === '\\' ? literal[++i] : literal[i];
      out.push(value);
      i++;
    } else {
      const end = literal.indexOf(',', i) < 0 ? literal.length - 1 : literal.indexOf(',', i);
      const word = literal.slice(i, end);
      out.push(word === 'NULL' ? null : word);
      i = end;
    }
    if (literal[i] === ',') i++;
  }
  return out;
}

describe('arrayLiteral', () => {
  const cases: Array<{ name: string; values: Array<string | number | null> }> = [
    { name: 'plain strings and nulls', values: ['a', null, 'b c', ''] },
    { name: 'quotes and backslashes', values: ['say "hi"', 'C:\\dir\\', '\\"', '{"complaint":true,"terms":["a\\"b"]}'] },
    { name: 'what PostgreSQL would take as syntax', values: ['NULL', 'a,b', '{x}', ' padded ', 'line\nbreak'] },
    { name: 'Cyrillic and emoji', values: ['Не могу войти', 'пароль 😡'] },
    { name: 'numbers', values: [0, 1767225600000, 0.948, -3, null] },
    { name: 'empty', values: [] },
  ];
  for (const { name, values } of cases) {
    it(`means what the pg driver's literal means: ${name}`, () => {
      const ours = parseLiteral(arrayLiteral(values));
      expect(ours).toEqual(parseLiteral(prepareValue(values)));
      expect(ours).toEqual(values.map((v) => (v === null ? null : String(v))));
    });
  }

  it('quotes every string and escapes only backslashes and double quotes', () => {
    expect(arrayLiteral(['a', 'NULL', 'x"y\\z', null, 7])).toBe('{"a","NULL","x\\"y\\\\z",NULL,7}');
  });
});
