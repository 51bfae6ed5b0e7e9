import type { Logger } from 'pino';
import type { CloudDriver } from '../../contracts/cloud.ts';
import type { ControllerEvents, LaunchBudget } from '../../contracts/reconcile.ts';
import type { DomainReads } from '../domain-reads.ts';
import type { ReconcilerDeps, SiteObserver } from '../domain-reconciler.ts';
import { TAG } from '../ownership.ts';
import type { FairLaunchBudget } from './launch-budget.ts';
import { meteredDriver, type CloudCallCounts } from './metered-driver.ts';
import { yieldingDriver, yieldingStore, type Yielder } from './yielding.ts';

/** A domain in the controller's queues. */
export type Key = { owner: string; group: string };
export const keyOf = (owner: string, group: string): string => `${owner}\u0000${group}`;
export const keyFrom = (key: string): Key => {
  const [owner, group] = key.split('\u0000') as [string, string];
  return { owner, group };
};

/** What the domains of one batch (a routine pass or an urgent batch) share. */
export interface Batch {
  deps: ReconcilerDeps;
  budget: FairLaunchBudget;
  using: { observe?: SiteObserver; reads?: DomainReads };
  /** Domains refused a launch slot in this batch. */
  outOfBudget: Array<[string, Key]>;
}

/**
 * The reconciler's deps for one batch: every cloud call counted in `counts` (launches logged at
 * debug), and every store and cloud call giving the event loop a turn when one is due.
 */
export function batchDeps(
  base: ReconcilerDeps,
  counts: CloudCallCounts,
  log: Logger,
  yielder: Yielder,
  events?: ControllerEvents,
): ReconcilerDeps {
  const onLaunch = log.isLevelEnabled('debug')
    ? (request: { tags: Record<string, string> }) =>
        log.debug({ group: request.tags[TAG.group], at: Date.now() }, 'launch call')
    : undefined;
  // Wrapped once per driver and batch: the provider hands out the same driver until it changes.
  const wrapped = new WeakMap<CloudDriver, CloudDriver>();
  return {
    ...base,
    ...(events ? { events } : {}),
    store: yieldingStore(base.store, yielder),
    pause: () => yielder.maybe(),
    driverFor: async (owner, site) => {
      const driver = await base.driverFor(owner, site);
      yielder.resumed(); // opening a driver may have let the loop turn (a sim loads its state file in pieces)
      let wrapper = wrapped.get(driver);
      if (!wrapper)
        wrapped.set(driver, (wrapper = yieldingDriver(meteredDriver(driver, counts, onLaunch, events), yielder)));
      return wrapper;
    },
  };
}

/** One domain's view of the batch's budget: adds to `refusedOn` each site where a slot was refused. */
export function recordingRefusals(budget: LaunchBudget, refusedOn: Set<string>): LaunchBudget {
  return {
    take: (owner, site) => {
      if (budget.take(owner, site)) return true;
      refusedOn.add(site);
      return false;
    },
  };
}
