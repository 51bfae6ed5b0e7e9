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

/** Reads straight from the store (always current). */
export const directReads = (store: Store): DomainReads => ({
  group: (owner, name) => store.getGroup(owner, name),
  launchConfigurationNames: async (owner) =>
    (await store.listLaunchConfigurations(owner, { limit: Number.MAX_SAFE_INTEGER })).map((lc) => lc.name),
  instances: (owner, groupName) => store.listInstances(owner, { groupName }),
  pendingIntents: (owner, groupName) => store.listIntents({ owner, groupName, states: ['pending'] }),
});
