/**
 * The contract between the controller runtime (queues, fairness, retries, timeouts) and the
 * per-domain reconciler (one level-triggered pass over one domain). Modelled on
 * controller-runtime's `Reconcile(ctx, Request) (Result, error)`.
 */

/** What one domain's pass asks of the runtime. */
export interface ReconcileResult {
  /**
   * Optional. Reconcile this domain again after this many ms (e.g. when the earliest site
   * backoff ends, or when the pass stopped launching because its launch budget ran out).
   * Absent: the next routine poll is soon enough.
   */
  requeueAfterMs?: number;
}

/**
 * Launch slots shared by every domain in one batch of work (a routine pass or an urgent batch),
 * so that no owner can monopolise a site or hold the event loop: each (site) grants a bounded
 * number of launches per batch, shared fairly between owners.
 */
export interface LaunchBudget {
  /**
   * Takes one launch slot for `owner` on `site`. Returns false when this batch has no slot left
   * for that owner there: the reconciler stops launching on that site for now and asks to be
   * requeued. Never throws; not idempotent (each true is one slot used).
   */
  take(owner: string, site: string): boolean;
}

/** Decisions the controller logs (one JSON line each at info) and counts in its metrics. */
export type DecisionKind =
  | 'launch'
  | 'launch-failed'
  | 'terminate'
  | 'replace'
  | 'shed'
  | 'overflow'
  | 'backoff-start'
  | 'backoff-end'
  | 'shortfall'
  | 'shortfall-end'
  | 'replacement-backoff';

/** One decision of the controller, as logged. Never carries a secret. */
export interface DecisionEvent {
  kind: DecisionKind;
  owner: string;
  /** Absent for site-wide events (e.g. a capacity backoff that applies to every owner). */
  group?: string;
  site?: string;
  /** How many instances the decision concerns (launches, terminations); 1 when absent. */
  count?: number;
  /** Why, in words a user would understand (e.g. "capacity", "unhealthy", "scale-in"). */
  reason: string;
  /** The activity that records it for the user, when there is one. */
  activityId?: string;
  /** For backoffs: when the site (or replacement) is usable again. */
  until?: Date;
}

/**
 * Where the controller reports what it does: decisions, reconcile passes and cloud calls. The
 * runtime wires it to the JSON log and the Prometheus metrics. Every method is required, must
 * not throw and must return quickly (no I/O on the caller's path).
 */
export interface ControllerEvents {
  decision(event: DecisionEvent): void;
  /**
   * One routine pass (or urgent batch) ended. `longestHoldMs`: the longest it held the event
   * loop at once (one synchronous slice between two turns), when measured.
   */
  pass(report: { kind: 'routine' | 'urgent'; domains: number; durationMs: number; longestHoldMs?: number }): void;
  /** One cloud call ended; `errorKind` is the CloudError kind when it failed. */
  cloudCall(call: { site: string; operation: string; durationMs: number; errorKind?: string }): void;
}

/** Events that go nowhere (tests, and code paths that report nothing). */
export const silentEvents: ControllerEvents = {
  decision: () => undefined,
  pass: () => undefined,
  cloudCall: () => undefined,
};
