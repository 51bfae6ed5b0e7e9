import { setImmediate as nextTurn } from 'node:timers/promises';
import type { GroupRecord, InstanceRecord, LaunchIntentRecord } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';

/**
 * The store reads a domain's reconcile pass starts from. Directly from the store by default;
 * the controller's routine pass serves them from one bulk read per owner (a pass snapshot),
 * falling back to the store for any domain written since.
 */
export interface DomainReads {
  /** The group, or undefined when it no longer exists. */
  group(owner: string, name: string): Promise<GroupRecord | undefined>;
  /** Names of every launch configuration the owner has (placement resolves `name@site` entries). */
  launchConfigurationNames(owner: string): Promise<string[]>;
  /** The group's instance records. */
  instances(owner: string, groupName: string): Promise<InstanceRecord[]>;
  /** The group's launch intents still pending. */
  pendingIntents(owner: string, groupName: string): Promise<LaunchIntentRecord[]>;
}

/**
 * Rows per query of `listInstancesInPages`: about 1.5–3 ms of the event loop each (SQLite,
 * Kysely and the row mapping), where pages of 1,000 held it for 6–16 ms.
 */
export const INSTANCE_PAGE_SIZE = 250;

/**
 * Hands `visit` the owner's instances (of one group when `groupName` is given), sorted by
 * instance id, `pageSize` rows at a time by instance id with a turn of the event loop between
 * pages, so a large read never holds the loop for long (and neither does what `visit` does
 * with a page). Each instance appears once, as read by its page; the pages are not one
 * snapshot (an instance written meanwhile may be read before or after the write, as with any
 * read that starts before a write).
 * @throws whatever the store's `listInstances` or `visit` throws.
 */
export async function visitInstancePages(
  store: Store,
  owner: string,
  groupName: string | undefined,
  visit: (page: InstanceRecord[]) => void,
  pageSize = INSTANCE_PAGE_SIZE,
): Promise<void> {
  for (let after: string | undefined; ;) {
    const page = await store.listInstances(owner, {
      ...(groupName === undefined ? {} : { groupName }),
      ...(after === undefined ? {} : { after }),
      limit: pageSize,
    });
    visit(page);
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.instanceId;
    await nextTurn();
  }
}

/**
 * The owner's instances (of one group when `groupName` is given), sorted by instance id, read
 * in pages as `visitInstancePages` reads them.
 * @throws whatever the store's `listInstances` throws.
 */
export async function listInstancesInPages(
  store: Store,
  owner: string,
  groupName?: string,
  pageSize = INSTANCE_PAGE_SIZE,
): Promise<InstanceRecord[]> {
  const all: InstanceRecord[] = [];
  await visitInstancePages(
    store,
    owner,
    groupName,
    (page) => {
      for (const instance of page) all.push(instance);
    },
    pageSize,
  );
  return all;
}

/** Reads straight from the store (always current; a group's instances in pages). */
export const directReads = (store: Store): DomainReads => ({
  group: (owner, name) => store.getGroup(owner, name),
  launchConfigurationNames: async (owner) =>
    (await store.listLaunchConfigurations(owner, { limit: Number.MAX_SAFE_INTEGER })).map((lc) => lc.name),
  instances: (owner, groupName) => listInstancesInPages(store, owner, groupName),
  pendingIntents: (owner, groupName) => store.listIntents({ owner, groupName, states: ['pending'] }),
});
