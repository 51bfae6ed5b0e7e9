/**
 * The cloud driver contract (DESIGN.md §4): every cloud (simulated, EC2, OpenStack) is seen
 * through one instance-state enum and one error taxonomy. Nothing above a driver sees a
 * provider's own words except inside CloudError.providerMessage (shown in activities).
 */

/** Normalised instance states. */
export type InstanceState = 'pending' | 'running' | 'stopping' | 'stopped' | 'terminating' | 'terminated' | 'failed';

/** The error taxonomy every driver maps its provider's errors onto. */
export type CloudErrorKind = 'capacity' | 'quota' | 'auth' | 'not-found' | 'throttled' | 'transient' | 'invalid';

/** A classified cloud failure. `providerMessage` is the cloud's own text, for activities. */
export class CloudError extends Error {
  constructor(
    readonly kind: CloudErrorKind,
    readonly providerMessage: string,
    options?: { cause?: unknown },
  ) {
    super(`${kind}: ${providerMessage}`, options);
    this.name = 'CloudError';
  }

  /** Whether retrying the same call later may succeed (everything but auth/invalid/not-found). */
  get retryable(): boolean {
    return this.kind === 'capacity' || this.kind === 'quota' || this.kind === 'throttled' || this.kind === 'transient';
  }
}

export const isCloudError = (e: unknown): e is CloudError => e instanceof CloudError;

/** One instance as a cloud reports it. */
export interface CloudInstance {
  /** The cloud's instance id (clients see it as InstanceId). */
  id: string;
  state: InstanceState;
  /** Why the state is what it is, in the cloud's words (e.g. a failure reason). Optional. */
  stateReason?: string;
  /** Tags as set on the create call (ownership tags among them). */
  tags: Record<string, string>;
  imageId: string;
  instanceType: string;
  /** The client token the instance was launched with, when the cloud reports it. */
  clientToken?: string;
  publicAddress?: string;
  privateAddress?: string;
  launchedAt: Date;
}

/** What to launch: exactly one instance per request (one launch intent). */
export interface LaunchRequest {
  /** Required. Idempotency key: a repeat with the same token returns the same instance. */
  clientToken: string;
  imageId: string;
  instanceType: string;
  /** Optional. Key pair name on that cloud. */
  keyName?: string;
  /** Optional. Base64 user data as the launch configuration holds it. */
  userData?: string;
  /** Optional. */
  securityGroups?: string[];
  /** Required. Ownership tags, set on the create call itself (never a separate tagging call). */
  tags: Record<string, string>;
}

/**
 * One site's cloud API. Implementations: sim (in-process, embedded default), ec2, openstack.
 * Every method honours `signal` (aborts with the signal's reason) and throws only CloudError.
 */
export interface CloudDriver {
  /** The site this driver serves. */
  readonly site: string;
  /**
   * Required. Every instance carrying all of `filter.tags` (terminated ones may be included
   * for a while, as clouds do), in one logical call (drivers page internally).
   */
  listInstances(filter: { tags: Record<string, string> }, signal: AbortSignal): Promise<CloudInstance[]>;
  /**
   * Required. Launches one instance. Idempotent on `clientToken`: a retry after a lost
   * response returns the instance the first call created, never a second one.
   * @throws CloudError capacity | quota | auth | invalid | throttled | transient.
   */
  launch(request: LaunchRequest, signal: AbortSignal): Promise<CloudInstance>;
  /**
   * Required. Terminates instances; an id already gone (or unknown) counts as success.
   * @throws CloudError auth | throttled | transient.
   */
  terminate(ids: readonly string[], signal: AbortSignal): Promise<void>;
}
