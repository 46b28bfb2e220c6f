/**
 * Near-duplicate messages grouped into clusters, pure and deterministic: support answers one cluster,
 * not 400 retweets of one complaint.
 *
 * Each text is normalised (`normaliseText`: URLs, e-mail addresses and @mentions out, case folded,
 * ё → е), split into words (punctuation and emoji dropped, so "same text!!!" is the same text), a leading
 * retweet marker (`rt`) dropped, and turned into a set of shingles: character 4-grams over the words
 * joined by one space, and word pairs. A MinHash signature (60 hashes) in 15 LSH bands of 4 finds candidate pairs (a pair at Jaccard 0.7
 * is a candidate with probability 0.98, at 0.8 0.9998, at 0.4 0.32);
 * a candidate joins a cluster only when the exact Jaccard similarity of its shingles with the cluster's
 * leader is at least `threshold` (default 0.7). Leaders, not chains: a text joins the most similar
 * leader, so A~B and B~C never glue two different complaints A and C together.
 *
 * Input order decides who leads (pass messages newest first); the representative of a cluster is its
 * medoid (the member most similar to the others, among its first `medoidSample` members), ties to the
 * earliest. Texts with no word (only a link, only emoji) are each their own cluster.
 *
 * @example clusterNearDuplicates([{ id: 'a', text: 'RT @x: cannot log in https://t.co/1' }, { id: 'b', text: '@y Cannot log in!!!' }])
 * // → [{ leader: 0, representative: 0, members: [0, 1] }]
 */
import { normaliseText } from './normalise.js';
import { scanTokens } from './tokenise.js';

export interface ClusterOptions {
  /** Jaccard similarity of the shingle sets at or above which two texts are one complaint (0–1). */
  readonly threshold?: number;
  /** Members compared to pick the representative (bounds the O(n²) medoid search). */
  readonly medoidSample?: number;
}

export interface NearDuplicateCluster {
  /** Index (into the input) of the first text of the cluster. */
  readonly leader: number;
  /** Index of the text most similar to the rest of the cluster. */
  readonly representative: number;
  /** Indices of every member, in input order (the leader first). */
  readonly members: readonly number[];
}

const SHINGLE = 4;
const BANDS = 15;
const ROWS = 4;
const HASHES = BANDS * ROWS;
const DEFAULT_THRESHOLD = 0.7;

/** The words of a text as the clustering compares them: normalised, punctuation and a leading `rt` gone. */
export function clusterWords(text: string): string[] {
  const normalised = normaliseText(text);
  const words: string[] = [];
  scanTokens(normalised, {
    word: (s, start, end) => void words.push(s.slice(start, end)),
    emoji: () => undefined,
  });
  while (words[0] === 'rt') words.shift();
  return words;
}

/** 32-bit FNV-1a of a string. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The shingle set of a text: hashed character 4-grams of its words joined by one space (a typo or an
 * inflection changes a few), plus its word pairs (an inserted "не"/"not" changes two of those as well,
 * so "works" and "does not work" stay apart). A short text is one shingle.
 */
export function shingles(text: string): Set<number> {
  const words = clusterWords(text);
  const joined = words.join(' ');
  const out = new Set<number>();
  if (joined === '') return out;
  if (joined.length <= SHINGLE) out.add(fnv1a(joined));
  else {
    // FNV-1a of each 4-character window, read in place (no substring per window).
    for (let i = 0; i + SHINGLE <= joined.length; i++) {
      let h = 0x811c9dc5;
      for (let j = i; j < i + SHINGLE; j++) {
        h ^= joined.charCodeAt(j);
        h = Math.imul(h, 0x01000193);
      }
      out.add(h >>> 0);
    }
  }
  for (let i = 0; i + 1 < words.length; i++) out.add(fnv1a(`\u0001${words[i]} ${words[i + 1]}`));
  return out;
}

/** Jaccard similarity of two sets (1 for two empty sets). */
export function jaccard(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let common = 0;
  for (const x of small) if (large.has(x)) common++;
  return common / (a.size + b.size - common);
}

/** Fixed odd multipliers and offsets of the hash family (mulberry32 from a constant seed: the same on every run). */
const [MUL, ADD] = (() => {
  let seed = 0x9e3779b9;
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const mul = new Uint32Array(HASHES);
  const add = new Uint32Array(HASHES);
  for (let i = 0; i < HASHES; i++) {
    mul[i] = (next() | 1) >>> 0;
    add[i] = next();
  }
  return [mul, add] as const;
})();

