import type { LaunchRequest } from '../../contracts/cloud.ts';
import type { Clock } from '../../contracts/clock.ts';
import { resolveSimKnobs, type SimKnobs } from './knobs.ts';
import { coalescedWriter } from './coalesced-writer.ts';
import { loadSimSnapshot, readSimSnapshotInPieces, saveSimSnapshot } from './persist.ts';
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
   * every change, before the call returns), each written in pieces with the event loop free
   * between them. The state is flushed on process exit; a SIGKILL loses at most this window of
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
  const { site, file, random } = options;
  const snapshot = file === undefined ? undefined : loadSimSnapshot(file, site);
  const state = new SimCloudState({
    site,
    knobs: resolveSimKnobs(options.knobs),
    random,
    ...(snapshot ? { snapshot, adoptSnapshot: true } : {}),
  });
  return simCloudOver(state, options);
}

/**
 * Opens a simulated site like `openSimCloud`, without holding the event loop for long: the
 * state file is read asynchronously and parsed and indexed a piece at a time, with turns of
 * the loop between pieces (so a server keeps answering while a large site loads).
 * @throws Error (rejects) when the file exists but is unreadable, corrupt, torn or another site's.
 */
export async function openSimCloudInPieces(options: OpenSimCloudOptions): Promise<SimCloud> {
  const { site, file, random } = options;
  const knobs = resolveSimKnobs(options.knobs);
  const saved = file === undefined ? undefined : await readSimSnapshotInPieces(file, site);
  const state = saved
    ? await SimCloudState.restoreInPieces({ site, knobs, random }, saved.head, saved.pieces)
    : new SimCloudState({ site, knobs, random });
  return simCloudOver(state, options);
}

/** The SimCloud over `state`, persisted to `options.file` when given (written at once if dirty). */
function simCloudOver(state: SimCloudState, options: OpenSimCloudOptions): SimCloud {
  const { file, clock, random } = options;
  const delay = options.saveDelayMs ?? 0;
  const writer = file === undefined || delay <= 0 ? undefined : coalescedWriter(file, delay, state);
  const write = (): void => {
    if (writer) writer.writeNow();
    else if (file !== undefined) saveSimSnapshot(file, state.snapshotView());
  };
  const flush = (): void => {
    if (!state.takeDirty() && !writer?.writing()) return;
    try {
      write();
    } catch (e) {
      state.markDirty();
      throw e;
    }
  };
  const persist = writer ? writer.persist : write;
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
