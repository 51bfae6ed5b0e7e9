import {
  CloudError,
  type CloudDriver,
  type CloudInstance,
  type CloudErrorKind,
  type LaunchRequest,
} from '../../contracts/cloud.ts';
import type { Clock } from '../../contracts/clock.ts';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { realSleep, type Sleep } from '../../lib/sleep.ts';
import type { SimCallName } from './knobs.ts';
import { toCloudInstance, type SimInstanceRecord } from './record.ts';
import { hasTags, type SimCloudState } from './state.ts';

/** Instances per synchronous piece of a listing (a few ms of the event loop). */
export const LIST_CHUNK = 1000;

/** What a SimDriver runs on. */
export interface SimDriverOptions {
  /** Required. The site's state model (shared with whoever inspects or injures it). */
  state: SimCloudState;
  /** Required. Time source for transitions and launch times. */
  clock: Clock;
  /** Required. Uniform [0, 1) source for `loseLaunchResponseRate`; seeded in tests. */
  random: () => number;
  /** Optional. Latency sleep; default real time. */
  sleep?: Sleep;
  /**
   * Optional. Called after every call that changed the state, before the call returns (so a
   * launch is on disk before anyone can learn of it). A throw becomes CloudError `transient`.
   */
  persist?: () => void;
}

const KIND_MESSAGES: Record<CloudErrorKind, string> = {
  capacity: 'InsufficientInstanceCapacity: There is no capacity left (injected)',
  quota: 'InstanceLimitExceeded: Your quota allows for 0 more running instance(s) (injected)',
  auth: 'AuthFailure: AWS was not able to validate the provided access credentials (injected)',
  'not-found': 'InvalidInstanceID.NotFound: The instance ID does not exist (injected)',
  throttled: 'RequestLimitExceeded: Request limit exceeded (injected)',
  transient: 'InternalError: An internal error has occurred (injected)',
  invalid: 'InvalidParameterValue: Invalid request (injected)',
};

/**
 * CloudDriver over a SimCloudState, adding what belongs to the API rather than the cloud:
 * latency, injected call failures, lost launch responses, abort signals and persistence.
 * Each call: abort check → latency → abort check → injected failure → operation → persist.
 */
export class SimDriver implements CloudDriver {
  readonly site: string;
  private readonly state: SimCloudState;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly sleep: Sleep;
  private readonly persist: () => void;
  private readonly views = new WeakMap<SimInstanceRecord, CloudInstance>();
  private responsesToLose = 0;

  constructor(options: SimDriverOptions) {
    this.state = options.state;
    this.site = options.state.site;
    this.clock = options.clock;
    this.random = options.random;
    this.sleep = options.sleep ?? realSleep;
    this.persist = options.persist ?? ((): void => undefined);
  }

  /**
   * Required. Every instance (terminated/failed ones too, for the retention time) carrying all
   * of `filter.tags`; `{}` lists all. Read-only apart from due transitions. A large listing is
   * built `LIST_CHUNK` instances at a time with a turn of the event loop between (like a real
   * cloud's paged listing, an instance changed meanwhile shows its state when its chunk is read).
   * @throws CloudError from `failCalls.listInstances`; the signal's reason when aborted.
   */
  async listInstances(filter: { tags: Record<string, string> }, signal: AbortSignal): Promise<CloudInstance[]> {
    await this.enter('listInstances', signal);
    const candidates = this.state.candidates(filter.tags, this.now());
    this.save();
    const found: CloudInstance[] = [];
    for (let from = 0; from < candidates.length; from += LIST_CHUNK) {
      if (from > 0) {
        await nextTurn();
        signal.throwIfAborted();
      }
      const to = Math.min(from + LIST_CHUNK, candidates.length);
      for (let i = from; i < to; i++) if (hasTags(candidates[i]!, filter.tags)) found.push(this.view(candidates[i]!));
    }
    return found;
  }

  /**
   * Required. Launches one instance, `pending` at first. Idempotent on `clientToken`: a repeat
   * (also after a lost response) returns the instance the first call created.
   * @throws CloudError `invalid` (bad request or token reused with other parameters),
   *   `capacity` (site full, nothing created), `transient` "response lost" (the instance WAS
   *   created), any kind from `failCalls.launch`; the signal's reason when aborted (nothing created).
   */
  async launch(request: LaunchRequest, signal: AbortSignal): Promise<CloudInstance> {
    await this.enter('launch', signal);
    let record;
    try {
      record = this.state.launch(request, this.now()).record;
    } finally {
      this.save();
    }
    if (this.responsesToLose > 0 || this.draw(this.state.knobs.loseLaunchResponseRate)) {
      this.responsesToLose = Math.max(0, this.responsesToLose - 1);
      throw new CloudError('transient', 'RequestTimeout: The launch response was lost (simulated)');
    }
    return this.view(record);
  }

  /**
   * The instance as callers see it: one frozen view per record, rebuilt only when its state
   * changes, so listing a large site again and again does not copy every instance each time.
   */
  private view(record: SimInstanceRecord): CloudInstance {
    const cached = this.views.get(record);
    if (cached && cached.state === record.state && cached.stateReason === record.stateReason) return cached;
    const view = Object.freeze(toCloudInstance(record));
    this.views.set(record, view);
    return view;
  }

  /**
   * Required. Terminates instances; unknown or already terminated ids are a success. Idempotent.
   * @throws CloudError from `failCalls.terminate`; the signal's reason when aborted (nothing terminated).
   */
  async terminate(ids: readonly string[], signal: AbortSignal): Promise<void> {
    await this.enter('terminate', signal);
    try {
      this.state.terminate(ids, this.now());
    } finally {
      this.save();
    }
  }

  /** Test/ops hook: the next `count` launches succeed in the cloud but throw "response lost". */
  loseNextLaunchResponses(count = 1): void {
    this.responsesToLose += count;
  }

  private async enter(call: SimCallName, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const latency = this.state.knobs.apiLatencyMs;
    if (latency > 0) await this.sleep(latency, signal);
    signal.throwIfAborted();
    const kind = this.state.knobs.failCalls[call];
    if (kind) throw new CloudError(kind, KIND_MESSAGES[kind]);
  }

  private draw(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  private save(): void {
    if (!this.state.takeDirty()) return;
    try {
      this.persist();
    } catch (e) {
      this.state.markDirty();
      throw new CloudError('transient', 'InternalError: the simulated cloud could not save its state', { cause: e });
    }
  }
}
