import { parseArgs } from 'node:util';
import { DriverConfigError } from '../drivers/driver-config-error.ts';
import { parseSimKnobs, type SimKnobs } from '../drivers/sim/knobs.ts';
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
  '[--launch-failure-rate X] [--death-rate X] [--latency-ms N] [--lose-launch-response-rate X] [--fail CALL=KIND ...] ' +
  '[--key AK:SK ...] [--image ID ...] [--instance-type T ...]';

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
  if (host === undefined || !(port >= 0 && port <= 65535)) throw new UsageError(`--listen must be HOST:PORT (got '${value}')`);
  return { host, port };
}

function pairs(values: readonly string[], sep: string, flag: string, shape: string): Array<[string, string]> {
  return values.map((v) => {
    const at = v.indexOf(sep);
    if (at <= 0 || at === v.length - 1) throw new UsageError(`--${flag} must be ${shape} (got '${v}')`);
    return [v.slice(0, at), v.slice(at + 1)];
  });
}

/**
 * Parses the `phantom sim-cloud` arguments into server options. Knobs are validated by the
 * sim's own `parseSimKnobs`, so the command accepts exactly what a config file does.
 * @throws UsageError with a one-line message on any bad argument.
 */
export function parseSimCloudArgs(argv: string[]): SimCloudServerOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        listen: { type: 'string' },
        state: { type: 'string' },
        site: { type: 'string', default: 'sim' },
        region: { type: 'string', default: 'us-east-1' },
        'boot-ms': { type: 'string' },
        capacity: { type: 'string' },
        'launch-failure-rate': { type: 'string' },
        'death-rate': { type: 'string' },
        'latency-ms': { type: 'string' },
        'lose-launch-response-rate': { type: 'string' },
        fail: { type: 'string', multiple: true, default: [] },
        key: { type: 'string', multiple: true, default: [] },
        image: { type: 'string', multiple: true, default: [] },
        'instance-type': { type: 'string', multiple: true, default: [] },
      },
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.split('\n')[0] ?? 'bad arguments' : 'bad arguments');
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
  const keys: SimCloudKey[] = pairs(values.key, ':', 'key', 'ACCESS_KEY:SECRET_KEY').map(([accessKeyId, secretAccessKey]) => ({ accessKeyId, secretAccessKey }));
  return {
    ...parseListen(values.listen),
    site: values.site,
    region: values.region,
    stateFile: values.state,
    knobs,
    keys,
    images: values.image,
    instanceTypes: values['instance-type'],
  };
}

/**
 * `phantom sim-cloud`: serves the simulated cloud over the EC2 Query API until SIGINT or
 * SIGTERM, then closes cleanly (state file written).
 * @returns 0 after a clean stop, 2 for bad arguments, 1 when the server cannot start.
 */
export async function runSimCloudCommand(argv: string[], io: CommandIo): Promise<number> {
  let options: SimCloudServerOptions;
  try {
    options = parseSimCloudArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`phantom sim-cloud: ${e.message} (${SIM_CLOUD_USAGE})`);
    return 2;
  }
  let server;
  try {
    server = await startSimCloudServer(options);
  } catch (e) {
    io.err(`phantom sim-cloud: cannot start: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  io.out(`sim-cloud ${options.site} serving on http://${hostInUrl}:${server.port}`);
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
