import { join } from 'node:path';
import { CloudError, type CloudDriver } from '../contracts/cloud.ts';
import type { Clock } from '../contracts/clock.ts';
import { DriverConfigError } from './driver-config-error.ts';
import { Ec2Driver } from './ec2/ec2-driver.ts';
import { openStackAuth, parseOpenStackConfig, type OpenStackDriverConfig } from './openstack/openstack-config.ts';
import { OpenStackDriver } from './openstack/openstack-driver.ts';
import { parseSimKnobs, type SimKnobs } from './sim/knobs.ts';
import { openSimCloud, openSimCloudInPieces, type OpenSimCloudOptions } from './sim/open.ts';
import type { Sleep } from '../lib/sleep.ts';
import type { SiteCredentials } from '../contracts/credentials.ts';

export type { OpenStackDriverConfig } from './openstack/openstack-config.ts';

/** A site on the embedded simulated cloud. */
export interface SimDriverConfig extends Partial<SimKnobs> {
  driver: 'sim';
  /** Required. Site name (letters, digits, `.`, `_`, `-`; it names the state file). */
  site: string;
  /** Optional. State file; default `<dataDir>/sim-cloud/<site>.json`, or in memory without a data dir. */
  stateFile?: string;
}

/** A site on AWS or an EC2-compatible cloud (Eucalyptus, OpenStack's EC2 API, phantom sim-cloud). */
export interface Ec2DriverConfig {
  driver: 'ec2';
  /** Required. Site name. */
  site: string;
  /** Required. Region used for signing (and AWS's endpoint when `endpoint` is absent). */
  region: string;
  /** Optional. API endpoint URL. */
  endpoint?: string;
  /** Optional. Key pair used when neither the user's credentials nor the launch name one. */
  keyName?: string;
  /** Optional. Per-request timeout in milliseconds. */
  requestTimeoutMs?: number;
}

/** Every driver's config: a closed union, one member per driver. */
export type DriverConfig = SimDriverConfig | Ec2DriverConfig | OpenStackDriverConfig;

/** What drivers may need from the composition root. */
export interface DriverDeps {
  /** Required. Time source. */
  clock: Clock;
  /** Required. Uniform [0, 1) source (e.g. `cryptoRandom`; seeded in tests). */
  random: () => number;
  /** Optional. The data directory; sim sites keep their state under it. */
  dataDir?: string;
  /** Optional. Latency sleep for the sim; default real time. */
  sleep?: Sleep;
  /** The user's credentials for the site (drivers that need them: ec2 takes access keys, openstack a password or an application credential); never logged. */
  credentials?: SiteCredentials;
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
    case 'ec2':
      return parseEc2Config(site, rest, path);
    case 'openstack':
      return parseOpenStackConfig(site, rest, path);
    default:
      throw new DriverConfigError(
        `${path}.driver`,
        `unknown driver ${JSON.stringify(driver)}; expected one of: sim, ec2, openstack`,
      );
  }
}

function parseEc2Config(site: string, raw: Record<string, unknown>, path: string): Ec2DriverConfig {
  const { region, endpoint, keyName, requestTimeoutMs, ...unknown } = raw;
  const extra = Object.keys(unknown)[0];
  if (extra !== undefined)
    throw new DriverConfigError(
      `${path}.${extra}`,
      'is not an ec2 site setting (region, endpoint, keyName, requestTimeoutMs)',
    );
  if (typeof region !== 'string' || region === '')
    throw new DriverConfigError(`${path}.region`, 'is required (e.g. us-east-1)');
  const config: Ec2DriverConfig = { driver: 'ec2', site, region };
  if (endpoint !== undefined) {
    if (typeof endpoint !== 'string' || !URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol))
      throw new DriverConfigError(`${path}.endpoint`, 'must be an http(s) URL');
    config.endpoint = endpoint;
  }
  if (keyName !== undefined) {
    if (typeof keyName !== 'string' || keyName === '')
      throw new DriverConfigError(`${path}.keyName`, 'must be a non-empty string');
    config.keyName = keyName;
  }
  if (requestTimeoutMs !== undefined) {
    if (!Number.isInteger(requestTimeoutMs) || (requestTimeoutMs as number) <= 0)
      throw new DriverConfigError(`${path}.requestTimeoutMs`, 'must be a positive integer');
    config.requestTimeoutMs = requestTimeoutMs as number;
  }
  return config;
}

/** How often at most an embedded sim site rewrites its state file. */
const EMBEDDED_SIM_SAVE_DELAY_MS = 100;

/** The default state file of a sim site inside the data directory. Pure. */
export const simStateFile = (dataDir: string, site: string): string => join(dataDir, 'sim-cloud', `${site}.json`);

