/**
 * Pure mapping between EC2's words and the driver contract's (DESIGN.md §4): instance states,
 * instances, and errors onto the CloudError taxonomy. No I/O here, so every rule is unit-tested
 * table by table (ec2-mapper.test.ts).
 */
import type { Instance, Tag } from '@aws-sdk/client-ec2';
import { CloudError, type CloudErrorKind, type CloudInstance, type InstanceState } from '../../contracts/cloud.ts';

/**
 * The tag every launch carries with its client token. EC2 honours `ClientToken` itself, but
 * EC2-compatible clouds (moto, some Eucalyptus/OpenStack versions) ignore it; looking the token
 * up by this tag before RunInstances keeps launch idempotent on those too. It is hidden from
 * `CloudInstance.tags` (reported as `clientToken` instead).
 */
export const CLIENT_TOKEN_TAG = 'phantom:client-token';

const STATES: Readonly<Record<string, InstanceState>> = {
  pending: 'pending',
  running: 'running',
  'shutting-down': 'terminating',
  terminated: 'terminated',
  stopping: 'stopping',
  stopped: 'stopped',
};

/**
 * Maps an EC2 `State.Name` onto the normalised state. Pure.
 * An unknown or missing name (a non-AWS cloud's invention) maps to `failed`, so the controller
 * replaces the instance rather than trusting a state it cannot read.
 */
export function mapEc2State(name: string | undefined): InstanceState {
  return (name !== undefined ? STATES[name] : undefined) ?? 'failed';
}

/** EC2 tags as a record, without the client-token tag. Pure. */
export function tagsFromEc2(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key !== undefined && tag.Key !== CLIENT_TOKEN_TAG) out[tag.Key] = tag.Value ?? '';
  }
  return out;
}

/**
 * Maps one EC2 instance onto a CloudInstance. Pure.
 * @param now Used as `launchedAt` when the cloud omits LaunchTime.
 * @throws CloudError transient when the instance has no id (a malformed response).
 */
export function mapEc2Instance(instance: Instance, now: Date): CloudInstance {
  if (instance.InstanceId === undefined)
    throw new CloudError('transient', 'EC2 returned an instance without InstanceId');
  const tokenTag = instance.Tags?.find((t) => t.Key === CLIENT_TOKEN_TAG)?.Value;
  const clientToken =
    tokenTag ?? (instance.ClientToken !== undefined && instance.ClientToken !== '' ? instance.ClientToken : undefined);
  const reason = instance.StateReason?.Message ?? instance.StateTransitionReason;
  return {
    id: instance.InstanceId,
    state: mapEc2State(instance.State?.Name),
    ...(reason !== undefined && reason !== '' ? { stateReason: reason } : {}),
    tags: tagsFromEc2(instance.Tags),
    imageId: instance.ImageId ?? '',
    instanceType: instance.InstanceType ?? '',
    ...(clientToken !== undefined ? { clientToken } : {}),
    ...(instance.PublicIpAddress ? { publicAddress: instance.PublicIpAddress } : {}),
    ...(instance.PrivateIpAddress ? { privateAddress: instance.PrivateIpAddress } : {}),
    launchedAt: instance.LaunchTime ?? now,
  };
}

/** Does `instance` carry every tag of `tags` with exactly that value? Pure. */
export function hasAllTags(instance: CloudInstance, tags: Record<string, string>): boolean {
  return Object.entries(tags).every(([k, v]) => instance.tags[k] === v);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

const field = (e: object, key: string): unknown => (key in e ? (e as Record<string, unknown>)[key] : undefined);

/** The provider's error code: the SDK puts it in `name` (and `Code`); node errors in `code`. */
function errorCode(e: object): string {
  const code = field(e, 'Code') ?? field(e, 'code') ?? field(e, 'name');
  return typeof code === 'string' ? code : 'UnknownError';
}

function httpStatus(e: object): number | undefined {
  const meta = field(e, '$metadata');
  const status = typeof meta === 'object' && meta !== null ? field(meta, 'httpStatusCode') : undefined;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The error kind of an EC2 error code and HTTP status. Pure; the order of the rules matters
 * (RequestLimitExceeded is throttling, not quota; InvalidClientTokenId is auth, not invalid;
 * InvalidKeyPair.NotFound is an invalid request, not a missing instance).
 */
export function classifyEc2Error(code: string, status: number | undefined): CloudErrorKind {
  if (
    code === 'RequestLimitExceeded' ||
    code.startsWith('Throttl') ||
    code === 'SlowDown' ||
    status === 429 ||
    status === 503
  )
    return 'throttled';
  if (
    [
      'AuthFailure',
      'UnauthorizedOperation',
      'InvalidClientTokenId',
      'SignatureDoesNotMatch',
      'OptInRequired',
      'Blocked',
    ].includes(code) ||
    code.startsWith('AuthFailure') ||
    code.startsWith('UnauthorizedOperation') ||
    status === 401 ||
    status === 403
  )
    return 'auth';
  if (code === 'InsufficientInstanceCapacity' || code === 'InsufficientHostCapacity' || code.startsWith('Insufficient'))
    return 'capacity';
  if (code.endsWith('LimitExceeded')) return 'quota';
  if (code === 'InvalidInstanceID.NotFound') return 'not-found';
  if (
    code.startsWith('Invalid') ||
    code.startsWith('Unsupported') ||
    code.startsWith('Missing') ||
    code === 'IdempotentParameterMismatch' ||
    code === 'ValidationError' ||
    code === 'DryRunOperation'
  )
    return 'invalid';
  if (NETWORK_CODES.has(code) || TIMEOUT_NAMES.has(code)) return 'transient';
  if (status !== undefined && status >= 400 && status < 500) return 'invalid';
  return 'transient';
}

/**
 * Turns anything a `client.send` threw into what the driver throws. Pure.
 * @returns the signal's reason when `signal` is aborted (callers rethrow it as is); otherwise a
 *   CloudError whose providerMessage is `<code>: <message>` in the provider's words.
 */
export function mapEc2Error(e: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  if (e instanceof CloudError) return e;
  if (typeof e !== 'object' || e === null)
    return new CloudError('transient', `UnknownError: ${String(e)}`, { cause: e });
  const code = errorCode(e);
  const message = field(e, 'message');
  const text = typeof message === 'string' && message !== '' ? message : 'no message';
  return new CloudError(classifyEc2Error(code, httpStatus(e)), `${code}: ${text}`, { cause: e });
}
