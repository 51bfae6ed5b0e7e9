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
  /** Optional. Called (once per verdict) when an instance reaches its failure count, so its group is reconciled at once. */
  onUnhealthy?: (owner: string, groupName: string) => void;
}

interface ProbeState {
  failures: number;
  lastStartedAt: number;
  inFlight?: Promise<void>;
  lastFailure?: string;
}

/**
 * HTTP health checks (DESIGN.md §2, issue 3): probes run in the background, never inside a
 * reconcile pass, and the pass reads their verdicts. A probe passes on 2xx/3xx within the
 * timeout (redirects are not followed); anything else, a refused connection included, fails.
 */
export class HttpHealthProber implements HealthChecks {
  private readonly states = new Map<string, ProbeState>();

  constructor(private readonly options: HttpHealthProberOptions) {}

  verdict(owner: string, groupName: string, check: HttpHealthCheck, instance: CheckedInstance): string | undefined {
    let state = this.states.get(instance.id);
    if (!state) {
      state = { failures: 0, lastStartedAt: Number.NEGATIVE_INFINITY };
      this.states.set(instance.id, state);
    }
    const now = this.options.clock.now().getTime();
    if (!state.inFlight && now - state.lastStartedAt >= this.options.intervalMs) {
      state.lastStartedAt = now;
      const probing = state;
      probing.inFlight = this.probe(check, instance).then((failure) => {
        probing.inFlight = undefined;
        const was = probing.failures;
        probing.failures = failure === undefined ? 0 : probing.failures + 1;
        probing.lastFailure = failure;
        if (probing.failures === check.failures && was < check.failures) this.options.onUnhealthy?.(owner, groupName);
      });
    }
    return state.failures >= check.failures
      ? `HTTP health check failed ${state.failures} times in a row: ${state.lastFailure}`
      : undefined;
  }

  forget(instanceId: string): void {
    this.states.delete(instanceId);
  }

  /** Resolves once no probe is in flight (tests; shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.states.values()].map((s) => s.inFlight ?? Promise.resolve()));
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
