import type { CloudErrorKind } from '../../contracts/cloud.ts';
import { DriverConfigError } from '../driver-config-error.ts';

/** The CloudDriver calls a simulated site can be told to fail (knob `failCalls`). */
export type SimCallName = 'listInstances' | 'launch' | 'terminate';

/** Every call name, for validation and iteration. */
export const SIM_CALL_NAMES: readonly SimCallName[] = ['listInstances', 'launch', 'terminate'];

const ERROR_KINDS: readonly CloudErrorKind[] = [
  'capacity',
  'quota',
  'auth',
  'not-found',
  'throttled',
  'transient',
  'invalid',
];

/**
 * Behaviour knobs of one simulated site. Knobs are configuration, never persisted: a restart
 * with other knobs keeps the instances and changes only what happens next.
 */
export interface SimKnobs {
  /** Milliseconds an instance stays `pending` before it is `running` (or `failed`). Default 0. */
  bootMs: number;
  /**
   * Maximum number of instances holding capacity (`pending` or `running`; `failed` and
   * `terminated` ones hold none). Launches beyond it fail with CloudError kind `capacity`.
   * Default: unlimited.
   */
  capacity: number;
  /**
   * Probability (0..1) that a launch accepted by the cloud fails to boot: the instance is
   * created `pending` and, at boot time, becomes `failed` with stateReason
   * `Server.InternalError`. (Chosen over throwing so the controller's health path is exercised:
   * the failed instance must be seen and replaced.) Default 0.
   */
  launchFailureRate: number;
  /**
   * Probability (0..1), drawn per `running` instance at every observation of the site (every
   * driver call), that the instance dies out of band (becomes `terminated`). Default 0.
   */
  deathRate: number;
  /** Latency added before every driver call, through the injected sleep. Default 0. */
  apiLatencyMs: number;
  /** Calls that always fail, with the CloudError kind to throw. Default: none. */
  failCalls: Partial<Record<SimCallName, CloudErrorKind>>;
  /**
   * Probability (0..1) that a launch succeeds in the cloud but its response is lost: the
   * instance exists and the call throws CloudError `transient` ("response lost"). Default 0.
   */
  loseLaunchResponseRate: number;
  /** How long terminated/failed instances stay listed (and their client tokens remembered). Default 1 h. */
  terminatedRetentionMs: number;
}

/** The knobs of a well-behaved, instant, unlimited site. */
export const DEFAULT_SIM_KNOBS: Readonly<SimKnobs> = Object.freeze({
  bootMs: 0,
  capacity: Number.POSITIVE_INFINITY,
  launchFailureRate: 0,
  deathRate: 0,
  apiLatencyMs: 0,
  failCalls: {},
  loseLaunchResponseRate: 0,
  terminatedRetentionMs: 3_600_000,
});

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function nonNegative(raw: unknown, path: string, integer: boolean): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || (integer && !Number.isInteger(raw))) {
    throw new DriverConfigError(path, `must be a non-negative ${integer ? 'integer' : 'number'}`);
  }
  return raw;
}

function probability(raw: unknown, path: string): number {
  const value = nonNegative(raw, path, false);
  if (value > 1) throw new DriverConfigError(path, 'must be between 0 and 1');
  return value;
}

function parseFailCalls(raw: unknown, path: string): Partial<Record<SimCallName, CloudErrorKind>> {
  if (!isRecord(raw)) throw new DriverConfigError(path, 'must be a map of call name to error kind');
  const out: Partial<Record<SimCallName, CloudErrorKind>> = {};
  for (const [call, kind] of Object.entries(raw)) {
    const name = SIM_CALL_NAMES.find((c) => c === call);
    if (!name)
      throw new DriverConfigError(`${path}.${call}`, `unknown call; expected one of ${SIM_CALL_NAMES.join(', ')}`);
    const errorKind = ERROR_KINDS.find((k) => k === kind);
    if (!errorKind)
      throw new DriverConfigError(`${path}.${call}`, `unknown error kind; expected one of ${ERROR_KINDS.join(', ')}`);
    out[name] = errorKind;
  }
  return out;
}

/**
 * Validates knobs from a config file. Absent fields stay absent (defaults apply later);
 * unknown fields are refused so typos do not pass silently.
 * @param raw The site's config object, driver-independent fields (`driver`, `site`, `stateFile`) excluded.
 * @param path Dotted path of `raw` in the config, for messages.
 * @throws DriverConfigError naming the offending field.
 */
export function parseSimKnobs(raw: Record<string, unknown>, path: string): Partial<SimKnobs> {
  const out: Partial<SimKnobs> = {};
  for (const [key, value] of Object.entries(raw)) {
    const at = `${path}.${key}`;
    switch (key) {
      case 'bootMs':
        out.bootMs = nonNegative(value, at, false);
        break;
      case 'capacity':
        out.capacity = nonNegative(value, at, true);
        break;
      case 'launchFailureRate':
        out.launchFailureRate = probability(value, at);
        break;
      case 'deathRate':
        out.deathRate = probability(value, at);
        break;
      case 'apiLatencyMs':
        out.apiLatencyMs = nonNegative(value, at, false);
        break;
      case 'failCalls':
        out.failCalls = parseFailCalls(value, at);
        break;
      case 'loseLaunchResponseRate':
        out.loseLaunchResponseRate = probability(value, at);
        break;
      case 'terminatedRetentionMs':
        out.terminatedRetentionMs = nonNegative(value, at, false);
        break;
      default:
        throw new DriverConfigError(at, 'unknown sim knob');
    }
  }
  return out;
}

/** Defaults overlaid with `partial`. Pure. */
export function resolveSimKnobs(partial: Partial<SimKnobs> = {}): SimKnobs {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<SimKnobs>;
  return { ...DEFAULT_SIM_KNOBS, ...defined, failCalls: { ...(defined.failCalls ?? DEFAULT_SIM_KNOBS.failCalls) } };
}
