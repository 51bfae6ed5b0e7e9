import type { Logger } from 'pino';
import type { Clock } from '../contracts/clock.ts';
import type { ControllerEvents, DecisionEvent } from '../contracts/reconcile.ts';
import type { Store } from '../contracts/store.ts';
import { PhantomMetrics } from './metrics.ts';

/** What {@link Telemetry} needs. */
export interface TelemetryOptions {
  /** Required. Where decision and lifecycle lines go (JSON, at info). */
  log: Logger;
  /** Required. Read at each scrape for the instance and group gauges. */
  store: Pick<Store, 'countInstancesBySiteAndState' | 'countAllGroups'>;
  /** Required. Tells whether a backoff's `until` has passed. */
  clock: Clock;
}

/** One answered API request, as the HTTP layer reports it. */
export interface ApiRequestReport {
  /** The action's name when the request named a known one; absent otherwise. */
  action?: string;
  status: number;
  durationMs: number;
}

/**
 * A reason becomes a label value only when it is a short lower-case word (e.g. `scale-in`,
 * `unhealthy`); anything longer or free-form counts as `other`, so a message can never
 * multiply the series.
 */
const reasonLabel = (reason: string): string => (/^[a-z][a-z0-9-]{0,31}$/.test(reason) ? reason : 'other');

/** An action label: a known action's name, or `unknown` (never the caller's raw text). */
const actionLabel = (action: string | undefined): string => action ?? 'unknown';

/**
 * Where the controller and the API report what they do: one JSON log line per decision and
 * per lifecycle event (start, stop, site changes), and the Prometheus metrics. Implements
 * {@link ControllerEvents}: every method returns at once and never throws. Nothing it logs or
 * labels carries a secret (events carry names, counts and reasons only).
 */
export class Telemetry implements ControllerEvents {
  readonly metrics = new PhantomMetrics();
  /** Per site: active backoffs by `owner\0group`, each with its end (ms) when known. */
  private readonly backoffs = new Map<string, Map<string, number>>();
  /** Domains now in a shortfall episode, by `owner\0group`. */
  private readonly short = new Set<string>();
  /** The longest event-loop hold of any batch so far, in seconds, by kind. */
  private readonly longestHold = new Map<string, number>();

  constructor(private readonly opts: TelemetryOptions) {}

  decision(event: DecisionEvent): void {
    const { kind, owner, group, site, count, reason, activityId, until } = event;
    this.opts.log.info(
      { kind, owner, group, site, count: count ?? 1, reason, activityId, until: until?.toISOString() },
      'decision',
    );
    const m = this.metrics;
    m.decisions.inc({ kind });
    const n = count ?? 1;
    const siteLabel = site ?? 'none';
    if (kind === 'launch') m.launches.inc({ site: siteLabel, outcome: 'launched' }, n);
    else if (kind === 'launch-failed') m.launches.inc({ site: siteLabel, outcome: 'failed' }, n);
    else if (kind === 'terminate') m.terminations.inc({ site: siteLabel, reason: reasonLabel(reason) }, n);
    else if (kind === 'backoff-start' || kind === 'backoff-end') this.trackBackoff(event);
    else if (kind === 'shortfall' || kind === 'shortfall-end') this.trackShortfall(event);
  }

  pass(report: { kind: 'routine' | 'urgent'; domains: number; durationMs: number; longestHoldMs?: number }): void {
    this.metrics.passDuration.observe({ kind: report.kind }, report.durationMs / 1000);
    if (report.longestHoldMs === undefined) return;
    const seconds = report.longestHoldMs / 1000;
    this.metrics.longestHold.observe({ kind: report.kind }, seconds);
    const longest = this.longestHold.get(report.kind) ?? 0;
    if (seconds > longest) {
      this.longestHold.set(report.kind, seconds);
      this.metrics.longestHoldMax.set({ kind: report.kind }, seconds);
    }
  }

  cloudCall(call: { site: string; operation: string; durationMs: number; errorKind?: string }): void {
    this.metrics.cloudCallDuration.observe({ site: call.site, operation: call.operation }, call.durationMs / 1000);
    if (call.errorKind !== undefined) this.metrics.cloudErrors.inc({ site: call.site, kind: call.errorKind });
  }

  /** Counts one answered API request. */
  apiRequest(report: ApiRequestReport): void {
    const action = actionLabel(report.action);
    this.metrics.apiRequests.inc({ action, code: String(report.status) });
    this.metrics.apiDuration.observe({ action }, report.durationMs / 1000);
  }

  /** Logs the server's start (at info); `fields` must hold no secret (URLs, paths, site names). */
  started(fields: Record<string, unknown>): void {
    this.opts.log.info(fields, 'phantom serving');
  }

  /** Logs the server's stop (at info). */
  stopped(): void {
    this.opts.log.info('phantom stopped');
  }

  /** Logs each site added or removed since `before` (one info line each); returns whether any changed. */
  sitesChanged(before: readonly string[], after: readonly string[]): boolean {
    const added = after.filter((site) => !before.includes(site));
    const removed = before.filter((site) => !after.includes(site));
    for (const site of added) this.opts.log.info({ site }, 'site added');
    for (const site of removed) this.opts.log.info({ site }, 'site removed');
    return added.length + removed.length > 0;
  }

  /**
   * The Prometheus exposition text, with the store-backed gauges read now. A failed store read
   * leaves those gauges at their last values (logged at warn); the rest is still served.
   */
  async scrape(): Promise<{ contentType: string; text: string }> {
    try {
      await this.readInventory();
    } catch (err) {
      this.opts.log.warn({ err }, 'metrics: could not read the store');
    }
    this.publishBackoffs();
    return this.metrics.scrape();
  }

  private async readInventory(): Promise<void> {
    const [counts, groups] = await Promise.all([
      this.opts.store.countInstancesBySiteAndState(),
      this.opts.store.countAllGroups(),
    ]);
    this.metrics.instances.reset();
    for (const { site, state, count } of counts) this.metrics.instances.set({ site, state }, count);
    this.metrics.groups.set(groups);
  }

  private trackBackoff(event: DecisionEvent): void {
    if (event.site === undefined) return;
    const key = `${event.owner}\u0000${event.group ?? ''}`;
    let active = this.backoffs.get(event.site);
    if (!active) this.backoffs.set(event.site, (active = new Map()));
    if (event.kind === 'backoff-start') active.set(key, event.until?.getTime() ?? Number.POSITIVE_INFINITY);
    else active.delete(key);
    this.publishBackoffs();
  }

  /** Sets each known site's backoff gauge, forgetting backoffs whose end has passed. */
  private publishBackoffs(): void {
    const now = this.opts.clock.now().getTime();
    for (const [site, active] of this.backoffs) {
      for (const [key, untilMs] of active) if (untilMs <= now) active.delete(key);
      this.metrics.siteBackoff.set({ site }, active.size > 0 ? 1 : 0);
    }
  }

  private trackShortfall(event: DecisionEvent): void {
    const key = `${event.owner}\u0000${event.group ?? ''}`;
    if (event.kind === 'shortfall') {
      if (!this.short.has(key)) this.metrics.shortfallEpisodes.inc();
      this.short.add(key);
    } else this.short.delete(key);
    this.metrics.shortfallGroups.set(this.short.size);
  }
}
