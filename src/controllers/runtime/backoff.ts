import type { CloudErrorKind } from '../../contracts/cloud.ts';

/** Settings of {@link SiteBackoff}. */
export interface SiteBackoffOptions {
  /** First backoff after a failure, in ms (> 0). */
  initialMs: number;
  /** Longest backoff, in ms (≥ initialMs). */
  maxMs: number;
  /**
   * A key whose last failure is more than this many ms ago starts again from `initialMs`
   * (cluster-autoscaler's node-group-backoff-reset-timeout). Absent = never forgotten until
   * {@link SiteBackoff.success}.
   */
  resetAfterMs?: number;
}

interface Entry {
  durationMs: number;
  untilMs: number;
  lastFailureMs: number;
}

const atLeast = (value: number, field: string, min: number): void => {
  if (!Number.isFinite(value) || value < min) throw new Error(`SiteBackoff: ${field} must be a number ≥ ${min}`);
};

/**
 * Per-key exponential backoff (e.g. per site after capacity/quota errors), pure over the `now`
 * each call is given — no clock reads. The first failure backs off `initialMs`; each failure
 * after a backoff has ended doubles it up to `maxMs`. A failure while a backoff is still active
 * (a concurrent launch answering late) neither doubles nor extends it (cluster-autoscaler rule).
 */
export class SiteBackoff {
  private readonly entries = new Map<string, Entry>();
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly resetAfterMs: number | undefined;

  /** @throws Error naming the offending option. */
  constructor(opts: SiteBackoffOptions) {
    atLeast(opts.initialMs, 'initialMs', 1);
    atLeast(opts.maxMs, 'maxMs', opts.initialMs);
    if (opts.resetAfterMs !== undefined) atLeast(opts.resetAfterMs, 'resetAfterMs', 0);
    this.initialMs = opts.initialMs;
    this.maxMs = opts.maxMs;
    this.resetAfterMs = opts.resetAfterMs;
  }

  /** Records a failure at `now`; returns the instant until which `key` is backed off. */
  failure(key: string, now: Date): Date {
    const at = now.getTime();
    const entry = this.live(key, at);
    if (entry && at < entry.untilMs) {
      entry.lastFailureMs = Math.max(entry.lastFailureMs, at);
      return new Date(entry.untilMs);
    }
    const durationMs = entry ? Math.min(entry.durationMs * 2, this.maxMs) : this.initialMs;
    const next: Entry = { durationMs, untilMs: at + durationMs, lastFailureMs: at };
    this.entries.set(key, next);
    return new Date(next.untilMs);
  }

  /** A success on `key` forgets its history: the next failure starts from `initialMs`. */
  success(key: string): void {
    this.entries.delete(key);
  }

  /** The end of `key`'s active backoff at `now`, or undefined when it may be tried. */
  until(key: string, now: Date): Date | undefined {
    const entry = this.live(key, now.getTime());
    return entry && now.getTime() < entry.untilMs ? new Date(entry.untilMs) : undefined;
  }

  /** Drops keys whose history has expired at `now` (bounded memory for long-running controllers). */
  prune(now: Date): void {
    for (const key of [...this.entries.keys()]) this.live(key, now.getTime());
  }

  /** The key's entry, forgetting it first when its last failure is older than `resetAfterMs`. */
  private live(key: string, at: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (
      entry &&
      this.resetAfterMs !== undefined &&
      at >= entry.untilMs &&
      at - entry.lastFailureMs > this.resetAfterMs
    ) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /**
   * A user's launch on a site was refused: a full site (`capacity`) is backed off for every
   * user, credentials, an invalid request or a spent quota only for this user.
   */
  launchFailure(site: string, owner: string, kind: CloudErrorKind, now: Date): Date {
    return this.failure(kind === 'capacity' ? site : ownerOnSite(owner, site), now);
  }

  /** A user's launch on a site succeeded: both the site's and the user's history are forgotten. */
  launchSuccess(site: string, owner: string): void {
    this.success(site);
    this.success(ownerOnSite(owner, site));
  }

  /** The end of the backoff that holds this user's launches on `site` at `now`, if any. */
  launchUntil(site: string, owner: string, now: Date): Date | undefined {
    const forSite = this.until(site, now);
    const forOwner = this.until(ownerOnSite(owner, site), now);
    return forSite && forOwner ? (forSite > forOwner ? forSite : forOwner) : (forSite ?? forOwner);
  }
}

const ownerOnSite = (owner: string, site: string) => `${owner}\u0000${site}`;
