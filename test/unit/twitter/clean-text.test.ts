import { describe, expect, it } from 'vitest';
import { cleanTweetText } from '../../../src/sources/twitter/clean-text.js';

describe('cleanTweetText', () => {
  it.each([
    ['@mailru почта не работает https://t.co/abc123', 'почта не работает'],
    ['login down again #fail #outage', 'login down again fail outage'],
    ['RT: @a @b_c hi', 'RT: hi'],
    ['mail me at ops@example.com', 'mail me at ops@example.com'],
    ['5 &lt; 6 &amp;&amp; 7 &gt; 2', '5 < 6 && 7 > 2'],
    ['  many\n\nlines\tand   spaces ', 'many lines and spaces'],
    ['http://x.co/1 https://t.co/2', ''],
    ['#почта тормозит', 'почта тормозит'],
    ['price &amp;#42; tag', 'price &#42; tag'],
  ])('%j → %j', (input, expected) => {
    expect(cleanTweetText(input)).toBe(expected);
  });
});
