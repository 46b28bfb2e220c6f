/** Mastodon HTML → text (attacker-controlled markup), the cleaned text the classifier sees, the language, the config's secrets. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { serviceConfigSchema } from '../../../src/config/service.js';
import { createLogger } from '../../../src/platform/log.js';
import { htmlToText } from '../../../src/sources/mastodon/html-text.js';
import { cleanSocialText, messageLang } from '../../../src/sources/social/index.js';
import { parseBlueskyCursor, nextBlueskyCursor, unread } from '../../../src/sources/bluesky/cursor.js';
import { idToDecimal, decimalToId } from '../../../src/sources/reddit/item-to-message.js';

describe('htmlToText (Mastodon content)', () => {
  it('keeps the words, drops tags and attributes, breaks lines at <br> and paragraphs', () => {
    expect(htmlToText('<p>Hello <a href="https://x" class="u-url mention">@<span>mailru</span></a></p><p>line<br/>two</p>')).toBe('Hello @mailru\n\nline\ntwo');
  });
  it('drops script and style bodies, comments and a dangling tag; never lets markup through', () => {
    const text = htmlToText('<p>a<script>alert(1)</script>b<style>p{}</style>c<!-- <img src=x onerror=alert(1)> -->d<img src=x onerror="alert(1)">e<b');
    expect(text).toBe('abcde');
    expect(text).not.toMatch(/[<>]/);
  });
  it('decodes entities after stripping, so escaped markup stays literal text', () => {
    expect(htmlToText('&lt;script&gt;x&lt;/script&gt; &amp;amp; &#1055;&#x43E; &quot;q&quot; &bogus; &#0; &#xD800;')).toBe('<script>x</script> &amp; По "q" &bogus; \uFFFD \uFFFD');
  });
  it('an unclosed raw-text element swallows the rest', () => {
    expect(htmlToText('ok<script>never')).toBe('ok');
  });
});

describe('cleanSocialText', () => {
  it('drops links and mentions of every network, keeps hashtag words', () => {
    expect(cleanSocialText('@mailru@mastodon.social почта не работает https://x.y/z #fail')).toBe('почта не работает fail');
    expect(cleanSocialText('@mailru.bsky.social still down, u/support and /u/other: help')).toBe('still down, and : help');
    expect(cleanSocialText('mail me at anna@example.com')).toBe('mail me at anna@example.com');
  });
});

describe('messageLang', () => {
  it('uses the declared language when we classify it, none for another, detected when undeclared', () => {
    expect(messageLang('ru-RU', 'text')).toBe('ru');
    expect(messageLang('de', 'Почта')).toBeNull();
    expect(messageLang(null, 'Почта не работает')).toBe('ru');
    expect(messageLang('und', 'mail is down')).toBe('en');
  });
});

describe('bluesky cursor', () => {
  it('skips what was read at the cursor millisecond and refuses junk', () => {
    const window = { since: { at: 1000, uris: ['at://a'] }, until: { at: 2000, uris: ['at://z'] }, newest: { at: 3000, uris: [] } };
    expect(unread(window, 1000, 'at://a')).toBe(false);
    expect(unread(window, 1000, 'at://b')).toBe(true);
    expect(unread(window, 2000, 'at://z')).toBe(false);
    expect(unread(window, 2001, 'at://y')).toBe(false);
    expect(parseBlueskyCursor({ since: { at: 'x' } })).toBeNull();
    expect(nextBlueskyCursor(window, { newest: { at: 1900, uris: ['at://n'] }, oldest: { at: 1500, uris: ['at://o'] }, complete: true })).toEqual({ since: { at: 3000, uris: [] } });
    expect(nextBlueskyCursor({ since: { at: 1000, uris: [] } }, { newest: { at: 1900, uris: ['at://n'] }, oldest: { at: 1500, uris: ['at://o'] }, complete: false })).toEqual({ since: { at: 1000, uris: [] }, until: { at: 1500, uris: ['at://o'] }, newest: { at: 1900, uris: ['at://n'] } });
  });
});

describe('reddit ids', () => {
  it('order as numbers and round-trip', () => {
    expect(BigInt(idToDecimal('zz')) < BigInt(idToDecimal('100'))).toBe(true);
    expect(decimalToId(idToDecimal('1h3k2ab'))).toBe('1h3k2ab');
  });
});

describe('social source secrets', () => {
  it('refuse a literal token, password or secret in the file', () => {
    const parse = (text: string) => () => parseConfigText(text, 'x.yaml', serviceConfigSchema, {});
    expect(parse('sources:\n  bluesky:\n    - {name: s, identifier: a.bsky.social, appPassword: hunter2hunter2, query: mail}\n')).toThrow(/appPassword: a secret written in the file.*BLUESKY_APP_PASSWORD/);
    expect(parse('sources:\n  mastodon:\n    - {name: m, instance: "https://m.example", accessToken: abc, hashtags: [x]}\n')).toThrow(/accessToken: a secret written in the file/);
    expect(parse('sources:\n  reddit:\n    - {name: r, clientId: "${RID}", clientSecret: s3cret, userAgent: "server:radar:1.0 (by /u/me)", subreddits: [x]}\n')).toThrow(/clientSecret: a secret written in the file/);
  });
  it('are redacted from the logs', () => {
    const lines: string[] = [];
    const log = createLogger({ pretty: false, level: 'info', destination: new Writable({ write: (chunk, _e, done) => { lines.push(String(chunk)); done(); } }) as never });
    log.info({ accessToken: 'tok-1', config: { appPassword: 'pw-2', clientSecret: 'sec-3' } }, 'x');
    expect(lines.join('')).not.toMatch(/tok-1|pw-2|sec-3/);
  });
});
