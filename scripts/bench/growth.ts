/** How much each of a set of cumulative counters grew between two readings; one that appeared counts from 0. */
export function growth<K>(before: ReadonlyMap<K, number>, after: ReadonlyMap<K, number>): Map<K, number> {
  return new Map([...after].map(([k, n]) => [k, n - (before.get(k) ?? 0)]));
}
