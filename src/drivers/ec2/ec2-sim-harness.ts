/**
 * A DriverHarness for the EC2 driver over `phantom sim-cloud` (src/sim-cloud/server.ts), the
 * project's own EC2 Query API server: the contract suite then runs over the real protocol
 * (SigV4, XML, RunInstances/DescribeInstances/TerminateInstances).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../../contracts/clock.ts';
import { startSimCloudServer, type SimCloudServer } from '../../sim-cloud/server.ts';
import type { DriverHarness } from '../driver.case.ts';
import type { SimKnobs } from '../sim/knobs.ts';
import { seededRandom } from '../../lib/random.ts';
import { reopenableSimServer } from '../sim/server-harness.ts';
import { Ec2Driver } from './ec2-driver.ts';

/**
 * A DriverHarness: a sim-cloud server on 127.0.0.1 (a free port) with a state file in a temp
 * dir, a FixedClock `settle()` moves past the boot time, and an Ec2Driver pointed at it.
 * `restart()` closes the server and the driver and starts both afresh on the same state file
 * (a Phantom restart against a cloud that outlives it).
 */
export async function ec2SimHarness(bootMs = 30_000): Promise<DriverHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-ec2-sim-'));
  const clock = new FixedClock();
  const random = seededRandom(1);
  const open = async (knobs: Partial<SimKnobs>): Promise<{ server: SimCloudServer; driver: Ec2Driver }> => {
    const server = await startSimCloudServer({
      host: '127.0.0.1',
      port: 0,
      site: 'hotel',
      stateFile: join(dir, 'hotel.json'),
      knobs,
      clock,
      random,
    });
    const driver = new Ec2Driver({
      site: 'hotel',
      endpoint: server.url,
      region: 'us-east-1',
      requestTimeoutMs: 5_000,
      credentials: { accessKeyId: 'AKIDPHANTOMTEST', secretAccessKey: 'phantom-test-secret' },
    });
    return { server, driver };
  };
  const sim = await reopenableSimServer(dir, clock, { bootMs }, open);
  return {
    get driver() {
      return sim.current().driver;
    },
    settle: sim.settle,
    setCapacity: sim.setCapacity,
    loseNextLaunchResponse: sim.loseNextLaunchResponse,
    killInstance: async (id) => {
      if (!sim.current().server.cloud.kill(id)) throw new Error(`no live instance ${id} to kill`);
    },
    inspect: async (id) => sim.current().server.cloud.inspect(id),
    restart: sim.restart,
    close: sim.close,
  };
}
