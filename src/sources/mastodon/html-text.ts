/**
 * Plain text of a Mastodon status `content` (HTML that any remote instance can write: attacker-controlled).
 * Pure and regex-free of backtracking traps: one pass over the string, tags dropped (their attributes
 * never reach the text), `<script>`/`<style>` bodies dropped, `<br>` and block ends become line breaks,
 * character references decoded last, so `&lt;b&gt;` stays the literal text `<b>` (escaped where shown).
 */

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };
const BLOCK_ENDS = new Set(['p', 'div', 'li', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol']);
const RAW_TEXT = new Set(['script', 'style', 'template', 'textarea', 'title']);

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z][a-z0-9]{1,31});/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
      return String.fromCodePoint(code);
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

export function htmlToText(html: string): string {
  let out = '';
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, lt);
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    if (gt === -1) break; // an unclosed tag: drop the rest rather than let markup through
    const tag = html.slice(lt + 1, gt);
    const name = /^\/?\s*([a-zA-Z][a-zA-Z0-9-]*)/.exec(tag)?.[1]?.toLowerCase() ?? '';
    const closing = tag.trimStart().startsWith('/');
    i = gt + 1;
    if (!closing && RAW_TEXT.has(name)) {
      const closer = new RegExp(`</${name}`, 'ig');
      closer.lastIndex = i;
      const end = closer.exec(html)?.index ?? -1;
      if (end === -1) break;
      const close = html.indexOf('>', end);
      i = close === -1 ? html.length : close + 1;
      continue;
    }
    if (name === 'br') out += '\n';
    else if (closing && BLOCK_ENDS.has(name)) out += '\n\n';
  }
  return decodeEntities(out).replace(/[ \t\f\v]+/g, ' ').replace(/ *\n */g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}
