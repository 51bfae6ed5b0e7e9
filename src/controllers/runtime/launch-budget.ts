import { groupBy } from '../../lib/group-by.ts';
import type { LaunchBudget } from '../../contracts/reconcile.ts';

/**
 * The launch slots of one batch (a routine pass or an urgent batch): each site grants at most
 * `perSite` launches, and each owner at most its share of them, `ceil(perSite / owners)`, where
 * `owners` is how many owners have domains in the batch. So no owner can take a site's slots
 * from another owner later in the same batch, and a batch's launches (its cloud calls and
 * store writes) stay bounded however much is wanted. Slots an owner leaves unused are not
 * handed on within the batch: refused domains are requeued for the next batch, which runs
 * right after. Not thread-safe; one instance per batch.
 */
export class FairLaunchBudget implements LaunchBudget {
  private readonly share: number;
  private readonly grantedOn = new Map<string, number>();
  private readonly grantedTo = new Map<string, number>();
  private refusedCount = 0;
  private grantedCount = 0;

  /**
   * @param perSite Required. Launches each site grants in this batch (at least 1).
   * @param owners Required. How many owners have domains in this batch (at least 1).
   */
  constructor(
    private readonly perSite: number,
    owners: number,
  ) {
    this.share = Math.max(1, Math.ceil(Math.max(1, perSite) / Math.max(1, owners)));
  }

  take(owner: string, site: string): boolean {
    const onSite = this.grantedOn.get(site) ?? 0;
    const key = `${owner}\u0000${site}`;
    const toOwner = this.grantedTo.get(key) ?? 0;
    if (onSite >= this.perSite || toOwner >= this.share) {
      this.refusedCount++;
      return false;
    }
    this.grantedCount++;
    this.grantedOn.set(site, onSite + 1);
    this.grantedTo.set(key, toOwner + 1);
    return true;
  }

  /** Whether `take(owner, site)` would grant a slot now. */
  hasRoom(owner: string, site: string): boolean {
    return (
      (this.grantedOn.get(site) ?? 0) < this.perSite && (this.grantedTo.get(`${owner}\u0000${site}`) ?? 0) < this.share
    );
  }

  /** How many slots `take` has granted so far. */
  get granted(): number {
    return this.grantedCount;
  }

  /** How many times `take` has answered false so far (a domain refused a slot needs another batch). */
  get refusals(): number {
    return this.refusedCount;
  }
}

/**
 * Orders keys so owners take turns: the first key of each owner, then the second of each, and
 * so on; `rotate` starts the turn at a different owner (pass a counter so that, when a budget
 * runs out before the last owner's turn, each batch favours a different owner).
 */
export function interleaveByOwner<T extends { owner: string }>(items: Iterable<T>, rotate = 0): T[] {
  const lists = [...groupBy([...items], (item) => item.owner).values()];
  const start = lists.length > 0 ? rotate % lists.length : 0;
  const turns = [...lists.slice(start), ...lists.slice(0, start)];
  const total = lists.reduce((n, list) => n + list.length, 0);
  const out: T[] = [];
  for (let i = 0; out.length < total; i++) for (const list of turns) if (i < list.length) out.push(list[i]!);
  return out;
}
