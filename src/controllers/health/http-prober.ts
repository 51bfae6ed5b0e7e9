import type { Clock } from '../../contracts/clock.ts';
import { healthCheckTarget, type CheckedInstance, type HttpHealthCheck } from '../../domain/health-check.ts';

/** What the reconciler asks of the HTTP health checks (see HttpHealthProber). */
export interface HealthChecks {
  /**
   * Required. The verdict so far on one in-service instance past its grace period: the last
   * failure's description once `check.failures` consecutive probes have failed, else
   * undefined. Starts a probe in the background when one is due. Never throws.
   */
  verdict(owner: string, groupName: string, check: HttpHealthCheck, instance: CheckedInstance): string | undefined;
  /** Required. Whether any probe of the instance has passed since it was first checked. Never throws. */
  passedOnce(instanceId: string): boolean;
  /** Required. Drops what is known of an instance (it is gone). Idempotent. */
  forget(instanceId: string): void;
}

/** Options of HttpHealthProber. */
export interface HttpHealthProberOptions {
  /** Required. Time source (when a probe is due). */
  clock: Clock;
  /** Required. Least time between two probes of one instance. */
  intervalMs: number;
  /** Required. A probe without an answer within this time fails. */
  timeoutMs: number;
  /** Optional. Hosts a URL may name besides the instance's own address (config `healthChecks.allowHosts`); default none. */
  allowHosts?: readonly string[];
  /** Optional. Most probes in flight at once, across every group (default 16); due probes queue in order. */
  maxInFlight?: number;
  /** Optional. Called (once per verdict) when an instance reaches its failure count, so its group is reconciled at once. */
  onUnhealthy?: (owner: string, groupName: string) => void;
}

interface ProbeState {
  failures: number;
  lastStartedAt: number;
  /** Queued or running: no other probe of the instance starts meanwhile. */
  busy: boolean;
  passed: boolean;
  lastFailure?: string;
}

interface DueProbe {
  owner: string;
  groupName: string;
  check: HttpHealthCheck;
  instance: CheckedInstance;
  state: ProbeState;
}

const DEFAULT_MAX_IN_FLIGHT = 16;

/**
 * HTTP health checks (DESIGN.md §2): probes run in the background, never inside a reconcile
 * pass, and the pass reads their verdicts. Bounded: each instance is probed at most once per
 * `intervalMs`, and at most `maxInFlight` probes run at once across all groups. A probe passes
 * on 2xx/3xx within the timeout (redirects are not followed); anything else, a refused
 * connection included, fails.
 */
export class HttpHealthProber implements HealthChecks {
  private readonly states = new Map<string, ProbeState>();
  /** Probes due but waiting for a slot; each instance at most once (its `busy` flag). */
  private readonly queue: DueProbe[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly maxInFlight: number;

  constructor(private readonly options: HttpHealthProberOptions) {
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  }

  verdict(owner: string, groupName: string, check: HttpHealthCheck, instance: CheckedInstance): string | undefined {
    let state = this.states.get(instance.id);
    if (!state) {
      state = { failures: 0, lastStartedAt: Number.NEGATIVE_INFINITY, busy: false, passed: false };
      this.states.set(instance.id, state);
    }
    const now = this.options.clock.now().getTime();
    if (!state.busy && now - state.lastStartedAt >= this.options.intervalMs) {
      state.busy = true;
      this.queue.push({ owner, groupName, check, instance, state });
      this.startDue();
    }
    return state.failures >= check.failures
      ? `HTTP health check failed ${state.failures} times in a row: ${state.lastFailure}`
      : undefined;
  }

  passedOnce(instanceId: string): boolean {
    return this.states.get(instanceId)?.passed ?? false;
  }

  forget(instanceId: string): void {
    this.states.delete(instanceId);
  }

  /** Resolves once no probe is queued or in flight (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Starts queued probes while slots are free; a probe of a forgotten instance is dropped. */
  private startDue(): void {
    while (this.running.size < this.maxInFlight) {
      const due = this.queue.shift();
      if (!due) return;
      if (this.states.get(due.instance.id) !== due.state) continue;
      due.state.lastStartedAt = this.options.clock.now().getTime();
      const run = this.run(due).finally(() => {
        this.running.delete(run);
        this.startDue();
      });
      this.running.add(run);
    }
  }

  private async run({ owner, groupName, check, instance, state }: DueProbe): Promise<void> {
    const failure = await this.probe(check, instance);
    state.busy = false;
    const was = state.failures;
    state.failures = failure === undefined ? 0 : state.failures + 1;
    state.passed ||= failure === undefined;
    state.lastFailure = failure;
    if (state.failures === check.failures && was < check.failures) this.options.onUnhealthy?.(owner, groupName);
  }

  /** One probe: undefined when it passed, else why it failed. Never rejects. */
  private async probe(check: HttpHealthCheck, instance: CheckedInstance): Promise<string | undefined> {
    const target = healthCheckTarget(check, instance, this.options.allowHosts ?? []);
    if ('refused' in target) return target.refused;
    const { url } = target;
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(this.options.timeoutMs) });
      await response.body?.cancel();
      return response.status >= 200 && response.status < 400 ? undefined : `GET ${url} answered ${response.status}`;
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${this.options.timeoutMs} ms`
          : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
      return `GET ${url} failed: ${reason}`;
    }
  }
}
