/**
 * A DriverHarness for the EC2 driver over `phantom sim-cloud` (src/sim-cloud/server.ts), the
 * project's own EC2 Query API server: the contract suite then runs over the real protocol
 * (SigV4, XML, RunInstances/DescribeInstances/TerminateInstances).
 *
 * The server module is loaded at run time and checked against the shape it is specified to
 * have, so this file compiles whether or not (and however far) src/sim-cloud exists.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../../contracts/clock.ts';
import type { LaunchRequest } from '../../contracts/cloud.ts';
import type { DriverHarness } from '../driver.case.ts';
import type { SimKnobs } from '../sim/knobs.ts';
import { seededRandom } from '../sim/random.ts';
import { Ec2Driver } from './ec2-driver.ts';

/** The part of a running sim-cloud server the harness uses (as specified for src/sim-cloud/server.ts). */
export interface SimCloudServerLike {
  readonly url: string;
  readonly cloud: {
    readonly state: { readonly knobs: { readonly bootMs: number } };
    readonly driver: { loseNextLaunchResponses(count?: number): void };
    setKnobs(knobs: Partial<SimKnobs>): void;
    kill(id: string, reason?: string): boolean;
    inspect(id: string): LaunchRequest | undefined;
  };
  close(): Promise<void> | void;
}

/** `startSimCloudServer` as specified. */
export type StartSimCloudServer = (options: {
  host: string;
  port: number;
  site: string;
  stateFile: string;
  knobs: Partial<SimKnobs>;
  clock: FixedClock;
  random: () => number;
}) => Promise<SimCloudServerLike> | SimCloudServerLike;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Loads `startSimCloudServer` from src/sim-cloud/server.ts.
 * @returns the function, or a string saying why it is unavailable (file absent, or not exporting it).
 * @throws whatever importing the module throws when the file exists but fails to load.
 */
export async function loadSimCloudServer(): Promise<StartSimCloudServer | string> {
  const specifier = '../../sim-cloud/server.ts';
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (e) {
    // Only a missing file skips; a module that exists but fails to load is a failure.
    const missing = isRecord(e) && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('sim-cloud/server.ts');
    if (missing) return 'src/sim-cloud/server.ts not present yet';
    throw e;
  }
  if (!isRecord(mod) || typeof mod.startSimCloudServer !== 'function') {
    return 'src/sim-cloud/server.ts does not export startSimCloudServer';
  }
  return mod.startSimCloudServer as StartSimCloudServer;
}

/**
 * A DriverHarness: a sim-cloud server on 127.0.0.1 (a free port) with a state file in a temp
 * dir, a FixedClock `settle()` moves past the boot time, and an Ec2Driver pointed at it.
 * `restart()` closes the server and the driver and starts both afresh on the same state file
 * (a Phantom restart against a cloud that outlives it).
 */
export async function ec2SimHarness(start: StartSimCloudServer, bootMs = 30_000): Promise<DriverHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-ec2-sim-'));
  const clock = new FixedClock();
  const random = seededRandom(1);
  let knobs: Partial<SimKnobs> = { bootMs };
  const open = async (): Promise<{ server: SimCloudServerLike; driver: Ec2Driver }> => {
    const server = await start({ host: '127.0.0.1', port: 0, site: 'hotel', stateFile: join(dir, 'hotel.json'), knobs, clock, random });
    const driver = new Ec2Driver({
      site: 'hotel', endpoint: server.url, region: 'us-east-1', requestTimeoutMs: 5_000,
      credentials: { accessKeyId: 'AKIDPHANTOMTEST', secretAccessKey: 'phantom-test-secret' },
    });
    return { server, driver };
  };
  let current = await open();
  return {
    get driver() {
      return current.driver;
    },
    settle: async () => clock.advance(current.server.cloud.state.knobs.bootMs + 1),
    setCapacity: async (n) => {
      knobs = { ...knobs, capacity: n };
      current.server.cloud.setKnobs({ capacity: n });
    },
    loseNextLaunchResponse: async () => current.server.cloud.driver.loseNextLaunchResponses(1),
    killInstance: async (id) => {
      if (!current.server.cloud.kill(id)) throw new Error(`no live instance ${id} to kill`);
    },
    inspect: async (id) => current.server.cloud.inspect(id),
    restart: async () => {
      await current.server.close();
      current = await open();
    },
    close: async () => {
      try {
        await current.server.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
