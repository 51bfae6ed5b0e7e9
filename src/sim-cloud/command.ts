import { parseArgs } from 'node:util';
import { DriverConfigError } from '../drivers/driver-config-error.ts';
import { parseSimKnobs, type SimKnobs } from '../drivers/sim/knobs.ts';
import { seededRandom } from '../lib/random.ts';
import { startOpenStackSimServer, type OpenStackSimServerOptions } from './openstack/server.ts';
import { startSimCloudServer, type SimCloudKey, type SimCloudServerOptions } from './server.ts';

/** Where the command writes its lines. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

/** A bad command line; the message is one line for the user. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One-line usage of `phantom sim-cloud`. */
export const SIM_CLOUD_USAGE =
  'usage: phantom sim-cloud --listen HOST:PORT --state FILE [--site NAME] [--region NAME] [--boot-ms N] [--capacity N] ' +
  '[--launch-failure-rate X] [--death-rate X] [--latency-ms N] [--lose-launch-response-rate X] [--seed N] [--fail CALL=KIND ...] ' +
  '[--key AK:SK ...] [--image ID ...] [--instance-type T ...] | --api openstack [--user NAME:PASSWORD ...] ' +
  '[--application-credential ID:SECRET ...] [--project NAME] [--token-ttl-ms N] [--image NAME ...] [--instance-type FLAVOR ...]';

const NUMBER = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?$/i;

/** Numeric flags and the knob each sets. */
const NUMERIC: ReadonlyArray<[flag: string, knob: keyof SimKnobs]> = [
  ['boot-ms', 'bootMs'],
  ['capacity', 'capacity'],
  ['launch-failure-rate', 'launchFailureRate'],
  ['death-rate', 'deathRate'],
  ['latency-ms', 'apiLatencyMs'],
  ['lose-launch-response-rate', 'loseLaunchResponseRate'],
];

function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):([0-9]{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : Number.NaN;
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !(port >= 0 && port <= 65535))
    throw new UsageError(`--listen must be HOST:PORT (got '${value}')`);
  return { host, port };
}

function pairs(values: readonly string[], sep: string, flag: string, shape: string): Array<[string, string]> {
  return values.map((v) => {
    const at = v.indexOf(sep);
    if (at <= 0 || at === v.length - 1) throw new UsageError(`--${flag} must be ${shape} (got '${v}')`);
    return [v.slice(0, at), v.slice(at + 1)];
  });
}

/** A parsed `phantom sim-cloud` command line: which API to serve, with its options. */
export type SimCloudCommand =
  { api: 'ec2'; options: SimCloudServerOptions } | { api: 'openstack'; options: OpenStackSimServerOptions };

/**
 * Parses the `phantom sim-cloud` arguments of the default `--api ec2` into server options.
 * @throws UsageError with a one-line message on any bad argument (also for `--api openstack`).
 */
export function parseSimCloudArgs(argv: string[]): SimCloudServerOptions {
  const parsed = parseSimCloudCommand(argv);
  if (parsed.api !== 'ec2') throw new UsageError('parseSimCloudArgs handles --api ec2 only');
  return parsed.options;
}

/**
 * Parses the `phantom sim-cloud` arguments: `--api ec2` (default) or `--api openstack`. Knobs
 * are validated by the sim's own `parseSimKnobs`, so the command accepts exactly what a
 * config file does. Flags of the other API are refused.
 * @throws UsageError with a one-line message on any bad argument.
 */
