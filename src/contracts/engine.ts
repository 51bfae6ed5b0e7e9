/**
 * Decision engines are pure: decide(input) → plan, no clock reads, no I/O, no randomness
 * unless injected (DESIGN.md §2, §4). The reconciler gathers the input and executes the plan.
 */

/** A site of the domain's ranked list; `max` -1 = unlimited. Rank = position in the list. */
export interface EngineSite {
  site: string;
  max: number;
  /** The site refuses launches (capacity/quota backoff) until this instant; absent = usable. */
  backedOffUntil?: Date;
}

/** An instance the engine counts. */
export interface EngineInstance {
  instanceId: string;
  site: string;
  /** Pending or running and not marked unhealthy: counts toward the desired number. */
  healthy: boolean;
  /** Launch time (oldest first is a tie-breaker when choosing what to terminate). */
  launchedAt: Date;
  /** Protected from scale-in (never chosen to shrink the domain). */
  protectedFromScaleIn?: boolean;
}

export interface EngineInput {
  /** How many healthy instances the domain should have. */
  desired: number;
  sites: readonly EngineSite[];
  instances: readonly EngineInstance[];
  now: Date;
}

/** What to do this pass. */
export interface Plan {
  /** How many instances to launch on each site (sites in rank order, counts > 0). */
  launches: Array<{ site: string; count: number }>;
  /** Instances to terminate, each with the reason shown in its activity. */
  terminations: Array<{ instanceId: string; reason: 'unhealthy' | 'scale-in' | 'over-site-cap' }>;
}

/** A named policy. `parseConfig` validates the engine's own settings. */
export interface DecisionEngine<C = unknown> {
  readonly name: string;
  /** @throws Error naming the offending field. */
  parseConfig(raw: unknown): C;
  decide(input: EngineInput, config: C): Plan;
}
