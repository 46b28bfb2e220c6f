/**
 * A tiny template language for the demo's phrase banks, so one line stands for many sentences:
 *
 *   `[a|b|c]`   one of the alternatives (nestable; an empty one makes the part optional: `[very |]`)
 *   `{name}`    a slot, expanded from the bank's slot list of that name (itself templates)
 *
 * Templates are compiled once and cached; expanding one is a few array picks.
 */
import type { Rand } from './prng.js';

type Node = string | { readonly alts: readonly (readonly Node[])[] } | { readonly slot: string };

export type Slots = Readonly<Record<string, readonly string[]>>;

const cache = new Map<string, readonly Node[]>();

/** Compiles (and caches) a template; throws on unbalanced brackets or braces. */
export function compileTemplate(source: string): readonly Node[] {
  const hit = cache.get(source);
  if (hit) return hit;
  let i = 0;
  const parseSeq = (inAlt: boolean): Node[] => {
    const seq: Node[] = [];
    let text = '';
    const flush = (): void => {
      if (text !== '') seq.push(text);
      text = '';
    };
    while (i < source.length) {
      const c = source[i] ?? '';
      if (c === '[') {
        flush();
        i += 1;
        const alts: Node[][] = [parseSeq(true)];
        while (source[i] === '|') {
          i += 1;
          alts.push(parseSeq(true));
        }
        if (source[i] !== ']') throw new Error(`template: unclosed [ in ${JSON.stringify(source)}`);
        i += 1;
        seq.push({ alts });
      } else if (c === '{') {
        flush();
        const end = source.indexOf('}', i);
        if (end < 0) throw new Error(`template: unclosed { in ${JSON.stringify(source)}`);
        seq.push({ slot: source.slice(i + 1, end) });
        i = end + 1;
      } else if (inAlt && (c === '|' || c === ']')) {
        break;
      } else if (c === ']' || c === '}' || c === '|') {
        throw new Error(`template: stray ${c} in ${JSON.stringify(source)}`);
      } else {
        text += c;
        i += 1;
      }
    }
    flush();
    return seq;
  };
  const nodes = parseSeq(false);
  if (i !== source.length) throw new Error(`template: stray ] in ${JSON.stringify(source)}`);
  cache.set(source, nodes);
  return nodes;
}

function expandNodes(nodes: readonly Node[], slots: Slots, rand: Rand, out: string[], depth: number): void {
  if (depth > 8) throw new Error('template: slots nested too deep');
  for (const node of nodes) {
    if (typeof node === 'string') out.push(node);
    else if ('alts' in node) {
      const alt = node.alts[Math.floor(rand() * node.alts.length)];
      if (alt) expandNodes(alt, slots, rand, out, depth);
    } else {
      const list = slots[node.slot];
      if (!list || list.length === 0) throw new Error(`template: unknown slot {${node.slot}}`);
      const choice = list[Math.floor(rand() * list.length)] ?? '';
      expandNodes(compileTemplate(choice), slots, rand, out, depth + 1);
    }
  }
}

const NEEDS_TIDY = /[ \t]{2}| [,.!?;:]|,[.!?]| \n|\n /;

/** Tidies the spaces that empty alternatives leave behind. */
export function tidy(text: string): string {
  return text
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/ +([,.!?;:]+)(?=[\s"»)]|$)/g, '$1')
    .replace(/,([.!?])/g, '$1')
    .replace(/ *\n */g, '\n')
    .trim();
}

/**
 * Expands a template with the given slots.
 *
 * @example expand('[Hi|Hello] {who}', { who: ['there'] }, rand) // "Hi there" or "Hello there"
 */
export function expand(source: string, slots: Slots, rand: Rand): string {
  const out: string[] = [];
  expandNodes(compileTemplate(source), slots, rand, out, 0);
  const text = out.join('');
  return NEEDS_TIDY.test(text) ? tidy(text) : text.trim();
}

/** How many distinct strings a template can give on its own (slots count as one each). */
export function countVariants(source: string): number {
  const count = (nodes: readonly Node[]): number =>
    nodes.reduce((acc, node) => acc * (typeof node === 'object' && 'alts' in node ? node.alts.reduce((s, alt) => s + count(alt), 0) : 1), 1);
  return count(compileTemplate(source));
}

/** Words that keep their capital letter after an opener that ends in a comma. */
const KEEP_CAPITAL = /^(I|I'm|I've|I'd|I'll|Skymail|Скаймейл|iOS|iPhone|Android|Chrome|Firefox|Safari|Outlook|Gmail|Windows|[A-ZА-ЯЁ]{2,})\b/u;

export function lowerFirst(text: string): string {
  if (KEEP_CAPITAL.test(text)) return text;
  return text.charAt(0).toLowerCase() + text.slice(1);
}

export function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Joins an opener and a sentence: "Guys, the app..." after a comma, "Again. The app..." or "@help The app..." otherwise. */
export function joinOpener(opener: string, sentence: string): string {
  if (opener.endsWith(',') || opener.endsWith('—') || opener.endsWith(':')) return `${opener} ${lowerFirst(sentence)}`;
  return `${opener} ${sentence}`;
}

/** Adds a final full stop when the text ends without punctuation or emoji. */
export function endSentence(text: string): string {
  return /[.!?…)"»:]$/u.test(text) || /\p{Extended_Pictographic}\uFE0F?$/u.test(text) ? text : `${text}.`;
}

const LETTER = /^[\p{L}]+$/u;

/** One typo of the kind people make: two letters swapped, one dropped, or one doubled. */
export function addTypo(text: string, rand: Rand): string {
  const words = text.split(' ');
  const candidates: number[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w.length >= 5 && LETTER.test(w)) candidates.push(i);
  }
  if (candidates.length === 0) return text;
  const at = candidates[Math.floor(rand() * candidates.length)] ?? 0;
  const word = words[at] ?? '';
  const pos = 1 + Math.floor(rand() * (word.length - 2));
  const kind = Math.floor(rand() * 3);
  let typo: string;
  if (kind === 0) typo = word.slice(0, pos) + (word[pos + 1] ?? '') + (word[pos] ?? '') + word.slice(pos + 2);
  else if (kind === 1) typo = word.slice(0, pos) + word.slice(pos + 1);
  else typo = word.slice(0, pos + 1) + word.slice(pos);
  words[at] = typo;
  return words.join(' ');
}
