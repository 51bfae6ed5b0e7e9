import type { ReconcileResult } from '../contracts/reconcile.ts';
import type { DomainReads } from './domain-reads.ts';
import type { ReconcilerDeps } from './reconcile/deps.ts';
import { execute } from './reconcile/execute.ts';
import { result } from './reconcile/report.ts';
import { observe, type SiteObserver } from './reconcile/state.ts';
import { adopt, follow, forget, removeIfDeleted, shedOrphans } from './reconcile/sync.ts';

export type { ReconcilerDeps } from './reconcile/deps.ts';
export { ShortfallEpisodes } from './reconcile/shortfall.ts';
export { listDomainOnSite, type SiteObserver } from './reconcile/state.ts';

/**
 * One level-triggered pass over one domain, top-down over one in-memory state read at its start:
 * 1. observe: the group, its placement, records and pending intents, and every relevant site's
 *    instances by the domain's tags;
 * 2. adopt: launched intents and intent-tagged instances become records;
 * 3. follow: records follow their cloud's state and HTTP health verdicts; orphans are noted;
 * 4. forget: instances gone from their cloud complete their termination; orphans are shed;
 * 5. plan and execute: the group's engine decides, and the plan is carried out — intent written
 *    before each launch, the same client token on retry, ownership tags on the create call,
 *    refusals backed off and overflowed to the next site within the same pass.
 * A group being deleted is removed once nothing is left. Safe to run again at any point: it
 * never trusts what the previous pass intended to do.
 * @returns when to reconcile the domain again, if sooner than the next routine poll matters.
 * @throws whatever is not a CloudError (a bug: the runtime logs it; nothing is recorded as the
 *   user's failure), and the signal's reason when aborted.
 */
export async function reconcileDomain(
  deps: ReconcilerDeps,
  owner: string,
  groupName: string,
  signal: AbortSignal,
  using: { observe?: SiteObserver; reads?: DomainReads } = {},
): Promise<ReconcileResult> {
  const pause = async () => deps.pause?.();
  const state = await observe(deps, owner, groupName, signal, using);
  if (!state) return {};
  await pause();
  await adopt(deps, state);
  await pause();
  await follow(deps, state);
  await pause();
  await forget(deps, state);
  await shedOrphans(deps, state, signal);
  if (await removeIfDeleted(deps, state)) return {};
  await pause();
  await execute(deps, state, signal);
  await pause();
  return result(deps, state);
}
