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
  /**
   * Transient launch errors (connection refused, timeouts, 5xx) in a row on one site, across
   * users, that back the site off for everyone (default 3). A launch success resets the count.
   */
  transientStreak?: number;
}

interface Entry {
  durationMs: number;
  untilMs: number;
  lastFailureMs: number;
  /** What caused the backoff (e.g. a CloudError kind), for activities and events. */
  reason?: string;
}

/** A launch backoff that a refused launch started or extended. */
export interface LaunchBackoff {
  until: Date;
  /** Why (the CloudError kind). */
  reason: CloudErrorKind;
  /** True when it holds every user's launches on the site (capacity, repeated transient errors). */
  siteWide: boolean;
  /** True when no backoff was active before this failure (a new episode starts). */
  started: boolean;
}

/** A launch backoff a success ended: it held `siteWide` or only this user, for `reason`. */
export interface EndedBackoff {
  siteWide: boolean;
  reason: string;
}

const DEFAULT_TRANSIENT_STREAK = 3;

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
  private readonly transientStreak: number;
  /** Transient launch errors in a row per site (a handful of sites: never pruned). */
  private readonly streaks = new Map<string, number>();

  /** @throws Error naming the offending option. */
  constructor(opts: SiteBackoffOptions) {
    atLeast(opts.initialMs, 'initialMs', 1);
    atLeast(opts.maxMs, 'maxMs', opts.initialMs);
    if (opts.resetAfterMs !== undefined) atLeast(opts.resetAfterMs, 'resetAfterMs', 0);
    this.initialMs = opts.initialMs;
    this.maxMs = opts.maxMs;
    this.resetAfterMs = opts.resetAfterMs;
    if (opts.transientStreak !== undefined) atLeast(opts.transientStreak, 'transientStreak', 1);
    this.transientStreak = opts.transientStreak ?? DEFAULT_TRANSIENT_STREAK;
  }

  /** Records a failure at `now` (caused by `reason`); returns the instant until which `key` is backed off. */
  failure(key: string, now: Date, reason?: string): Date {
    const at = now.getTime();
    const entry = this.live(key, at);
    if (entry && at < entry.untilMs) {
      entry.lastFailureMs = Math.max(entry.lastFailureMs, at);
      return new Date(entry.untilMs);
    }
    const durationMs = entry ? Math.min(entry.durationMs * 2, this.maxMs) : this.initialMs;
    const next: Entry = { durationMs, untilMs: at + durationMs, lastFailureMs: at, reason };
    this.entries.set(key, next);
    return new Date(next.untilMs);
  }

  /** A success on `key` forgets its history: the next failure starts from `initialMs`. */
  success(key: string): void {
    this.entries.delete(key);
  }

  /** The end of `key`'s active backoff at `now`, or undefined when it may be tried. */
  until(key: string, now: Date): Date | undefined {
    const entry = this.active(key, now.getTime());
    return entry && new Date(entry.untilMs);
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
   * A user's launch on a site was refused with `kind`. A full site (`capacity`) is backed off
   * for every user, and so is a site answering `transient` errors that many times in a row
   * (across users); credentials, an invalid request or a spent quota only for this user.
   * Throttling, and transient errors short of the streak, back nothing off (undefined).
   */
  launchFailure(site: string, owner: string, kind: CloudErrorKind, now: Date): LaunchBackoff | undefined {
    if (kind === 'throttled') return undefined;
    if (kind === 'transient') {
      const streak = (this.streaks.get(site) ?? 0) + 1;
      this.streaks.set(site, streak);
      if (streak < this.transientStreak) return undefined;
      this.streaks.delete(site);
    }
    const siteWide = kind === 'capacity' || kind === 'transient';
    const key = siteWide ? site : ownerOnSite(owner, site);
    const started = this.until(key, now) === undefined;
    return { until: this.failure(key, now, kind), reason: kind, siteWide, started };
  }

  /**
   * A user's launch on a site succeeded: the site's and the user's history are forgotten, and
   * the site's transient streak. Returns the backoffs this ends (for "backoff end" reports).
   */
  launchSuccess(site: string, owner: string): EndedBackoff[] {
    this.streaks.delete(site);
    const ended: EndedBackoff[] = [];
    for (const [key, siteWide] of [
      [site, true],
      [ownerOnSite(owner, site), false],
    ] as const) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      this.entries.delete(key);
      ended.push({ siteWide, reason: entry.reason ?? 'unknown' });
    }
    return ended;
  }

  /** The site answered after all (e.g. an instance of a lost launch response showed up): its transient streak ends. */
  transientRecovered(site: string): void {
    this.streaks.delete(site);
  }

  /** The end of the backoff that holds this user's launches on `site` at `now`, if any. */
  launchUntil(site: string, owner: string, now: Date): Date | undefined {
    return this.launchBlock(site, owner, now)?.until;
  }

  /** The backoff that holds this user's launches on `site` at `now` (the later of site's and user's), if any. */
  launchBlock(site: string, owner: string, now: Date): { until: Date; reason: string } | undefined {
    const forSite = this.active(site, now.getTime());
    const forOwner = this.active(ownerOnSite(owner, site), now.getTime());
    const entry =
      forSite && forOwner ? (forSite.untilMs >= forOwner.untilMs ? forSite : forOwner) : (forSite ?? forOwner);
    return entry && { until: new Date(entry.untilMs), reason: entry.reason ?? 'unknown' };
  }

  /**
   * A group replaced instances that never passed its health check: its next such replacement
   * waits until the returned instant (doubling like any backoff).
   */
  replacementFailure(owner: string, group: string, now: Date): Date {
    return this.failure(replacementKey(owner, group), now, 'health-check');
  }

  /** The end of the group's active replacement backoff at `now`, if any. */
  replacementUntil(owner: string, group: string, now: Date): Date | undefined {
    return this.until(replacementKey(owner, group), now);
  }

  /**
   * An instance of the group launched at `launchedAt` passed its health check: if it was
   * launched since the group's last replacement, replacements are no longer backed off.
   */
  replacementRecovered(owner: string, group: string, launchedAt: Date): void {
    const key = replacementKey(owner, group);
    const entry = this.entries.get(key);
    if (entry && launchedAt.getTime() >= entry.lastFailureMs) this.entries.delete(key);
  }

  private active(key: string, at: number): Entry | undefined {
    const entry = this.live(key, at);
    return entry && at < entry.untilMs ? entry : undefined;
  }
}

const ownerOnSite = (owner: string, site: string) => `${owner}\u0000${site}`;
const replacementKey = (owner: string, group: string) => `replace\u0000${owner}\u0000${group}`;
