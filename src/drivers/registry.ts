import { join } from 'node:path';
import type { CloudDriver } from '../contracts/cloud.ts';
import type { Clock } from '../contracts/clock.ts';
import { DriverConfigError } from './driver-config-error.ts';
import { parseSimKnobs, type SimKnobs } from './sim/knobs.ts';
import { openSimCloud } from './sim/open.ts';
import type { SimSleep } from './sim/sim-driver.ts';

/** A site on the embedded simulated cloud. */
export interface SimDriverConfig extends Partial<SimKnobs> {
  driver: 'sim';
  /** Required. Site name (letters, digits, `.`, `_`, `-`; it names the state file). */
  site: string;
  /** Optional. State file; default `<dataDir>/sim-cloud/<site>.json`, or in memory without a data dir. */
  stateFile?: string;
}

/** Every driver's config: a closed union, one member per driver (ec2 and openstack join here). */
export type DriverConfig = SimDriverConfig;

/** What drivers may need from the composition root. */
export interface DriverDeps {
  /** Required. Time source. */
  clock: Clock;
  /** Required. Uniform [0, 1) source (e.g. `cryptoRandom`; seeded in tests). */
  random: () => number;
  /** Optional. The data directory; sim sites keep their state under it. */
  dataDir?: string;
  /** Optional. Latency sleep for the sim; default real time. */
  sleep?: SimSleep;
}

const SITE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates one site's driver config from a config file (each driver checks its own fields).
 * @param raw The site object, e.g. `{ driver: 'sim', site: 'hotel', bootMs: 2000 }`.
 * @param path Dotted path of `raw` in the config, for messages.
 * @throws DriverConfigError naming the field (unknown driver, bad site name, bad knob).
 */
export function parseDriverConfig(raw: unknown, path: string): DriverConfig {
  if (!isRecord(raw)) throw new DriverConfigError(path, 'must be an object');
  const { driver, site, stateFile, ...rest } = raw;
  if (typeof site !== 'string' || !SITE_NAME.test(site)) {
    throw new DriverConfigError(`${path}.site`, 'must be 1-64 letters, digits, ".", "_" or "-"');
  }
  if (stateFile !== undefined && (typeof stateFile !== 'string' || stateFile === '')) {
    throw new DriverConfigError(`${path}.stateFile`, 'must be a non-empty path');
  }
  switch (driver) {
    case 'sim':
      return { driver, site, ...(stateFile !== undefined ? { stateFile } : {}), ...parseSimKnobs(rest, path) };
    default:
      throw new DriverConfigError(`${path}.driver`, `unknown driver ${JSON.stringify(driver)}; expected one of: sim`);
  }
}

/** The default state file of a sim site inside the data directory. Pure. */
export const simStateFile = (dataDir: string, site: string): string => join(dataDir, 'sim-cloud', `${site}.json`);

/**
 * Creates the driver of one site (static registry: an exhaustive switch over the config union).
 * A sim site with a state file continues from it (its instances outlived the last run).
 * Call once per site: two drivers on one sim state file would overwrite each other.
 * @throws DriverConfigError on a bad site name; Error when a sim state file is unreadable or corrupt.
 */
export function createDriver(config: DriverConfig, deps: DriverDeps): CloudDriver {
  switch (config.driver) {
    case 'sim': {
      const { driver: _driver, site, stateFile, ...knobs } = config;
      if (!SITE_NAME.test(site)) throw new DriverConfigError('site', 'must be 1-64 letters, digits, ".", "_" or "-"');
      const file = stateFile ?? (deps.dataDir !== undefined ? simStateFile(deps.dataDir, site) : undefined);
      return openSimCloud({
        site,
        clock: deps.clock,
        random: deps.random,
        knobs,
        ...(file !== undefined ? { file } : {}),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
      }).driver;
    }
    default:
      return unreachable(config.driver);
  }
}

function unreachable(value: never): never {
  throw new DriverConfigError('driver', `unknown driver ${JSON.stringify(value)}`);
}
