import { evictSecondChance } from './eviction.ts';

interface Entry<V> {
  stamp: string;
  value: V;
  size: number;
  used: boolean;
}

/**
 * A cache bounded by bytes whose entries are valid only under the stamp they were stored with
 * (a store change stamp, read BEFORE the data was read, so an entry is never older than its
 * stamp says). The caller states each entry's size; values over an eighth of the bound are not
 * kept. Eviction is second-chance (CLOCK) LRU: a hit only marks the entry.
 */
export class SizedStampedCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private held = 0;

  /** @param maxBytes Required. Bound on the sizes of the entries together. */
  constructor(readonly maxBytes: number) {}

  /** Bytes a string key is counted as (UTF-16: 2 per code unit). */
  static keyBytes(key: string): number {
    return key.length * 2;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.held;
  }

  /** The value stored for `key` under exactly `stamp`, else undefined (a stale entry is dropped). */
  get(key: string, stamp: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.stamp !== stamp) {
      this.drop(key, entry);
      return undefined;
    }
    entry.used = true;
    return entry.value;
  }

  /** Stores `value` for `key` under `stamp`, counted as `size` bytes plus the key's own. */
  set(key: string, stamp: string, value: V, size: number): void {
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    const total = size + SizedStampedCache.keyBytes(key);
    if (total > this.maxBytes / 8) return;
    this.entries.set(key, { stamp, value, size: total, used: false });
    this.held += total;
    while (this.held > this.maxBytes) this.held -= evictSecondChance(this.entries).size;
  }

  private drop(key: string, entry: Entry<V>): void {
    this.entries.delete(key);
    this.held -= entry.size;
  }
}
