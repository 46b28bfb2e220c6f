/**
 * The cache of near-duplicate clusterings (`src/api/cluster-cache.ts`): the same window is clustered
 * once however often the dashboard refreshes; a new message, a message leaving the window or a changed
 * text clusters again; a hit is what clustering again returns; at most `max` windows are kept.
 */
import { describe, expect, it } from 'vitest';
import { ClusterCache } from '../../../src/api/cluster-cache.js';
import { clusterNearDuplicates } from '../../../src/classify/near-duplicates.js';

const base = [
  { id: 'm5', text: 'RT @a: cannot log in since the update https://t.co/1' },
  { id: 'm4', text: '@b cannot log in since the update!!!' },
  { id: 'm3', text: 'не могу войти в почту с утра' },
  { id: 'm2', text: 'cannot log in since the update' },
  { id: 'm1', text: 'не могу войти в почту с утра!!' },
];

/** A cache over the real clustering that counts how often it had to cluster. */
function counted(max?: number) {
  let runs = 0;
  const cache = new ClusterCache({
    ...(max !== undefined ? { max } : {}),
    cluster: (items) => {
      runs += 1;
      return clusterNearDuplicates(items);
    },
  });
  return { cache, runs: () => runs };
}

describe('ClusterCache', () => {
  it('clusters a window once, however often it is asked for, and answers what clustering again would', () => {
    const { cache, runs } = counted();
    const first = cache.clusters(base);
    expect(first.map((c) => c.members.length)).toEqual([3, 2]);
    for (let i = 0; i < 5; i++) expect(cache.clusters(base.map((m) => ({ ...m })))).toEqual(clusterNearDuplicates(base));
    expect(runs()).toBe(1);
    expect(cache.stats()).toEqual({ hits: 5, misses: 1, size: 1 });
  });

  it('clusters again when a message arrives, leaves the window or its text changes', () => {
    const { cache, runs } = counted();
    cache.clusters(base);
    const arrived = [{ id: 'm6', text: 'cannot log in since the update, again' }, ...base];
    expect(cache.clusters(arrived).map((c) => c.members.length)).toEqual([4, 2]);
    expect(runs()).toBe(2);
    // Relabelled out of the filter: the window no longer holds it.
    expect(cache.clusters(base.filter((m) => m.id !== 'm4')).map((c) => c.members.length)).toEqual([2, 2]);
    expect(runs()).toBe(3);
    // Retention blanked a text: same ids, other text.
    const blanked = base.map((m) => (m.id === 'm1' ? { ...m, text: '' } : m));
    expect(cache.clusters(blanked).map((c) => c.members.length)).toEqual([3, 1, 1]);
    expect(runs()).toBe(4);
    // The order is part of the window (it decides the leaders).
    cache.clusters([...base].reverse());
    expect(runs()).toBe(5);
    // Ids and texts are not confused by where one ends and the next begins.
    cache.clusters([{ id: 'a', text: 'bc' }]);
    cache.clusters([{ id: 'ab', text: 'c' }]);
    expect(runs()).toBe(7);
  });

  it('keeps at most `max` windows, dropping the least recently used', () => {
    const { cache, runs } = counted(2);
    const w = (n: number) => base.slice(0, n);
    cache.clusters(w(1));
    cache.clusters(w(2));
    cache.clusters(w(1)); // w(1) used last: w(2) is the one to go
    cache.clusters(w(3));
    expect(cache.stats().size).toBe(2);
    expect(runs()).toBe(3);
    cache.clusters(w(1));
    expect(runs()).toBe(3);
    cache.clusters(w(2));
    expect(runs()).toBe(4);
  });
});
