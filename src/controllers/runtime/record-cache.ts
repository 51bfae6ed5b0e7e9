import type { GroupRecord, InstanceRecord, LaunchIntentRecord } from '../../contracts/records.ts';
import type { Store } from '../../contracts/store.ts';
import { directReads, visitInstancePages, type DomainReads } from '../domain-reads.ts';
import { groupBy } from '../../lib/group-by.ts';

/** One owner's records as read in bulk, and from which point of the write sequence. */
interface OwnerEntry {
  /** The mark sequence number when the bulk read began: marks after it make records stale. */
  readSeq: number;
  readAt: number;
  records: Promise<{
    groups: Map<string, GroupRecord>;
    launchConfigurationNames: string[];
    instances: Map<string, InstanceRecord[]>;
    pendingIntents: Map<string, LaunchIntentRecord[]>;
  }>;
}

/** Options of RecordCache. */
export interface RecordCacheOptions {
  /** Required. Monotonic enough milliseconds (the reconciler's clock). */
  now: () => number;
  /** Required. An owner's records are read afresh at least this often, whatever the marks say. */
  maxAgeMs: number;
}

/**
 * The controller's view of the store for routine passes, kept between passes: each owner's
 * groups, launch configuration names, instances (in pages) and pending intents read in bulk,
 * instead of four queries per domain per pass. Whoever writes marks what it wrote — the API
 * (after each write, the group or the whole owner) and the controller (each domain it changed)
 * — and a marked group is read from the store again (and cached anew) at its next read, so no
 * domain acts on records older than its last write. The CLI's writes (users, keys, credentials,
 * sites) never touch these records. `prune()` between passes drops owners marked as a whole
 * and owners read longer than `maxAgeMs` ago (a safety net), to be read in bulk again.
 */
export class RecordCache implements DomainReads {
  private seq = 0;
  private readonly ownerMarks = new Map<string, number>();
  private readonly groupMarks = new Map<string, Map<string, number>>();
  private readonly owners = new Map<string, OwnerEntry>();
  private readonly direct: DomainReads;

  constructor(
    private readonly store: Store,
    private readonly options: RecordCacheOptions,
  ) {
    this.direct = directReads(store);
  }

  /** The group's records may have changed (call once the write has committed). */
  markGroup(owner: string, groupName: string): void {
    let marks = this.groupMarks.get(owner);
    if (!marks) this.groupMarks.set(owner, (marks = new Map()));
    marks.set(groupName, ++this.seq);
  }

  /** Any of the owner's records may have changed. */
  markOwner(owner: string): void {
    this.ownerMarks.set(owner, ++this.seq);
  }

  /** Drops owners whose cache is older than `maxAgeMs` or carries an owner-wide mark. */
  prune(): void {
    const now = this.options.now();
    for (const [owner, entry] of this.owners) {
      if ((this.ownerMarks.get(owner) ?? 0) > entry.readSeq || now - entry.readAt > this.options.maxAgeMs)
        this.owners.delete(owner);
    }
  }

  async group(owner: string, name: string): Promise<GroupRecord | undefined> {
    return (await this.view(owner, name)).group;
  }

  async launchConfigurationNames(owner: string): Promise<string[]> {
    const entry = this.entry(owner);
    const { launchConfigurationNames } = await entry.records;
    return (this.ownerMarks.get(owner) ?? 0) > entry.readSeq
      ? this.direct.launchConfigurationNames(owner)
      : launchConfigurationNames;
  }

  async instances(owner: string, groupName: string): Promise<InstanceRecord[]> {
    return [...(await this.view(owner, groupName)).instances];
  }

  async pendingIntents(owner: string, groupName: string): Promise<LaunchIntentRecord[]> {
    return [...(await this.view(owner, groupName)).pendingIntents];
  }

  /**
   * One group's records: from the cache, or — when the group is marked — read from the store
   * and put back in the cache (unless yet another write was marked meanwhile).
   */
  private async view(
    owner: string,
    groupName: string,
  ): Promise<{ group?: GroupRecord; instances: InstanceRecord[]; pendingIntents: LaunchIntentRecord[] }> {
    const entry = this.entry(owner);
    const cached = await entry.records;
    // Marks are read after the bulk read has answered: one made while it ran may not be in it.
    const ownerMarked = (this.ownerMarks.get(owner) ?? 0) > entry.readSeq;
    const mark = this.groupMarks.get(owner)?.get(groupName);
    if (!ownerMarked && mark === undefined) {
      return {
        group: cached.groups.get(groupName),
        instances: cached.instances.get(groupName) ?? [],
        pendingIntents: cached.pendingIntents.get(groupName) ?? [],
      };
    }
    const group = await this.direct.group(owner, groupName);
    const instances = await this.direct.instances(owner, groupName);
    const pendingIntents = await this.direct.pendingIntents(owner, groupName);
    const marks = this.groupMarks.get(owner);
    if (!ownerMarked && this.owners.get(owner) === entry && marks?.get(groupName) === mark) {
      if (group) cached.groups.set(groupName, group);
      else cached.groups.delete(groupName);
      cached.instances.set(groupName, instances);
      cached.pendingIntents.set(groupName, pendingIntents);
      marks?.delete(groupName);
    }
    return { group, instances, pendingIntents };
  }

  private entry(owner: string): OwnerEntry {
    let entry = this.owners.get(owner);
    if (!entry) {
      entry = { readSeq: this.seq, readAt: this.options.now(), records: this.read(owner) };
      entry.records.catch(() => this.owners.delete(owner)); // a failed read is retried next time
      this.owners.set(owner, entry);
      // Marks up to here are in what is being read.
      const readSeq = entry.readSeq;
      const marks = this.groupMarks.get(owner);
      for (const [group, seq] of marks ?? []) if (seq <= readSeq) marks!.delete(group);
      if ((this.ownerMarks.get(owner) ?? 0) <= readSeq) this.ownerMarks.delete(owner);
    }
    return entry;
  }

  private async read(owner: string) {
    const groups = await this.store.listGroups(owner, { limit: Number.MAX_SAFE_INTEGER });
    const configurations = await this.store.listLaunchConfigurations(owner, { limit: Number.MAX_SAFE_INTEGER });
    // Grouped page by page: grouping 50,000 at once would hold the event loop for long.
    const instances = new Map<string, InstanceRecord[]>();
    await visitInstancePages(this.store, owner, undefined, (page) => {
      for (const instance of page) {
        const members = instances.get(instance.groupName);
        if (members) members.push(instance);
        else instances.set(instance.groupName, [instance]);
      }
    });
    const intents = await this.store.listIntents({ owner, states: ['pending'] });
    return {
      groups: new Map(groups.map((g) => [g.name, g])),
      launchConfigurationNames: configurations.map((c) => c.name),
      instances,
      pendingIntents: groupBy(intents, (i) => i.groupName),
    };
  }
}