/**
 * Creates the driver of one site (static registry: an exhaustive switch over the config union).
 * A sim site with a state file continues from it (its instances outlived the last run).
 * Call once per site: two drivers on one sim state file would overwrite each other.
 * @throws DriverConfigError on a bad site name; Error when a sim state file is unreadable or
 *   corrupt; CloudError 'auth' when a site that needs credentials has none (or of the wrong
 *   kind); CloudError 'invalid' when an openstack site has no project for password auth.
 */
export function createDriver(config: DriverConfig, deps: DriverDeps): CloudDriver {
  switch (config.driver) {
    case 'sim':
      return openSimCloud(embeddedSimOptions(config, deps)).driver;
    case 'ec2': {
      // Each user has their own keys on a cloud: without them the site cannot be used, and the
      // reconciler records that as a failed activity rather than skipping the site silently.
      if (!deps.credentials)
        throw new CloudError(
          'auth',
          `No credentials for site ${config.site}; set them with phantom credentials set ${config.site}`,
        );
      if (deps.credentials.kind !== undefined && deps.credentials.kind !== 'access-key') {
        throw new CloudError(
          'auth',
          `Site ${config.site} is an ec2 site and needs access keys, not ${deps.credentials.kind} credentials; set them with phantom credentials set ${config.site} --access-key …`,
        );
      }
      const { accessKey, secretKey, keyName } = deps.credentials;
      return new Ec2Driver({
        site: config.site,
        region: config.region,
        credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
        ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
        ...((keyName ?? config.keyName) !== undefined ? { keyName: keyName ?? config.keyName } : {}),
        ...(config.requestTimeoutMs !== undefined ? { requestTimeoutMs: config.requestTimeoutMs } : {}),
      });
    }
    case 'openstack': {
      const credentials = deps.credentials;
      if (!credentials)
        throw new CloudError(
          'auth',
          `No credentials for site ${config.site}; set them with phantom credentials set ${config.site} --username … or --application-credential-id …`,
        );
      if (credentials.kind !== 'openstack-password' && credentials.kind !== 'openstack-application-credential') {
        throw new CloudError(
          'auth',
          `Site ${config.site} is an openstack site and needs a password or an application credential, not access keys; set them with phantom credentials set ${config.site} --username … or --application-credential-id …`,
        );
      }
      const keyName = credentials.keyName ?? config.keyName;
      return new OpenStackDriver({
        site: config.site,
        authUrl: config.authUrl,
        auth: openStackAuth(config, credentials),
        clock: deps.clock,
        ...(config.region !== undefined ? { region: config.region } : {}),
        ...(config.interface !== undefined ? { interface: config.interface } : {}),
        ...(keyName !== undefined ? { keyName } : {}),
        ...(config.networks !== undefined ? { networks: config.networks } : {}),
        ...(config.securityGroups !== undefined ? { securityGroups: config.securityGroups } : {}),
        ...(config.requestTimeoutMs !== undefined ? { requestTimeoutMs: config.requestTimeoutMs } : {}),
      });
    }
    default:
      return unreachable(config);
  }
}

/**
 * Creates the driver of one site like `createDriver`, except that a sim site's state file is
 * read and indexed in pieces, with turns of the event loop between them (a server stays
 * responsive while a large sim site loads). Call once per site, as `createDriver`.
 * @throws (rejects with) what `createDriver` throws.
 */
export async function openDriver(config: DriverConfig, deps: DriverDeps): Promise<CloudDriver> {
  if (config.driver !== 'sim') return createDriver(config, deps);
  return (await openSimCloudInPieces(embeddedSimOptions(config, deps))).driver;
}

/** How a sim site opens embedded in Phantom. @throws DriverConfigError on a bad site name. */
function embeddedSimOptions(config: SimDriverConfig, deps: DriverDeps): OpenSimCloudOptions {
  const { driver: _driver, site, stateFile, ...knobs } = config;
  if (!SITE_NAME.test(site)) throw new DriverConfigError('site', 'must be 1-64 letters, digits, ".", "_" or "-"');
  const file = stateFile ?? (deps.dataDir !== undefined ? simStateFile(deps.dataDir, site) : undefined);
  return {
    site,
    clock: deps.clock,
    random: deps.random,
    knobs,
    ...(file !== undefined ? { file } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    // An embedded sim dies with Phantom; coalescing its state writes keeps a large sim
    // (thousands of instances) from rewriting its whole file on every launch.
    saveDelayMs: EMBEDDED_SIM_SAVE_DELAY_MS,
  };
}

function unreachable(value: never): never {
  throw new DriverConfigError('driver', `unknown driver ${JSON.stringify((value as { driver?: unknown }).driver)}`);
}
