import type { ChunkPool } from './chunk-pool.ts';
import type { StatisticSet } from './types.ts';

/** Slots per chunk. Small chunks keep a series that has seen a few minutes of data small (512 bytes a chunk). */
export const CHUNK_SLOTS = 16;
/** Numbers per slot: sample count, sum, minimum, maximum. */
export const FIELDS = 4;
/** Numbers per chunk (the {@link ChunkPool}'s chunk length). */
export const CHUNK_LENGTH = CHUNK_SLOTS * FIELDS;

/** The shared list of a series without chunks (never written to: lists are replaced, not mutated). */
const EMPTY: number[] = [];

/**
 * The statistic-set buckets of one series at one resolution. Buckets are numbered
 * floor(epochMs / resolutionMs) and stored in chunks of {@link CHUNK_SLOTS} slots taken from a
 * shared {@link ChunkPool} when first written, so memory follows the data received, not the
 * retention. A slot whose count is 0 is empty. Chunks are listed in one flat array of
 * (chunk number, pool id) pairs sorted by number, rebuilt at its exact size when a chunk comes or
 * goes (a growable array would reserve ~17 slots for the one or two chunks most series hold).
 */
export class BucketSeries {
  /** [number, id, number, id, …]: chunk numbers (floor(bucket / CHUNK_SLOTS)) ascending, with their pool ids. */
  private chunks: number[] = EMPTY;

  /**
   * @param resolutionMs Required. Bucket width: 10 000 or 60 000.
   * @param pool Required. Where chunks come from (chunk length {@link CHUNK_LENGTH}).
   */
  constructor(
    readonly resolutionMs: number,
    private readonly pool: ChunkPool,
  ) {}

  /** Number of chunks held (for tests and memory accounting). */
  get chunkCount(): number {
    return this.chunks.length / 2;
  }

  /** The pool id of chunk `number`, allocated (in sorted place) when absent. */
  private chunkId(number: number): number {
    const chunks = this.chunks;
    let i = chunks.length - 2;
    while (i >= 0 && chunks[i]! > number) i -= 2;
    if (i >= 0 && chunks[i] === number) return chunks[i + 1]!;
    const id = this.pool.allocate();
    this.chunks = [...chunks.slice(0, i + 2), number, id, ...chunks.slice(i + 2)];
    return id;
  }

  /** Adds a statistic set to the bucket holding `timestampMs`. */
  add(timestampMs: number, stats: StatisticSet): void {
    const bucket = Math.floor(timestampMs / this.resolutionMs);
    const number = Math.floor(bucket / CHUNK_SLOTS);
    const id = this.chunkId(number);
    const slab = this.pool.slabOf(id);
    const at = this.pool.offsetOf(id) + (bucket - number * CHUNK_SLOTS) * FIELDS;
    if (slab[at] === 0) {
      slab[at] = stats.sampleCount;
      slab[at + 1] = stats.sum;
      slab[at + 2] = stats.minimum;
      slab[at + 3] = stats.maximum;
      return;
    }
    slab[at] = slab[at]! + stats.sampleCount;
    slab[at + 1] = slab[at + 1]! + stats.sum;
    if (stats.minimum < slab[at + 2]!) slab[at + 2] = stats.minimum;
    if (stats.maximum > slab[at + 3]!) slab[at + 3] = stats.maximum;
  }

  /**
   * Calls `visit` for every non-empty bucket starting in [fromMs, toMs), in time order, with the
   * bucket's start time and its statistic set.
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
    const chunks = this.chunks;
    for (let i = 0; i < chunks.length; i += 2) {
      const c = chunks[i]!;
      if (c < firstChunk || c > lastChunk) continue;
      const slab = this.pool.slabOf(chunks[i + 1]!);
      const base = this.pool.offsetOf(chunks[i + 1]!);
      const lo = Math.max(first, c * CHUNK_SLOTS);
      const hi = Math.min(last, c * CHUNK_SLOTS + CHUNK_SLOTS - 1);
      for (let b = lo; b <= hi; b++) {
        const at = base + (b - c * CHUNK_SLOTS) * FIELDS;
        if (slab[at] === 0) continue;
        visit(b * this.resolutionMs, slab[at]!, slab[at + 1]!, slab[at + 2]!, slab[at + 3]!);
      }
    }
  }

  /** Releases every chunk whose buckets all start before `beforeMs`. @returns whether no chunk is left. */
  prune(beforeMs: number): boolean {
    const firstKept = Math.floor(Math.floor(beforeMs / this.resolutionMs) / CHUNK_SLOTS);
    let drop = 0;
    while (drop < this.chunks.length && this.chunks[drop]! < firstKept) {
      this.pool.release(this.chunks[drop + 1]!);
      drop += 2;
    }
    if (drop > 0) this.chunks = drop === this.chunks.length ? EMPTY : this.chunks.slice(drop);
    return this.chunks.length === 0;
  }
}
