/**
 * A bounded LRU cache whose entries are valid only under the store change stamp they were
 * filled under (Store.changeStamp). Readers take the stamp BEFORE reading the store, so an
 * entry can be newer than its stamp but never older than the data a later stamp describes.
 */
export class StampedCache<V> {
  private readonly entries = new Map<string, { stamp: string; value: V }>();

  /** @param maxEntries Required. Least recently used entries go first beyond this many. */
  constructor(private readonly maxEntries: number) {}

  /** The value cached for `key` under exactly `stamp`, else undefined. */
  get(key: string, stamp: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.stamp !== stamp) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key); // re-insert: Map order is recency order
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, stamp: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { stamp, value });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /**
   * Returns the cached value for `key`, or loads it (the stamp is read before the load).
   * Loader errors are not cached.
   */
  async through(key: string, stamp: string, load: () => Promise<V>): Promise<V> {
    const hit = this.get(key, stamp);
    if (hit !== undefined) return hit;
    const value = await load();
    this.set(key, stamp, value);
    return value;
  }
}
