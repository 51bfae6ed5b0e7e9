import type { LaunchRequest } from '../../contracts/cloud.ts';
import type { Clock } from '../../contracts/clock.ts';
import { resolveSimKnobs, type SimKnobs } from './knobs.ts';
import { loadSimSnapshot, saveSimSnapshot } from './persist.ts';
import { copyLaunchRequest } from './record.ts';
import { SimDriver } from './sim-driver.ts';
import type { Sleep } from '../../lib/sleep.ts';
import { SimCloudState } from './state.ts';

/** How to open one simulated site. */
export interface OpenSimCloudOptions {
  /** Required. Site name. */
  site: string;
  /** Optional. JSON state file: loaded when present, rewritten (atomically) after every change. Absent = in memory. */
  file?: string;
  /** Required. Time source. */
  clock: Clock;
  /** Required. Uniform [0, 1) source (seeded in tests; e.g. `cryptoRandom` in production). */
  random: () => number;
  /** Optional. Behaviour; defaults from DEFAULT_SIM_KNOBS. */
  knobs?: Partial<SimKnobs>;
  /** Optional. Latency sleep; default real time. */
  sleep?: Sleep;
  /**
   * Optional. Coalesce state-file writes: at most one per this many ms (default 0: write after
   * every change). The state is flushed on process exit; a SIGKILL loses at most this window of
   * changes, which for a sim embedded in Phantom dies with Phantom (the reconciler heals it).
   */
  saveDelayMs?: number;
}

/** One opened simulated site: its driver plus the levers tests and tools pull from outside the API. */
export interface SimCloud {
  /** The CloudDriver Phantom uses. */
  readonly driver: SimDriver;
  /** The state model (read it to check the world). */
  readonly state: SimCloudState;
  /** Replaces the named knobs from now on (others keep their value). */
  setKnobs(knobs: Partial<SimKnobs>): void;
  /** Kills an instance out of band (it becomes `terminated`). @returns false when unknown or already terminated. */
  kill(id: string, reason?: string): boolean;
  /** The launch request an instance was created from (user data, key name…), or undefined. */
  inspect(id: string): LaunchRequest | undefined;
  /** Writes the state file now if anything changed (no-op in memory). */
  flush(): void;
}

/**
 * Opens a simulated site, continuing from `file` when it exists (instances outlive a restart,
 * as real VMs do). Knobs are not persisted. Two SimClouds must not share one file.
 * @throws Error when the file exists but is unreadable, corrupt or another site's.
 */
export function openSimCloud(options: OpenSimCloudOptions): SimCloud {
  const { site, file, clock, random } = options;
  const snapshot = file === undefined ? undefined : loadSimSnapshot(file, site);
  const state = new SimCloudState({
    site,
    knobs: resolveSimKnobs(options.knobs),
    random,
    ...(snapshot ? { snapshot } : {}),
  });
  const write = (): void => {
    if (file !== undefined) saveSimSnapshot(file, state.snapshotView());
  };
  const flush = (): void => {
    if (!state.takeDirty()) return;
    try {
      write();
    } catch (e) {
      state.markDirty();
      throw e;
    }
  };
  const delay = options.saveDelayMs ?? 0;
  const persist = file === undefined || delay <= 0 ? write : coalesced(write, delay, state);
  const driver = new SimDriver({ state, clock, random, persist, ...(options.sleep ? { sleep: options.sleep } : {}) });
  flush();
  return {
    driver,
    state,
    setKnobs: (knobs) => state.setKnobs(resolveSimKnobs({ ...state.knobs, ...knobs })),
    kill: (id, reason) => {
      const killed = state.kill(id, clock.now().getTime(), reason);
      flush();
      return killed;
    },
    inspect: (id) => {
      const record = state.get(id);
      return record ? copyLaunchRequest(record) : undefined;
    },
    flush,
  };
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

/**
 * A writer that writes at most once per window: a change inside the window marks the state
 * dirty and schedules one write at its end (errors there keep the state dirty for the next
 * try). The window is `delayMs`, or ten times the last write's duration when that is longer,
 * and a hundred times once a write holds the event loop over 10 ms: rewriting a large state
 * then takes about 1% of the time (so 1% of API requests wait on it). Pending
 * changes are written synchronously when the process exits normally.
 */
function coalesced(write: () => void, delayMs: number, state: SimCloudState): () => void {
  let lastWrite = 0;
  let window = delayMs;
  let timer: NodeJS.Timeout | undefined;
  const timedWrite = (): void => {
    const started = performance.now();
    lastWrite = Date.now();
    write();
    const took = performance.now() - started;
    window = Math.max(delayMs, (took > 10 ? 100 : 10) * took);
  };
  const writeNow = (): void => {
    clearTimeout(timer);
    timer = undefined;
    pendingAtExit.delete(writeNow);
    if (pendingAtExit.size === 0) process.off('exit', writePendingAtExit);
    if (!state.takeDirty()) return;
    try {
      timedWrite();
    } catch {
      state.markDirty();
    }
  };
  return () => {
    if (timer) {
      state.markDirty();
      return;
    }
    if (Date.now() - lastWrite >= window) {
      timedWrite();
      return;
    }
    state.markDirty();
    timer = setTimeout(writeNow, window - (Date.now() - lastWrite));
    timer.unref();
    if (pendingAtExit.size === 0) process.on('exit', writePendingAtExit);
    pendingAtExit.add(writeNow);
  };
}
