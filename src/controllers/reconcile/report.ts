import type { ReconcileResult } from '../../contracts/reconcile.ts';
import { recordShortfall } from '../../services/activities.ts';
import { decide, type ReconcilerDeps } from './deps.ts';
import { desiredOf, engineInstances, suspendedProcesses } from './plan.ts';
import { live, type DomainState } from './state.ts';

/** How soon a domain whose launch budget ran out asks to be reconciled again. */
export const LAUNCH_BUDGET_REQUEUE_MS = 250;

/**
 * What the pass asks of the runtime: a short requeue when the launch budget ran out; when the
 * domain is short, the earliest end of a backoff that holds it (a site's, or the group's
 * replacement backoff). Also says a shortfall once per episode, and its end.
 */
export async function result(deps: ReconcilerDeps, state: DomainState): Promise<ReconcileResult> {
  const now = deps.clock.now();
  const { owner, name } = state.group;
  const instances = engineInstances(deps, state, now);
  await deps.pause?.();
  const missing = desiredOf(state) - instances.filter((i) => i.healthy).length;
  const waits: number[] = [];
  if (state.budgetSpent.size > 0) waits.push(LAUNCH_BUDGET_REQUEUE_MS);
  const replacement = state.failedChecks.size > 0 ? deps.backoff.replacementUntil(owner, name, now) : undefined;
  if (replacement) waits.push(replacement.getTime() - now.getTime());
  if (missing > 0) {
    for (const { site } of state.sites) {
      const until = deps.backoff.launchUntil(site, owner, now);
      if (until) waits.push(until.getTime() - now.getTime());
    }
  }
  await sayShortfall(deps, state, missing, instances, now);
  return waits.length > 0 ? { requeueAfterMs: Math.max(1, Math.min(...waits)) } : {};
}

/**
 * A shortfall episode starts when the domain is short and nothing more can be launched: every
 * site is full (at its cap) or backed off, and neither the budget nor a suspension is the
 * cause. It ends once the group's instances reach the desired count again.
 */
async function sayShortfall(
  deps: ReconcilerDeps,
  state: DomainState,
  missing: number,
  instances: ReturnType<typeof engineInstances>,
  now: Date,
): Promise<void> {
  const episodes = deps.shortfalls;
  if (!episodes) return;
  const { group } = state;
  const recorded = [...state.records.values()].filter((r) => live(r) && r.lifecycleState !== 'Terminating');
  if (recorded.filter((r) => r.healthStatus === 'Healthy').length >= desiredOf(state)) {
    if (episodes.end(group.owner, group.name))
      decide(deps, { kind: 'shortfall-end', owner: group.owner, group: group.name, reason: 'recovered' });
    return;
  }
  if (missing <= 0 || state.budgetSpent.size > 0 || suspendedProcesses(state).has('Launch')) return;
  const why = blockedSites(deps, state, instances, now);
  if (why === undefined || !episodes.start(group.owner, group.name)) return;
  const activityId = await recordShortfall(deps.store, group, missing, why, now);
  decide(deps, { kind: 'shortfall', owner: group.owner, group: group.name, count: missing, reason: why, activityId });
}

/** "every site is full or backed off (hotel: capacity until …, sierra: full at 2)", or undefined when one has room. */
function blockedSites(
  deps: ReconcilerDeps,
  state: DomainState,
  instances: ReturnType<typeof engineInstances>,
  now: Date,
): string | undefined {
  const parts: string[] = [];
  for (const { site, max } of state.sites) {
    const block = deps.backoff.launchBlock(site, state.group.owner, now);
    const onSite = instances.filter((i) => i.healthy && i.site === site).length;
    if (block) parts.push(`${site}: ${block.reason} until ${block.until.toISOString()}`);
    else if (max >= 0 && onSite >= max) parts.push(`${site}: full at ${max}`);
    else return undefined;
  }
  return parts.length > 0 ? `every site is full or backed off (${parts.join(', ')})` : 'it has no usable site';
}