function minHash(set: ReadonlySet<number>): Uint32Array {
  const sig = new Uint32Array(HASHES).fill(0xffffffff);
  for (const x of set) {
    for (let i = 0; i < HASHES; i++) {
      // Unsigned throughout (`^` gives a signed int32; a negative value would always look smallest).
      let v = (Math.imul(x, MUL[i] as number) + (ADD[i] as number)) >>> 0;
      v = (v ^ (v >>> 16)) >>> 0;
      v = Math.imul(v, 0x45d9f3b) >>> 0;
      v = (v ^ (v >>> 16)) >>> 0;
      if (v < (sig[i] as number)) sig[i] = v;
    }
  }
  return sig;
}

/** One key per LSH band: its rows mixed into one number, the band number folded in (equal rows → equal key). */
function bandKeys(sig: Uint32Array): number[] {
  const keys: number[] = [];
  for (let b = 0; b < BANDS; b++) {
    let h = Math.imul(b + 1, 0x9e3779b1);
    for (let r = 0; r < ROWS; r++) {
      h ^= sig[b * ROWS + r] as number;
      h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
    }
    // 32 bits of band hash + the band number: two bands never share a key.
    keys.push((h >>> 0) * BANDS + b);
  }
  return keys;
}

/**
 * Groups near-duplicate texts (see the file comment). Clusters come largest first, then by their
 * leader's position (input order).
 */
export function clusterNearDuplicates(items: readonly { readonly text: string }[], options: ClusterOptions = {}): NearDuplicateCluster[] {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const sample = Math.max(1, options.medoidSample ?? 50);
  const sets = items.map((item) => shingles(item.text));
  /** LSH buckets of leaders: band key → cluster numbers. */
  const buckets = new Map<number, number[]>();
  const clusters: { leader: number; members: number[]; sig: Uint32Array }[] = [];
  /** Signature agreement below this cannot be a match (the MinHash estimate of Jaccard, with a wide margin). */
  const minAgree = Math.floor(Math.max(0, threshold - 0.25) * HASHES);
  /** Per leader: the last text (index + 1) it was compared with. */
  const checkedFor = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const set = sets[i] as Set<number>;
    if (set.size === 0) {
      clusters.push({ leader: i, members: [i], sig: new Uint32Array(0) });
      continue;
    }
    const sig = minHash(set);
    const keys = bandKeys(sig);
    let best = -1;
    let bestSim = threshold;
    for (const key of keys) {
      const bucket = buckets.get(key);
      if (bucket === undefined) continue;
      for (const c of bucket) {
        // Each leader once per text (a stamp instead of a set per text).
        if (checkedFor[c] === i + 1) continue;
        checkedFor[c] = i + 1;
        const cluster = clusters[c] as { leader: number; sig: Uint32Array };
        // The exact Jaccard only for candidates whose signatures agree enough.
        let agree = 0;
        for (let k = 0; k < HASHES; k++) if (cluster.sig[k] === sig[k]) agree++;
        if (agree < minAgree) continue;
        const sim = jaccard(set, sets[cluster.leader] as Set<number>);
        if (sim > bestSim || (sim === bestSim && (best === -1 || c < best))) {
          best = c;
          bestSim = sim;
        }
      }
    }
    if (best !== -1) {
      (clusters[best] as { members: number[] }).members.push(i);
      continue;
    }
    const number = clusters.length;
    clusters.push({ leader: i, members: [i], sig });
    for (const key of keys) {
      const list = buckets.get(key);
      if (list) list.push(number);
      else buckets.set(key, [number]);
    }
  }
  const out = clusters.map(({ leader, members }) => ({ leader, members, representative: medoid(members, sets, sample) }));
  out.sort((a, b) => b.members.length - a.members.length || a.leader - b.leader);
  return out;
}

function medoid(members: readonly number[], sets: readonly Set<number>[], sample: number): number {
  const first = members[0] as number;
  if (members.length <= 2) return first;
  const pool = members.slice(0, sample);
  let best = first;
  let bestScore = -1;
  for (const i of pool) {
    let score = 0;
    for (const j of pool) if (i !== j) score += jaccard(sets[i] as Set<number>, sets[j] as Set<number>);
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}
