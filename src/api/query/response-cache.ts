import { SizedStampedCache } from '../../lib/sized-stamped-cache.ts';

/** The response cache's default bound: 16 MiB of keys and bodies together. */
export const RESPONSE_CACHE_BYTES = 16 * 2 ** 20;

/**
 * Serialised answers of read-only actions, each valid only under the change stamp it was stored
 * with (the caller's per-owner stamp). Bounded by bytes, not entries: one page of
 * DescribeAutoScalingGroups can be 450 KB. Bodies over an eighth of the bound are not kept.
 */
export class ResponseCache extends SizedStampedCache<Buffer> {
  /** Hashes of keys asked for lately (a doorkeeper: a key is kept only once it comes back). */
  private readonly sighted = new Set<number>();

  /**
   * @param maxBytes Optional. Bound on the keys' and bodies' bytes together; default 16 MiB.
   * @param sightings Optional. How many recent keys the doorkeeper remembers; default 4096.
   */
  constructor(
    maxBytes = RESPONSE_CACHE_BYTES,
    private readonly sightings = 4096,
  ) {
    super(maxBytes);
  }

  /**
   * Whether an answer for `key` is worth keeping: true when the key was asked for lately (since
   * the last `sightings` distinct keys), else false, noting it. A stream of one-off requests
   * (Describes of ever-new name lists) would otherwise fill the cache with answers nobody asks
   * for again, and the garbage of replacing them cost more than building them.
   */
  admits(key: string): boolean {
    const hash = fnv1a(key);
    if (this.sighted.has(hash)) return true;
    if (this.sighted.size >= this.sightings) this.sighted.clear();
    this.sighted.add(hash);
    return false;
  }

  /** Stores `body` for `key` under `stamp`. */
  override set(key: string, stamp: string, body: Buffer): void {
    super.set(key, stamp, body, body.length);
  }
}

/** 32-bit FNV-1a over UTF-16 code units: cheap, and a collision only admits one answer early. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
