import type { CloudDriver } from '../../contracts/cloud.ts';
import type { Clock } from '../../contracts/clock.ts';
import type { ControllerEvents, DecisionEvent, LaunchBudget } from '../../contracts/reconcile.ts';
import type { Store } from '../../contracts/store.ts';
import type { EngineRegistry } from '../../engines/registry.ts';
import type { HealthChecks } from '../health/http-prober.ts';
import type { SiteBackoff } from '../runtime/backoff.ts';
import type { ShortfallEpisodes } from './shortfall.ts';

/** What one domain's reconcile pass needs (composed by the controller runtime). */
export interface ReconcilerDeps {
  /** Required. */
  store: Store;
  /** Required. */
  clock: Clock;
  /** Required. This Phantom installation's id, carried in every instance's tags. */
  installationId: string;
  /** Required. The site's driver with the owner's credentials. @throws CloudError (e.g. auth: no credentials). */
  driverFor(owner: string, site: string): Promise<CloudDriver>;
  /** Required. Launch backoffs (per site, per user and site) and health-check replacement backoffs (per group). */
  backoff: SiteBackoff;
  /** Required. Selects each group's engine by its definition (config parsed once per group record). */
  engines: EngineRegistry;
  /** Required. Every configured site name. */
  knownSites(): readonly string[];
  /** Required. A fresh launch intent id (the client token of its launch). */
  newIntentId(): string;
  /** Required. How long an instance may be missing from its cloud (or an untracked one may exist) before acting. */
  graceMs: number;
  /** Optional. HTTP health checks of groups that define one (see domain/health-check.ts). */
  health?: HealthChecks;
  /** Optional. Launch slots of the current batch; absent = launches are not bounded per batch. */
  launchBudget?: LaunchBudget;
  /**
   * Optional. Gives the event loop a turn when one is due (the runtime's Yielder); a pass calls
   * it between its steps and every `PAUSE_EVERY` items of a loop over a domain's instances, so a
   * domain of thousands never holds the loop for long. Absent = never. Never rejects.
   */
  pause?: () => Promise<void>;
  /** Optional. Where decisions are reported; absent = nowhere. */
  events?: ControllerEvents;
  /**
   * Optional. Open shortfall episodes, kept across passes by the runtime (in memory: a restart
   * says a standing shortfall once more); absent = shortfalls are not reported.
   */
  shortfalls?: ShortfallEpisodes;
}

/** Items of a loop over a domain's instances between two calls of `pause`. */
export const PAUSE_EVERY = 500;

/** Reports one decision (never throws: ControllerEvents must not). */
export function decide(deps: ReconcilerDeps, event: DecisionEvent): void {
  deps.events?.decision(event);
}