export function parseSimCloudCommand(argv: string[]): SimCloudCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        listen: { type: 'string' },
        state: { type: 'string' },
        api: { type: 'string', default: 'ec2' },
        site: { type: 'string', default: 'sim' },
        region: { type: 'string' },
        user: { type: 'string', multiple: true, default: [] },
        'application-credential': { type: 'string', multiple: true, default: [] },
        project: { type: 'string' },
        'token-ttl-ms': { type: 'string' },
        'boot-ms': { type: 'string' },
        capacity: { type: 'string' },
        'launch-failure-rate': { type: 'string' },
        'death-rate': { type: 'string' },
        'latency-ms': { type: 'string' },
        'lose-launch-response-rate': { type: 'string' },
        seed: { type: 'string' },
        fail: { type: 'string', multiple: true, default: [] },
        key: { type: 'string', multiple: true, default: [] },
        image: { type: 'string', multiple: true, default: [] },
        'instance-type': { type: 'string', multiple: true, default: [] },
      },
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? (e.message.split('\n')[0] ?? 'bad arguments') : 'bad arguments');
  }
  const { values } = parsed;
  if (values.listen === undefined) throw new UsageError('--listen HOST:PORT is required');
  if (values.state === undefined || values.state === '') throw new UsageError('--state FILE is required');
  if (values.site === '') throw new UsageError('--site must not be empty');
  const raw: Record<string, unknown> = {};
  for (const [flag, knob] of NUMERIC) {
    const value = values[flag as keyof typeof values];
    if (typeof value !== 'string') continue;
    if (!NUMBER.test(value)) throw new UsageError(`--${flag} must be a non-negative number (got '${value}')`);
    raw[knob] = Number(value);
  }
  if (values.fail.length > 0) raw.failCalls = Object.fromEntries(pairs(values.fail, '=', 'fail', 'CALL=KIND'));
  let knobs: Partial<SimKnobs>;
  try {
    knobs = parseSimKnobs(raw, 'sim-cloud');
  } catch (e) {
    if (e instanceof DriverConfigError) throw new UsageError(e.message);
    throw e;
  }
  if (values.seed !== undefined && !/^[0-9]{1,9}$/.test(values.seed))
    throw new UsageError(`--seed must be a whole number (got '${values.seed}')`);
  // A seed makes the sim's chance events (lost responses, failures, deaths) repeat run to run.
  const random = values.seed !== undefined ? { random: seededRandom(Number(values.seed)) } : {};
  if (values.api === 'openstack')
    return {
      api: 'openstack',
      options: { ...openStackOptions({ ...values, listen: values.listen, state: values.state }, knobs), ...random },
    };
  if (values.api !== 'ec2') throw new UsageError(`--api must be ec2 or openstack (got '${values.api}')`);
  const foreign = (['user', 'application-credential', 'project', 'token-ttl-ms'] as const).find((f) =>
    Array.isArray(values[f]) ? (values[f] as string[]).length > 0 : values[f] !== undefined,
  );
  if (foreign !== undefined) throw new UsageError(`--${foreign} needs --api openstack`);
  const keys: SimCloudKey[] = pairs(values.key, ':', 'key', 'ACCESS_KEY:SECRET_KEY').map(
    ([accessKeyId, secretAccessKey]) => ({ accessKeyId, secretAccessKey }),
  );
  return {
    api: 'ec2',
    options: {
      ...parseListen(values.listen),
      site: values.site,
      region: values.region ?? 'us-east-1',
      stateFile: values.state,
      knobs,
      keys,
      images: values.image,
      instanceTypes: values['instance-type'],
      ...random,
    },
  };
}

/** The `--api openstack` options (images and flavors by name; users and application credentials). */
function openStackOptions(
  values: {
    listen: string;
    state: string;
    site: string;
    region?: string;
    key: string[];
    user: string[];
    'application-credential': string[];
    project?: string;
    'token-ttl-ms'?: string;
    image: string[];
    'instance-type': string[];
  },
  knobs: Partial<SimKnobs>,
): OpenStackSimServerOptions {
  if (values.key.length > 0)
    throw new UsageError('--key is for --api ec2; use --user NAME:PASSWORD or --application-credential ID:SECRET');
  if (values.project === '') throw new UsageError('--project must not be empty');
  const ttl = values['token-ttl-ms'];
  if (ttl !== undefined && !/^[1-9][0-9]{0,11}$/.test(ttl))
    throw new UsageError(`--token-ttl-ms must be a positive integer (got '${ttl}')`);
  return {
    ...parseListen(values.listen),
    site: values.site,
    region: values.region ?? 'RegionOne',
    stateFile: values.state,
    knobs,
    users: pairs(values.user, ':', 'user', 'NAME:PASSWORD').map(([name, password]) => ({ name, password })),
    applicationCredentials: pairs(values['application-credential'], ':', 'application-credential', 'ID:SECRET').map(
      ([id, secret]) => ({ id, secret }),
    ),
    ...(values.project !== undefined ? { project: values.project } : {}),
    ...(ttl !== undefined ? { tokenTtlMs: Number(ttl) } : {}),
    images: values.image,
    flavors: values['instance-type'],
  };
}

/**
 * `phantom sim-cloud`: serves the simulated cloud over the EC2 Query API (or, with `--api
 * openstack`, as Keystone v3 + Nova + Glance) until SIGINT or SIGTERM, then closes cleanly
 * (state file written).
 * @returns 0 after a clean stop, 2 for bad arguments, 1 when the server cannot start.
 */
export async function runSimCloudCommand(argv: string[], io: CommandIo): Promise<number> {
  let command: SimCloudCommand;
  try {
    command = parseSimCloudCommand(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`phantom sim-cloud: ${e.message} (${SIM_CLOUD_USAGE})`);
    return 2;
  }
  const { options } = command;
  let server;
  try {
    server =
      command.api === 'openstack'
        ? await startOpenStackSimServer(command.options)
        : await startSimCloudServer(command.options);
  } catch (e) {
    io.err(`phantom sim-cloud: cannot start: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  io.out(`sim-cloud ${options.site} serving on ${server.url}`);
  if (command.api === 'openstack' && 'authUrl' in server)
    io.out(
      `sim-cloud ${options.site}: Keystone v3 at ${server.authUrl} (region ${command.options.region ?? 'RegionOne'}, project ${command.options.project ?? 'phantom'})`,
    );
  const signal = await new Promise<string>((resolve) => {
    const stop = (name: string) => (): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(name);
    };
    const onInt = stop('SIGINT');
    const onTerm = stop('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
  await server.close();
  io.out(`sim-cloud ${options.site} stopped (${signal})`);
  return 0;
}
