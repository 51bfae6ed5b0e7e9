import { FixedClock } from '../../contracts/clock.ts';
import type { CloudDriver } from '../../contracts/cloud.ts';
import type { DriverHarness } from '../driver.case.ts';
import type { SimKnobs } from './knobs.ts';
import { openSimCloud, type SimCloud } from './open.ts';
import { seededRandom } from '../../lib/random.ts';

/** Options of a sim DriverHarness. */
export interface SimHarnessOptions {
  /** Optional. Site name; default `hotel`. */
  site?: string;
  /** Optional. State file: when given, `restart()` reopens the cloud from it (proving persistence). */
  file?: string;
  /** Optional. Boot time in (fake) milliseconds; default 30 000. */
  bootMs?: number;
  /** Optional. Seed of the random source; default 1. */
  seed?: number;
  /** Optional. Extra knobs. */
  knobs?: Partial<SimKnobs>;
}

/** A DriverHarness plus the sim's own levers, for sim-specific tests. */
export interface SimHarness extends DriverHarness {
  readonly clock: FixedClock;
  /** The current SimCloud (replaced by `restart()`). */
  readonly cloud: SimCloud;
}

/**
 * A DriverHarness over an in-process simulated site on a FixedClock: `settle()` moves the
 * clock past the boot time; with a `file`, `restart()` drops the SimCloud and opens a new one
 * from the file, so every contract step after it runs on reloaded state.
 */
export function simHarness(options: SimHarnessOptions = {}): SimHarness {
  const clock = new FixedClock();
  const random = seededRandom(options.seed ?? 1);
  const bootMs = options.bootMs ?? 30_000;
  const site = options.site ?? 'hotel';
  let knobs: Partial<SimKnobs> = { bootMs, ...options.knobs };
  const open = (): SimCloud =>
    openSimCloud({ site, clock, random, knobs, ...(options.file !== undefined ? { file: options.file } : {}) });
  let cloud = open();
  return {
    clock,
    get cloud(): SimCloud {
      return cloud;
    },
    get driver(): CloudDriver {
      return cloud.driver;
    },
    settle: async () => clock.advance(cloud.state.knobs.bootMs + 1),
    setCapacity: async (n) => {
      knobs = { ...knobs, capacity: n };
      cloud.setKnobs({ capacity: n });
    },
    loseNextLaunchResponse: async () => cloud.driver.loseNextLaunchResponses(1),
    killInstance: async (id) => {
      if (!cloud.kill(id)) throw new Error(`no live instance ${id} to kill`);
    },
    inspect: async (id) => cloud.inspect(id),
    ...(options.file !== undefined
      ? {
          restart: async () => {
            cloud.flush();
            cloud = open();
          },
        }
      : {}),
    close: async () => cloud.flush(),
  };
}
