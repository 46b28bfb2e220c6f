/**
 * A bounded memo from a word to what the analyser knows of it, looked up by position in the text it
 * occurs in: no substring is cut for a word already known (the common case, words being Zipfian), so
 * the hot path allocates nothing per word. Open addressing on an FNV-1a hash of the characters; when it
 * holds `maxSize` words it is emptied and refilled (as the stem cache is).
 *
 * @example table.get('ab cd', 3, 5, hashOf('ab cd', 3, 5)) // → the value stored for 'cd', or undefined
 */

/** FNV-1a (32-bit) of the UTF-16 code units of text[start, end). */
export function hashOf(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

export class WordTable<V> {
  private keys: Array<string | undefined>;
  private hashes: Int32Array;
  private values: Array<V | undefined>;
  private readonly mask: number;
  private count = 0;

  constructor(readonly maxSize: number) {
    // At most 40 % full: probes stay short.
    let capacity = 16;
    while (capacity * 0.4 < maxSize) capacity *= 2;
    this.mask = capacity - 1;
    this.keys = new Array<string | undefined>(capacity).fill(undefined);
    this.hashes = new Int32Array(capacity);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /** The value of the word text[start, end) whose hash is `hash`, or undefined. */
  get(text: string, start: number, end: number, hash: number): V | undefined {
    const length = end - start;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const key = this.keys[slot];
      if (key === undefined) return undefined;
      if (this.hashes[slot] === hash && key.length === length && sameChars(key, text, start)) return this.values[slot];
    }
  }

  /** Stores `word` (not present yet) with its hash. */
  set(word: string, hash: number, value: V): void {
    if (this.count >= this.maxSize) this.clear();
    let slot = hash & this.mask;
    while (this.keys[slot] !== undefined) slot = (slot + 1) & this.mask;
    this.keys[slot] = word;
    this.hashes[slot] = hash;
    this.values[slot] = value;
    this.count++;
  }

  clear(): void {
    this.keys.fill(undefined);
    this.values.fill(undefined);
    this.count = 0;
  }
}

function sameChars(key: string, text: string, start: number): boolean {
  for (let k = 0; k < key.length; k++) if (key.charCodeAt(k) !== text.charCodeAt(start + k)) return false;
  return true;
}
