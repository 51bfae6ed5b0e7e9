import type { GroupRecord, InstanceRecord, LaunchIntentRecord } from '../../contracts/records.ts';
import type { Store } from '../../contracts/store.ts';
import { directReads, type DomainReads } from '../domain-reads.ts';

/** One owner's records as read in bulk at the first need of a routine pass. */
interface OwnerRecords {
  groups: Map<string, GroupRecord>;
  launchConfigurationNames: string[];
  instances: Map<string, InstanceRecord[]>;
  pendingIntents: Map<string, LaunchIntentRecord[]>;
}

/** Which records changed since a snapshot was read (marked synchronously by whoever writes). */
export interface ChangedSince {
  /** Whether the group (or everything of its owner) may have been written since the pass began. */
  has(owner: string, groupName: string): boolean;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(key(item));
    if (list) list.push(item);
    else map.set(key(item), [item]);
  }
  return map;
}

/**
 * The store reads of a routine pass: each owner's groups, launch configuration names,
 * instances and pending intents read in four bulk queries at first need, instead of four
 * queries per domain. A domain whose records may have changed since (an API write touched
 * it, or the controller reconciled it) is read from the store directly, so no domain acts on
 * data older than its last write. Only the API and the controller write these records; the
 * CLI's writes (users, keys, credentials) never touch them. Make a new one per pass.
 */
export class PassSnapshot implements DomainReads {
  private readonly owners = new Map<string, Promise<OwnerRecords>>();
  private readonly direct: DomainReads;

  constructor(
    private readonly store: Store,
    private readonly changed: ChangedSince,
  ) {
    this.direct = directReads(store);
  }

  async group(owner: string, name: string): Promise<GroupRecord | undefined> {
    return this.changed.has(owner, name) ? this.direct.group(owner, name) : (await this.of(owner)).groups.get(name);
  }

  async launchConfigurationNames(owner: string): Promise<string[]> {
    return this.changed.has(owner, '') ? this.direct.launchConfigurationNames(owner) : (await this.of(owner)).launchConfigurationNames;
  }

  async instances(owner: string, groupName: string): Promise<InstanceRecord[]> {
    return this.changed.has(owner, groupName) ? this.direct.instances(owner, groupName) : [...((await this.of(owner)).instances.get(groupName) ?? [])];
  }

  async pendingIntents(owner: string, groupName: string): Promise<LaunchIntentRecord[]> {
    return this.changed.has(owner, groupName) ? this.direct.pendingIntents(owner, groupName) : [...((await this.of(owner)).pendingIntents.get(groupName) ?? [])];
  }

  private of(owner: string): Promise<OwnerRecords> {
    let records = this.owners.get(owner);
    if (!records) {
      records = this.read(owner);
      this.owners.set(owner, records);
    }
    return records;
  }

  private async read(owner: string): Promise<OwnerRecords> {
    const [groups, configurations, instances, intents] = [
      await this.store.listGroups(owner, { limit: Number.MAX_SAFE_INTEGER }),
      await this.store.listLaunchConfigurations(owner, { limit: Number.MAX_SAFE_INTEGER }),
      await this.store.listInstances(owner, {}),
      await this.store.listIntents({ owner, states: ['pending'] }),
    ];
    return {
      groups: new Map(groups.map((g) => [g.name, g])),
      launchConfigurationNames: configurations.map((c) => c.name),
      instances: groupBy(instances, (i) => i.groupName),
      pendingIntents: groupBy(intents, (i) => i.groupName),
    };
  }
}
