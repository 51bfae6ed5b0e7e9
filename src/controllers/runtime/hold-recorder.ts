import { performance } from 'node:perf_hooks';

/** Where a HoldRecorder reads time and learns that the event loop turned. */
export interface HoldTime {
  /** Milliseconds from any fixed origin (monotonic). */
  now(): number;
  /** Calls `callback` once, at the event loop's next turn (check phase). */
  afterTurn(callback: () => void): void;
}

/** Real time: `performance.now()` and `setImmediate`. */
export const realHoldTime: HoldTime = {
  now: () => performance.now(),
  afterTurn: (callback) => void setImmediate(callback),
};

/** The longest hold seen while a watch was open (see `HoldRecorder.watch`). */
export interface HoldWatch {
  /** Milliseconds: the longest synchronous slice seen so far. */
  readonly longestMs: number;
  /** Stops the watch (ending the current slice first). @returns its longest hold, ms. Idempotent. */
  end(): number;
}

/**
 * Measures how long code holds the event loop: the longest synchronous slice between two turns
 * of the loop. The code calls `checkpoint()` often (before each store or cloud call, after each
 * await that may have let the loop turn); a slice ends when the loop turns, which a marker
 * (`afterTurn`, armed once per slice) notices: a slice that let the loop turn ended by the
 * time the marker ran (an upper bound: callbacks the loop ran first count too), and a new one
 * starts at the next checkpoint. Time spent awaiting I/O is therefore not counted as a hold.
 * Each open watch keeps the longest slice seen while it was open (watches may nest).
 */
export class HoldRecorder {
  private sliceStart: number;
  /** When the marker armed for the current slice ran (the loop turned), if it has. */
  private turnedAt: number | undefined;
  private markerPending = false;
  /** When the current slice was ended on purpose (`yielding`), if it was. */
  private endedAt: number | undefined;
  private readonly watches = new Set<{ longestMs: number }>();

  constructor(private readonly time: HoldTime = realHoldTime) {
    this.sliceStart = time.now();
    this.armMarker();
  }

  /** Milliseconds the current slice has lasted (0 just after the loop turned). */
  sliceMs(): number {
    this.checkpoint();
    return this.time.now() - this.sliceStart;
  }

  /** Notes the current slice's length; when the loop turned since it began, starts a new one now. */
  checkpoint(): void {
    const now = this.time.now();
    // Invariant: a marker armed since the slice began is pending, or has run (turnedAt).
    if (this.turnedAt === undefined) {
      this.note((this.endedAt ?? now) - this.sliceStart);
      return;
    }
    this.note(Math.min(this.turnedAt, this.endedAt ?? this.turnedAt) - this.sliceStart);
    this.startSlice(now);
  }

  /**
   * Call just before giving the event loop a turn on purpose: the slice ends now (what the loop
   * runs before the marker does is not counted in it).
   */
  yielding(): void {
    this.checkpoint();
    this.endedAt ??= this.time.now();
  }

  /** Call right after giving the event loop a turn on purpose: the slice before it ends, a new one starts. */
  turned(): void {
    this.checkpoint();
    this.startSlice(this.time.now());
  }

  /** Opens a watch: it keeps the longest slice seen (the current one included) until it ends. */
  watch(): HoldWatch {
    this.checkpoint();
    const held = { longestMs: this.time.now() - this.sliceStart };
    this.watches.add(held);
    return {
      get longestMs() {
        return held.longestMs;
      },
      end: () => {
        if (this.watches.has(held)) this.checkpoint();
        this.watches.delete(held);
        return held.longestMs;
      },
    };
  }

  private note(ms: number): void {
    for (const held of this.watches) if (ms > held.longestMs) held.longestMs = ms;
  }

  private startSlice(now: number): void {
    this.sliceStart = now;
    this.turnedAt = undefined;
    this.endedAt = undefined;
    // A marker still pending was armed since the loop last turned: it serves the new slice too.
    if (!this.markerPending) this.armMarker();
  }

  private armMarker(): void {
    this.markerPending = true;
    this.time.afterTurn(() => {
      this.markerPending = false;
      this.turnedAt = this.time.now();
    });
  }
}
