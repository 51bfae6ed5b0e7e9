import { evictSecondChance } from '../../lib/eviction.ts';

/** The response cache's default bound: 16 MiB of keys and bodies together. */
export const RESPONSE_CACHE_BYTES = 16 * 2 ** 20;

interface Entry {
  stamp: string;
  body: Buffer;
  size: number;
  used: boolean;
}

/**
 * Serialised answers of read-only actions, each valid only under the change stamp it was stored
 * with (the caller's per-owner stamp). Bounded by bytes, not entries: one page of
 * DescribeAutoScalingGroups can be 450 KB. Bodies over an eighth of the bound are not kept.
 * Eviction is second-chance (CLOCK) LRU.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private held = 0;

  /** @param maxBytes Optional. Bound on the keys' and bodies' bytes together; default 16 MiB. */
  constructor(private readonly maxBytes = RESPONSE_CACHE_BYTES) {}

  /** Bytes a key is counted as (UTF-16 strings: 2 per code unit). */
  static keyBytes(key: string): number {
    return key.length * 2;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.held;
  }

  /** The body stored for `key` under exactly `stamp`, else undefined (a stale entry is dropped). */
  get(key: string, stamp: string): Buffer | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.stamp !== stamp) {
      this.drop(key, entry);
      return undefined;
    }
    entry.used = true;
    return entry.body;
  }

  set(key: string, stamp: string, body: Buffer): void {
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    const size = body.length + ResponseCache.keyBytes(key);
    if (size > this.maxBytes / 8) return;
    this.entries.set(key, { stamp, body, size, used: false });
    this.held += size;
    while (this.held > this.maxBytes) this.held -= evictSecondChance(this.entries).size;
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.held -= entry.size;
  }
}
