import { rmSync } from 'node:fs';
import { saveSimSnapshot, saveSimSnapshotInPieces } from './persist.ts';
import type { SimCloudState } from './state.ts';

/** A state file writer that coalesces writes and keeps each one off the event loop's critical path. */
export interface CoalescedWriter {
  /** Call after a change (whose dirty flag was taken): the change is written within the window. */
  persist: () => void;
  /** Writes the whole state synchronously now (a piecewise write under way is then dropped). @throws Error from the file system. */
  writeNow: () => void;
  /** Whether a piecewise write is under way (its changes are not on disk yet). */
  writing: () => boolean;
}

/**
 * The pending writes of every coalescing sim in this process, done synchronously when it exits
 * normally: one `exit` listener for them all (one each would trip Node's max-listeners warning
 * past ten sites).
 */
const pendingAtExit = new Set<() => void>();
const writePendingAtExit = (): void => {
  for (const writeNow of pendingAtExit) writeNow();
};
const awaitExit = (writeNow: () => void): void => {
  if (pendingAtExit.size === 0) process.on('exit', writePendingAtExit);
  pendingAtExit.add(writeNow);
};
const exitHandled = (writeNow: () => void): void => {
  pendingAtExit.delete(writeNow);
  if (pendingAtExit.size === 0) process.off('exit', writePendingAtExit);
};

/**
 * Writes `state` to `file` at most once per window: a change inside the window marks the state
 * dirty and schedules one write at its end (a failed write keeps the state dirty for the next
 * try). Each write is serialised in pieces with the event loop free between them (see
 * `saveSimSnapshotInPieces`); changes made meanwhile are written by the next one. The window
 * is `delayMs`, or ten times the event-loop time of the last write when that is longer, and a
 * hundred times once that time passes 10 ms (saving a large state then takes about 1% of the
 * CPU). Pending and unfinished writes are written synchronously when the process exits
 * normally.
 */
export function coalescedWriter(file: string, delayMs: number, state: SimCloudState): CoalescedWriter {
  let lastWrite = 0;
  let window = delayMs;
  let timer: NodeJS.Timeout | undefined;
  let generation = 0;
  let inFlight: { generation: number; temp: string } | undefined;

  const schedule = (): void => {
    if (timer || inFlight) return;
    timer = setTimeout(startWrite, Math.max(0, window - (Date.now() - lastWrite)));
    timer.unref();
    awaitExit(onExit);
  };
  const startWrite = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (!state.takeDirty()) {
      exitHandled(onExit);
      return;
    }
    const mine = { generation: ++generation, temp: `${file}.${process.pid}.${generation}.tmp` };
    inFlight = mine;
    lastWrite = Date.now();
    awaitExit(onExit);
    saveSimSnapshotInPieces(file, mine.temp, state.snapshotView(), () => generation === mine.generation)
      .then(
        ({ busyMs }) => (window = Math.max(delayMs, (busyMs > 10 ? 100 : 10) * busyMs)),
        () => state.markDirty(),
      )
      .finally(() => {
        if (inFlight === mine) inFlight = undefined;
        if (state.takeDirty()) {
          state.markDirty();
          schedule();
        } else if (!timer && !inFlight) exitHandled(onExit);
      });
  };
  const writeNow = (): void => {
    clearTimeout(timer);
    timer = undefined;
    generation++; // a piecewise write under way no longer replaces the file
    state.takeDirty();
    try {
      saveSimSnapshot(file, state.snapshotView());
    } catch (e) {
      state.markDirty();
      throw e;
    }
    lastWrite = Date.now();
    if (!inFlight) exitHandled(onExit);
  };
  function onExit(): void {
    if (inFlight) rmSync(inFlight.temp, { force: true });
    if (!state.takeDirty() && !inFlight) return;
    inFlight = undefined;
    try {
      writeNow();
    } catch {
      // nothing more can be done at exit
    }
  }
  return {
    persist: () => {
      state.markDirty();
      if (timer || inFlight) return;
      if (Date.now() - lastWrite >= window) startWrite();
      else schedule();
    },
    writeNow,
    writing: () => inFlight !== undefined,
  };
}
