import type { Plan } from '../../contracts/engine.ts';
import { decide, type ReconcilerDeps } from './deps.ts';
import { launchOne, takeLaunchSlot } from './launch.ts';
import { plan, suspendedProcesses } from './plan.ts';
import type { DomainState } from './state.ts';
import { terminate } from './terminate.ts';

/**
 * Carries out the engine's plan: retries pending intents, terminates what the plan chose,
 * then launches; a launch that backs a site off re-plans at once, so the domain overflows to
 * its next site within the same pass (at most one re-plan per site).
 */
export async function execute(deps: ReconcilerDeps, state: DomainState, signal: AbortSignal): Promise<void> {
  await retryPending(deps, state, signal);
  const suspended = suspendedProcesses(state);
  for (let round = 0; round <= state.sites.length; round++) {
    await abandonBlockedIntents(deps, state);
    const planned = await plan(deps, state, suspended);
    await deps.pause?.();
    if (round === 0) await terminate(deps, state, planned.terminations, signal);
    if (suspended.has('Launch')) return;
    if (!(await launchPlanned(deps, state, planned.launches, signal))) return;
  }
}

/** Retries every pending intent with its own client token (each takes a launch slot). */
async function retryPending(deps: ReconcilerDeps, state: DomainState, signal: AbortSignal): Promise<void> {
  await abandonBlockedIntents(deps, state);
  for (const intent of [...state.pending.values()]) {
    if (!state.pending.has(intent.intentId)) continue; // abandoned after a backoff in this loop
    if (deps.backoff.launchUntil(intent.site, state.group.owner, deps.clock.now())) continue;
    if (!takeLaunchSlot(deps, state, intent.site)) continue;
    await launchOne(deps, state, intent.site, signal, intent);
  }
  // Intents blocked by a backoff these retries started are given up by execute's first round.
}

/**
 * Pending intents on a site now backed off for this user are given up (failed), so that they
 * no longer count and the domain can overflow; an instance one made after all is adopted by its
 * tags when the site is seen again.
 */
async function abandonBlockedIntents(deps: ReconcilerDeps, state: DomainState): Promise<void> {
  const now = deps.clock.now();
  for (const intent of [...state.pending.values()]) {
    const block = deps.backoff.launchBlock(intent.site, state.group.owner, now);
    if (!block) continue;
    await deps.store.updateIntent({
      ...intent,
      state: 'failed',
      lastError: `site ${intent.site} backed off (${block.reason}) until ${block.until.toISOString()}`,
      updatedTime: now,
    });
    state.pending.delete(intent.intentId);
  }
}

/**
 * Launches what the plan asks, site by site in rank order, within the launch budget. Returns
 * true when a site refused and is now backed off (the caller re-plans).
 */
async function launchPlanned(
  deps: ReconcilerDeps,
  state: DomainState,
  launches: Plan['launches'],
  signal: AbortSignal,
): Promise<boolean> {
  for (const { site, count } of launches) {
    let launched = 0;
    for (let i = 0; i < count && takeLaunchSlot(deps, state, site); i++) {
      const outcome = await launchOne(deps, state, site, signal);
      if (outcome === 'launched') launched++;
      if (outcome === 'backed-off') {
        reportOverflow(deps, state, site, launched);
        return true;
      }
    }
    reportOverflow(deps, state, site, launched);
  }
  return false;
}

/** Launches on `site` while a higher-ranked site of the domain is backed off: an overflow decision. */
function reportOverflow(deps: ReconcilerDeps, state: DomainState, site: string, count: number): void {
  if (count === 0) return;
  const now = deps.clock.now();
  for (const higher of state.sites) {
    if (higher.site === site) return;
    const block = deps.backoff.launchBlock(higher.site, state.group.owner, now);
    if (!block) continue;
    decide(deps, {
      kind: 'overflow',
      owner: state.group.owner,
      group: state.group.name,
      site,
      count,
      reason: `from ${higher.site} (${block.reason})`,
    });
    return;
  }
}
