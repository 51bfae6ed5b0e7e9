import type { StatisticSet } from './types.ts';

/** Slots per chunk. Small chunks keep a series that has seen a few minutes of data small (~1 KB). */
export const CHUNK_SLOTS = 32;
/** Numbers per slot: sample count, sum, minimum, maximum. */
const FIELDS = 4;

/**
 * The statistic-set buckets of one series at one resolution. Buckets are numbered
 * floor(epochMs / resolutionMs) and stored in chunks of {@link CHUNK_SLOTS} slots (one
 * Float64Array each, allocated when first written), so memory follows the data received, not
 * the retention. A slot whose count is 0 is empty. Chunks sit in two parallel arrays sorted by
 * chunk index (cheaper than a Map for the one or two chunks most series hold; data arrives in
 * time order, so the chunk written is almost always the last).
 */
export class BucketSeries {
  private indexes: number[] = [];
  private chunks: Float64Array[] = [];

  /** @param resolutionMs Required. Bucket width: 10 000 or 60 000. */
  constructor(readonly resolutionMs: number) {}

  /** Number of allocated chunks (for tests and memory accounting). */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** The chunk numbered `index`, created (in sorted place) when absent. */
  private chunkAt(index: number): Float64Array {
    let i = this.indexes.length - 1;
    while (i >= 0 && this.indexes[i]! > index) i--;
    if (i >= 0 && this.indexes[i] === index) return this.chunks[i]!;
    const chunk = new Float64Array(CHUNK_SLOTS * FIELDS);
    this.indexes.splice(i + 1, 0, index);
    this.chunks.splice(i + 1, 0, chunk);
    return chunk;
  }

  /** Adds a statistic set to the bucket holding `timestampMs`. */
  add(timestampMs: number, stats: StatisticSet): void {
    const bucket = Math.floor(timestampMs / this.resolutionMs);
    const chunkIndex = Math.floor(bucket / CHUNK_SLOTS);
    const chunk = this.chunkAt(chunkIndex);
    const at = (bucket - chunkIndex * CHUNK_SLOTS) * FIELDS;
    if (chunk[at] === 0) {
      chunk[at] = stats.sampleCount;
      chunk[at + 1] = stats.sum;
      chunk[at + 2] = stats.minimum;
      chunk[at + 3] = stats.maximum;
      return;
    }
    chunk[at] = chunk[at]! + stats.sampleCount;
    chunk[at + 1] = chunk[at + 1]! + stats.sum;
    if (stats.minimum < chunk[at + 2]!) chunk[at + 2] = stats.minimum;
    if (stats.maximum > chunk[at + 3]!) chunk[at + 3] = stats.maximum;
  }

  /**
   * Calls `visit` for every non-empty bucket starting in [fromMs, toMs), in time order, with the
   * bucket's start time and its statistic set (the arguments are only valid during the call).
   */
  forEach(
    fromMs: number,
    toMs: number,
    visit: (startMs: number, count: number, sum: number, min: number, max: number) => void,
  ): void {
    if (toMs <= fromMs) return;
    const first = Math.ceil(fromMs / this.resolutionMs);
    const last = Math.ceil(toMs / this.resolutionMs) - 1;
    const firstChunk = Math.floor(first / CHUNK_SLOTS);
    const lastChunk = Math.floor(last / CHUNK_SLOTS);
    for (let i = 0; i < this.indexes.length; i++) {
      const c = this.indexes[i]!;
      if (c < firstChunk || c > lastChunk) continue;
      const chunk = this.chunks[i]!;
      const lo = Math.max(first, c * CHUNK_SLOTS);
      const hi = Math.min(last, c * CHUNK_SLOTS + CHUNK_SLOTS - 1);
      for (let b = lo; b <= hi; b++) {
        const at = (b - c * CHUNK_SLOTS) * FIELDS;
        if (chunk[at] === 0) continue;
        visit(b * this.resolutionMs, chunk[at]!, chunk[at + 1]!, chunk[at + 2]!, chunk[at + 3]!);
      }
    }
  }

  /** Drops every chunk whose buckets all start before `beforeMs`. @returns whether no chunk is left. */
  prune(beforeMs: number): boolean {
    const firstKept = Math.floor(Math.floor(beforeMs / this.resolutionMs) / CHUNK_SLOTS);
    let drop = 0;
    while (drop < this.indexes.length && this.indexes[drop]! < firstKept) drop++;
    if (drop > 0) {
      this.indexes = this.indexes.slice(drop);
      this.chunks = this.chunks.slice(drop);
    }
    return this.chunks.length === 0;
  }
}
