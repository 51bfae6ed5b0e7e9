/**
 * A DriverHarness for the OpenStack driver over the fake Keystone + Nova + Glance of
 * `phantom sim-cloud --api openstack` (src/sim-cloud/openstack), over real HTTP.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../../contracts/clock.ts';
import type { LaunchRequest } from '../../contracts/cloud.ts';
import {
  startOpenStackSimServer,
  type OpenStackSimServer,
  type OpenStackSimServerOptions,
} from '../../sim-cloud/openstack/server.ts';
import { NAME_TAG } from '../../sim-cloud/openstack/views.ts';
import type { DriverHarness } from '../driver.case.ts';
import type { SimKnobs } from '../sim/knobs.ts';
import { seededRandom } from '../../lib/random.ts';
import { reopenableSimServer } from '../sim/server-harness.ts';
import type { OpenStackAuth } from './keystone.ts';
import { CLIENT_TOKEN_KEY } from './nova-mapper.ts';
import { OpenStackDriver, type OpenStackDriverOptions } from './openstack-driver.ts';

/** The user the harness's fake accepts. */
export const HARNESS_USER = { name: 'phantom-test', password: 'correct horse battery staple' };

/** Password auth of {@link HARNESS_USER} in the fake's project. */
export const HARNESS_AUTH: OpenStackAuth = {
  kind: 'password',
  username: HARNESS_USER.name,
  password: HARNESS_USER.password,
  userDomain: 'Default',
  project: { name: 'phantom', domain: 'Default' },
};

/** The launch request a fake server was created from, in the driver's terms (client token from metadata). */
export function launchOf(server: OpenStackSimServer, serverId: string): LaunchRequest | undefined {
  const simId = server.simIdOf(serverId);
  const stored = simId === undefined ? undefined : server.cloud.inspect(simId);
  if (!stored) return undefined;
  const { [CLIENT_TOKEN_KEY]: token, [NAME_TAG]: _name, ...tags } = stored.tags;
  return { ...stored, clientToken: token ?? '', tags };
}

/** A DriverHarness plus the fake behind it (for tests that look inside). */
export interface OpenStackHarness extends DriverHarness {
  readonly server: OpenStackSimServer;
  readonly clock: FixedClock;
}

/**
 * A fake OpenStack on 127.0.0.1 (a free port, a state file in a temp dir, a FixedClock that
 * `settle()` moves past the boot time) and an OpenStackDriver with password auth and a page
 * size of 2 (so listing pages). `restart()` restarts both on the same state file: the fake
 * forgets its tokens, as a restarted Keystone with new keys would.
 */
export async function openStackSimHarness(
  opts: { bootMs?: number; driver?: Partial<OpenStackDriverOptions>; server?: Partial<OpenStackSimServerOptions> } = {},
): Promise<OpenStackHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-os-sim-'));
  const clock = new FixedClock();
  const random = seededRandom(1);
  const open = async (knobs: Partial<SimKnobs>): Promise<{ server: OpenStackSimServer; driver: OpenStackDriver }> => {
    const server = await startOpenStackSimServer({
      host: '127.0.0.1',
      port: 0,
      site: 'india',
      stateFile: join(dir, 'india.json'),
      knobs,
      clock,
      random,
      users: [HARNESS_USER],
      images: ['ami-0123456789abcdef0', 'ubuntu-22.04'],
      flavors: ['m1.small', 'm1.large'],
      ...opts.server,
    });
    const driver = new OpenStackDriver({
      site: 'india',
      authUrl: server.authUrl,
      auth: HARNESS_AUTH,
      region: 'RegionOne',
      clock,
      requestTimeoutMs: 5_000,
      pageSize: 2,
      scheduleWaitMs: 0,
      ...opts.driver,
    });
    return { server, driver };
  };
  const sim = await reopenableSimServer(dir, clock, { bootMs: opts.bootMs ?? 30_000 }, open);
  return {
    get driver() {
      return sim.current().driver;
    },
    get server() {
      return sim.current().server;
    },
    clock,
    settle: sim.settle,
    setCapacity: sim.setCapacity,
    loseNextLaunchResponse: sim.loseNextLaunchResponse,
    killInstance: async (id) => {
      const simId = sim.current().server.simIdOf(id);
      if (simId === undefined || !sim.current().server.cloud.kill(simId))
        throw new Error(`no live server ${id} to kill`);
    },
    inspect: async (id) => launchOf(sim.current().server, id),
    restart: sim.restart,
    close: sim.close,
  };
}
