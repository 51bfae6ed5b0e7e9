/**
 * The domains whose shortfall (short of desired, every usable site full or backed off) has
 * been reported and has not ended: one activity and one event per episode, not per pass.
 * In memory and bounded: past `maxEntries` the oldest episode is forgotten (and said again if
 * it still stands); a restart forgets them all likewise. Owned by the controller runtime.
 */
export class ShortfallEpisodes {
  private readonly open = new Set<string>();

  /** @param maxEntries Optional. Most episodes remembered at once (default 10,000). */
  constructor(private readonly maxEntries = 10_000) {}

  /** Starts the episode of `owner`'s `group`; true when it was not already open (report it then). */
  start(owner: string, group: string): boolean {
    const key = keyOf(owner, group);
    if (this.open.has(key)) return false;
    if (this.open.size >= this.maxEntries) {
      const oldest = this.open.values().next().value;
      if (oldest !== undefined) this.open.delete(oldest);
    }
    this.open.add(key);
    return true;
  }

  /** Ends the episode; true when one was open (report its end then). Idempotent. */
  end(owner: string, group: string): boolean {
    return this.open.delete(keyOf(owner, group));
  }

  /** How many episodes are open (metrics). */
  get size(): number {
    return this.open.size;
  }
}

const keyOf = (owner: string, group: string) => `${owner}\u0000${group}`;
