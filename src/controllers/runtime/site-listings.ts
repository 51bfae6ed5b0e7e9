import type { CloudDriver, CloudInstance } from '../../contracts/cloud.ts';
import type { SiteObserver } from '../domain-reconciler.ts';
import { ownerTags, TAG } from '../ownership.ts';
import { PAUSE_EVERY } from '../reconcile/deps.ts';

/**
 * One routine pass's view of the clouds: each (owner, site) is listed once, by the owner's
 * tags, on first need, and split by the group tag, so cloud calls per pass scale with sites
 * (times owners with keys of their own), not with domains or instances. A failed listing is
 * remembered too: every domain of that owner leaves the site alone this pass.
 * Not reusable across passes: make a new one per pass.
 */
export class SiteListings {
  private readonly listings = new Map<string, Promise<Map<string, CloudInstance[]>>>();

  constructor(
    private readonly installationId: string,
    private readonly driverFor: (owner: string, site: string) => Promise<CloudDriver>,
    /** Optional. Gives the event loop a turn when due, while a large listing is split by group. */
    private readonly pause?: () => Promise<void>,
  ) {}

  /** The observer to hand to `reconcileDomain`. */
  readonly observe: SiteObserver = async (owner, site, groupName, signal) => {
    const key = `${owner}\u0000${site}`;
    let listing = this.listings.get(key);
    if (!listing) {
      listing = this.list(owner, site, signal);
      listing.catch(() => undefined); // observed (and rethrown) by every caller
      this.listings.set(key, listing);
    }
    return (await listing).get(groupName) ?? [];
  };

  private async list(owner: string, site: string, signal: AbortSignal): Promise<Map<string, CloudInstance[]>> {
    const instances = await (
      await this.driverFor(owner, site)
    ).listInstances({ tags: ownerTags(this.installationId, owner) }, signal);
    const byGroup = new Map<string, CloudInstance[]>();
    let n = 0;
    for (const instance of instances) {
      if (++n % PAUSE_EVERY === 0) await this.pause?.();
      const group = instance.tags[TAG.group];
      if (group === undefined) continue;
      const list = byGroup.get(group);
      if (list) list.push(instance);
      else byGroup.set(group, [instance]);
    }
    return byGroup;
  }
}
