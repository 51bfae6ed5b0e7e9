/**
 * What the driver harnesses over a simulated-cloud API server (EC2 Query, OpenStack) share: the
 * server and driver pair, reopened on the same state file by `restart()`, and the knobs the
 * contract suite turns. Each harness adds how it starts the pair and how it names instances.
 */
import { rmSync } from 'node:fs';
import type { FixedClock } from '../../contracts/clock.ts';
import type { SimKnobs } from './knobs.ts';
import type { SimCloud } from './open.ts';

/** A simulated-cloud API server as the harnesses drive it. */
export interface SimServer {
  readonly cloud: SimCloud;
  close(): Promise<void>;
}

/**
 * Opens the pair with `open(knobs)`. `restart()` closes the server and opens both afresh with the
 * knobs set so far; `close()` closes the server and removes `dir` (the state file's temp dir).
 */
export async function reopenableSimServer<S extends SimServer, D>(
  dir: string,
  clock: FixedClock,
  knobs: Partial<SimKnobs>,
  open: (knobs: Partial<SimKnobs>) => Promise<{ server: S; driver: D }>,
) {
  let current = await open(knobs);
  return {
    current: (): { server: S; driver: D } => current,
    settle: async (): Promise<void> => clock.advance(current.server.cloud.state.knobs.bootMs + 1),
    setCapacity: async (n: number): Promise<void> => {
      knobs = { ...knobs, capacity: n };
      current.server.cloud.setKnobs({ capacity: n });
    },
    loseNextLaunchResponse: async (): Promise<void> => current.server.cloud.driver.loseNextLaunchResponses(1),
    restart: async (): Promise<void> => {
      await current.server.close();
      current = await open(knobs);
    },
    close: async (): Promise<void> => {
      try {
        await current.server.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
