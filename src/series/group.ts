/**
 * Which of `groups` series groups a series key belongs to: FNV-1a (32 bit) of the key modulo the
 * number of groups. Stable across processes, hosts and restarts, so every detect worker agrees on the
 * partition without asking anyone.
 *
 * @example seriesGroup('complaints.login', 1) // 0
 */
export function seriesGroup(key: string, groups: number): number {
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`series groups must be a positive integer (got ${groups})`);
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % groups;
}
