/**
 * Second-chance (CLOCK) eviction for a non-empty Map whose entries carry a `used` mark: drops the
 * oldest entry not used since it was last passed over (Map order is insertion order), moving
 * marked entries to the back with the mark cleared. Returns the entry it dropped.
 */
export function evictSecondChance<K, E extends { used: boolean }>(entries: Map<K, E>): E {
  for (;;) {
    const [key, entry] = entries.entries().next().value!;
    entries.delete(key);
    if (!entry.used) return entry;
    entry.used = false;
    entries.set(key, entry);
  }
}
