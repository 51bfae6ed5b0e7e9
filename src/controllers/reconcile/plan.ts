import type { EngineInstance, EngineSite, Plan } from '../../contracts/engine.ts';
import type { ReconcilerDeps } from './deps.ts';
import { live, type DomainState } from './state.ts';

/** The processes SuspendProcesses holds back; none while the group is being deleted (torn down regardless, as ForceDelete). */
export function suspendedProcesses(state: DomainState): Set<string> {
  return new Set(state.group.deleting ? [] : state.group.suspendedProcesses.map((p) => p.processName));
}

/** How many healthy instances the domain should have. */
export const desiredOf = (state: DomainState): number => (state.group.deleting ? 0 : state.group.desiredCapacity);

/**
 * The instances the engine counts: live records not being terminated, and pending intents (in
 * flight: healthy and protected). An instance failing a health check it never passed counts as
 * healthy while the group's replacements are backed off: neither replaced nor launched for.
 */
export function engineInstances(deps: ReconcilerDeps, state: DomainState, now: Date): EngineInstance[] {
  const held = deps.backoff.replacementUntil(state.group.owner, state.group.name, now) !== undefined;
  const instances: EngineInstance[] = [];
  for (const r of state.records.values()) {
    if (!live(r) || r.lifecycleState === 'Terminating') continue;
    const healthy =
      r.healthStatus === 'Healthy' || (held && state.failedChecks.get(r.instanceId)?.neverPassed === true);
    instances.push({
      instanceId: r.instanceId,
      site: r.site,
      healthy,
      launchedAt: r.createdTime,
      protectedFromScaleIn: r.protectedFromScaleIn,
    });
  }
  for (const i of state.pending.values())
    instances.push({
      instanceId: i.intentId,
      site: i.site,
      healthy: true,
      launchedAt: i.createdTime,
      protectedFromScaleIn: true,
    });
  return instances;
}

/** The domain's sites as the engine sees them at `now`: each with the backoff that holds this user's launches. */
export function engineSites(deps: ReconcilerDeps, state: DomainState, now: Date): EngineSite[] {
  return state.sites.map((s) => {
    const backedOffUntil = deps.backoff.launchUntil(s.site, state.group.owner, now);
    return backedOffUntil ? { ...s, backedOffUntil } : s;
  });
}

/**
 * Asks the group's engine what to do now; terminations of suspended kinds are held back.
 * Pauses (`deps.pause`) between building the engine's view and its decision.
 */
export async function plan(deps: ReconcilerDeps, state: DomainState, suspended: ReadonlySet<string>): Promise<Plan> {
  const now = deps.clock.now();
  const instances = engineInstances(deps, state, now);
  await deps.pause?.();
  const decided = state.engine.decide({
    desired: desiredOf(state),
    sites: engineSites(deps, state, now),
    instances,
    now,
  });
  const terminations = decided.terminations.filter((t) =>
    t.reason === 'unhealthy' ? !suspended.has('ReplaceUnhealthy') : !suspended.has('Terminate'),
  );
  return { launches: decided.launches, terminations };
}
