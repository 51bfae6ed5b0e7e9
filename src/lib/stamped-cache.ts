import { evictSecondChance } from './eviction.ts';

/**
 * A bounded cache whose entries are valid only under the store change stamp they were
 * filled under (Store.changeStamp). Readers take the stamp BEFORE reading the store, so an
 * entry can be newer than its stamp but never older than the data a later stamp describes.
 *
 * Eviction is least-recently-used in the "second chance" (CLOCK) form: a hit only marks the
 * entry, and eviction moves marked entries to the back instead of dropping them. A hit used to
 * delete and re-insert its Map entry, a visible cost on every API request (three caches each).
 */
export class StampedCache<V> {
  private readonly entries = new Map<string, { stamp: string; value: V; used: boolean }>();

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
    entry.used = true;
    return entry.value;
  }

  set(key: string, stamp: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { stamp, value, used: false });
    if (this.entries.size > this.maxEntries) evictSecondChance(this.entries);
  }

  /**
   * Returns the cached value for `key`, or loads it (the stamp is read before the load).
   * Loader errors are not cached.
   */
  through(key: string, stamp: string, load: () => Promise<V>): Promise<V> {
    const hit = this.get(key, stamp);
    // A hit skips the async frame a miss needs (every API request passes here twice).
    return hit !== undefined ? Promise.resolve(hit) : this.load(key, stamp, load);
  }

  private async load(key: string, stamp: string, load: () => Promise<V>): Promise<V> {
    const value = await load();
    this.set(key, stamp, value);
    return value;
  }
}
